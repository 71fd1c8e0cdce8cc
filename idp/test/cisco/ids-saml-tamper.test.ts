import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { expectAccepted, expectRefused, idsOf, IdsFlow, issued, tokenUsers, type CapturedResponse } from '../helpers/ids-flow.js';

/**
 * docs/cisco.md "What IdS checks in the response", attacked with a validly signed response AD FS
 * issued to IdS and captured before IdS saw it: altered text, replays, signature wrapping (XSW,
 * Somorovsky et al., "On Breaking SAML", USENIX Security 2012) and comments (CVE-2017-11427
 * class). Every attack names another user (`EVIL`) and must end on the IdS error page with
 * nothing handed out; the untouched capture is then accepted, so the refusal was the attack's.
 */

const EVIL = 'supervisor1';
const NOTHING = { relays: 0, codes: 0, tokens: 0 };

// AD FS writes the Assertion with a default namespace and the ds: prefix on both signatures
// (docs/cisco.md; idp/src/adfs/build-assertion.ts), so plain text surgery finds them.
const ASSERTION = /<Assertion\b[\s\S]*<\/Assertion>/;
const SIGNATURE = /<ds:Signature\b[\s\S]*?<\/ds:Signature>/;

function assertionOf(xml: string): string {
  const m = ASSERTION.exec(xml);
  if (!m) throw new Error('no Assertion in the response');
  return m[0];
}

/** Replaces exactly one occurrence of `from` (the test's premise: it is there, once). */
function replaceOnce(xml: string, from: string, to: string): string {
  const at = xml.indexOf(from);
  if (at < 0 || xml.indexOf(from, at + from.length) >= 0) throw new Error(`expected exactly one ${from}`);
  return xml.slice(0, at) + to + xml.slice(at + from.length);
}

/** The signed assertion with its Signature removed, another ID and `EVIL` as uid and NameID. */
function evilAssertion(xml: string, id = '_evil-assertion'): string {
  const signed = assertionOf(xml);
  const signedId = /^<Assertion\b[^>]*\bID="([^"]+)"/.exec(signed)![1]!;
  let evil = signed.replace(SIGNATURE, '').split(signedId).join(id);
  evil = replaceOnce(evil, '<AttributeValue>agent1</AttributeValue>', `<AttributeValue>${EVIL}</AttributeValue>`);
  return replaceOnce(evil, 'LAB\\agent1</NameID>', `LAB\\${EVIL}</NameID>`);
}

describe('IdS against altered, replayed and wrapped responses', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'console'], tls: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });
  beforeEach(() => {
    lab.state.reset();
  });

  /** The untouched capture is accepted and yields tokens for agent1 only, never for EVIL. */
  async function originalStillAccepted(flow: IdsFlow, captured: CapturedResponse): Promise<void> {
    const res = await flow.post(captured);
    expectAccepted(lab, res);
    await flow.complete(res);
    expect(tokenUsers(lab)).toEqual(['agent1', 'agent1']);
  }

  it('a changed uid AttributeValue or NameID in a signed response → ERR_SAML_SIGNATURE_INVALID', async () => {
    const flow = new IdsFlow(lab);
    const captured = await flow.capture();
    const uid = replaceOnce(captured.xml, '<AttributeValue>agent1</AttributeValue>', `<AttributeValue>${EVIL}</AttributeValue>`);
    expectRefused(await flow.post(captured, { xml: uid }), 403, 'ERR_SAML_SIGNATURE_INVALID');
    const nameId = replaceOnce(captured.xml, 'LAB\\agent1</NameID>', `LAB\\${EVIL}</NameID>`);
    expectRefused(await flow.post(captured, { xml: nameId }), 403, 'ERR_SAML_SIGNATURE_INVALID');
    expect(issued(lab)).toEqual(NOTHING);
    await originalStillAccepted(flow, captured);
  });

  it('the same SAMLResponse posted twice: the second → ERR_IDS_SAML_REPLAYED, at either ACS URL (saml-core §1.3.4)', async () => {
    const flow = new IdsFlow(lab);
    const captured = await flow.capture();
    const first = await flow.post(captured);
    expectAccepted(lab, first);
    await flow.complete(first);
    const after = issued(lab);
    expect(after).toEqual({ relays: 1, codes: 1, tokens: 2 });
    // A second browser (the attacker's) posts the captured form again.
    const thief = new IdsFlow(lab);
    expectRefused(await thief.post(captured), 403, 'ERR_IDS_SAML_REPLAYED');
    expectRefused(await thief.post(captured, { action: idsOf(lab).urls.acsMetaAlias }), 403, 'ERR_IDS_SAML_REPLAYED');
    expect(issued(lab)).toEqual(after);
  });

  describe('signature wrapping (XSW): an unsigned assertion for another user next to the signed content', () => {
    // Most variants keep the signed bytes intact somewhere in the document (`intact`), so a
    // verifier that checks "a signature" and a reader that reads "an assertion" could disagree.
    // IdS allows exactly one Assertion, directly in the Response (ERR_IDS_SAML_STRUCTURE), before
    // any other rule; what the SAML 2.0 protocol schema already forbids stops at the parser door.
    const variants: Array<{ name: string; build: (xml: string) => string; code: string; status: number; intact: boolean }> = [
      {
        name: 'XSW3: an evil Assertion inserted before the signed one (siblings in the Response)',
        build: (xml) => replaceOnce(xml, '<Assertion ', `${evilAssertion(xml)}<Assertion `),
        code: 'ERR_IDS_SAML_STRUCTURE',
        status: 403,
        intact: true,
      },
      {
        name: 'XSW4: the evil Assertion first, with the signed Assertion wrapped inside its Advice',
        build: (xml) => {
          const signed = assertionOf(xml);
          const evil = replaceOnce(evilAssertion(xml), '</Conditions>', `</Conditions><Advice>${signed}</Advice>`);
          return replaceOnce(xml, signed, evil);
        },
        code: 'ERR_IDS_SAML_STRUCTURE',
        status: 403,
        intact: true,
      },
      {
        name: 'XSW5-like: an evil Assertion wrapped inside the signed Assertion (Advice)',
        build: (xml) => replaceOnce(xml, '</Conditions>', `</Conditions><Advice>${evilAssertion(xml)}</Advice>`),
        code: 'ERR_IDS_SAML_STRUCTURE',
        status: 403,
        intact: false,
      },
      {
        name: 'XSW1: a forged Response (evil Assertion) whose copied Signature carries the signed Response in ds:Object',
        build: (xml) => {
          const signedResponseSig = SIGNATURE.exec(xml)![0];
          const rootId = /^<samlp:Response\b[^>]*\bID="([^"]+)"/.exec(xml)![1]!;
          let forged = replaceOnce(xml, assertionOf(xml), evilAssertion(xml));
          forged = replaceOnce(forged, `ID="${rootId}"`, 'ID="_forged-response"');
          const withObject = signedResponseSig.replace(/<\/ds:Signature>$/, `<ds:Object>${xml}</ds:Object></ds:Signature>`);
          return replaceOnce(forged, signedResponseSig, withObject);
        },
        code: 'ERR_IDS_SAML_STRUCTURE',
        status: 403,
        intact: true,
      },
      {
        name: 'XSW2: a forged Response carrying the whole signed Response in samlp:Extensions',
        build: (xml) => {
          const rootId = /^<samlp:Response\b[^>]*\bID="([^"]+)"/.exec(xml)![1]!;
          let forged = replaceOnce(xml, assertionOf(xml), evilAssertion(xml));
          forged = replaceOnce(forged, `ID="${rootId}"`, 'ID="_forged-response"');
          forged = forged.replace(SIGNATURE, '');
          return replaceOnce(forged, '<samlp:Status>', `<samlp:Extensions>${xml}</samlp:Extensions><samlp:Status>`);
        },
        // saml-schema-protocol-2.0 ExtensionsType takes ##other only: a samlp:Response in it is invalid.
        code: 'ERR_SAML_SCHEMA_INVALID',
        status: 400,
        intact: true,
      },
      {
        name: 'XSW2 (assertion level): the signed Assertion moved into samlp:Extensions, an evil one in its place',
        build: (xml) => {
          const signed = assertionOf(xml);
          const moved = replaceOnce(xml, signed, evilAssertion(xml));
          return replaceOnce(moved, '<samlp:Status>', `<samlp:Extensions>${signed}</samlp:Extensions><samlp:Status>`);
        },
        code: 'ERR_IDS_SAML_STRUCTURE',
        status: 403,
        intact: true,
      },
      {
        name: 'signature transplant: the signed Assertion replaced by an evil one carrying its ID and Signature',
        build: (xml) => {
          const signed = assertionOf(xml);
          const id = /^<Assertion\b[^>]*\bID="([^"]+)"/.exec(signed)![1]!;
          const evil = replaceOnce(evilAssertion(xml, id), '</Issuer>', `</Issuer>${SIGNATURE.exec(signed)![0]}`);
          return replaceOnce(xml, signed, evil);
        },
        // One Assertion, directly in the Response: the structure holds, the signatures do not.
        code: 'ERR_SAML_SIGNATURE_INVALID',
        status: 403,
        intact: false,
      },
    ];

    for (const v of variants) {
      it(`${v.name} → ${v.status} ${v.code}, no token for ${EVIL}`, async () => {
        const flow = new IdsFlow(lab);
        const captured = await flow.capture();
        const wrapped = v.build(captured.xml);
        expect(wrapped).toContain(`<AttributeValue>${EVIL}</AttributeValue>`);
        expect(wrapped.includes(assertionOf(captured.xml))).toBe(v.intact);
        expectRefused(await flow.post(captured, { xml: wrapped }), v.status, v.code);
        expect(issued(lab)).toEqual(NOTHING);
        await originalStillAccepted(flow, captured);
      });
    }
  });

  it('a comment inside the uid AttributeValue or the NameID (CVE-2017-11427) → ERR_IDS_SAML_COMMENT', async () => {
    // Exclusive c14n drops comments, so the signatures still verify (ids-saml-shapes.test.ts shows
    // it with xmlsec1); a reader that stops at the first text node would see "agent" instead of
    // "agent1". IdS refuses comments in the assertion rather than guess.
    const flow = new IdsFlow(lab);
    const captured = await flow.capture();
    const inUid = replaceOnce(captured.xml, '<AttributeValue>agent1</AttributeValue>', '<AttributeValue>agent<!---->1</AttributeValue>');
    expectRefused(await flow.post(captured, { xml: inUid }), 403, 'ERR_IDS_SAML_COMMENT');
    const inNameId = replaceOnce(captured.xml, 'LAB\\agent1</NameID>', 'LAB\\agent<!-- x -->1</NameID>');
    expectRefused(await flow.post(captured, { xml: inNameId }), 403, 'ERR_IDS_SAML_COMMENT');
    expect(issued(lab)).toEqual(NOTHING);
    await originalStillAccepted(flow, captured);
  });
});
