/**
 * Faults for SP developers (DESIGN §3 "Faults are data"; issue 2 "Faults"): each AD FS fault kind,
 * queued through the control API, bends exactly the next response and nothing after it, and an
 * independent SP rejects that response for the right reason. @node-saml/node-saml 5.1.0 is the SP
 * (strict: no clock skew, InResponseTo checked against its own request cache); our own reading of
 * the XML confirms that the faulted element — and only it — is wrong. Recipient and the FICAM
 * rules (exactly one AuthnContextClassRef, the SAML 2.0 assertion namespace) are checked by the
 * SP-side rules below, as node-saml does not check them.
 */
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { startTestLab } from '../../../harness/src/start-lab.js';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';
import { ADFS_FAULT_KINDS } from '../../src/shared/faults.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { ASSERTION_SIGNATURE_XPATH, xmlsec1Verify } from '../helpers/xmlsec1.js';
import { NS_ASSERTION, NS_DSIG, SAMPLE_SP, STATUS, endpoints, readPosted, submitLogin, type SamlAnswer } from './lab-saml.js';

let lab: Lab;
const OTHER = { name: 'other SP', id: 'urn:test:other', acs: 'https://other.sp.test/acs' };

beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'] });
});
afterAll(() => lab.stop());
beforeEach(() => {
  lab.state.reset();
  lab.state.relyingParties.add({
    name: OTHER.name,
    identifiers: [OTHER.id],
    endpoints: [{ kind: 'acs', binding: 'POST', url: OTHER.acs, index: 0 }],
    nameId: { format: 'emailAddress', value: '{email}' },
  });
});

const api = (path: string) => `${lab.urls.console}/api${path}`;
async function postFault(body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(api('/faults'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}
async function queued(): Promise<unknown[]> {
  return (await (await fetch(api('/faults'))).json()) as unknown[];
}

/** The sample SP as an independent, strict node-saml SP. */
function strictSp(validateInResponseTo: ValidateInResponseTo = ValidateInResponseTo.always): SAML {
  const ep = endpoints(lab);
  return new SAML({
    issuer: SAMPLE_SP,
    audience: SAMPLE_SP,
    callbackUrl: ep.sampleAcs,
    entryPoint: ep.ls,
    idpIssuer: lab.state.adfs!.identifier,
    idpCert: ep.adfsCertPem,
    privateKey: lab.state.pki.systems['sample-sp'].signing.keyPem,
    signatureAlgorithm: 'sha256',
    identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: 0,
    validateInResponseTo,
  });
}

interface RoundTrip {
  answer: SamlAnswer;
  samlResponse: string;
  requestId: string;
}

/** SP-initiated sign-in with node-saml's own AuthnRequest; signs in with the form when needed. */
async function roundTrip(sp: SAML, ua: UserAgent): Promise<RoundTrip> {
  const url = await sp.getAuthorizeUrlAsync('', undefined, {});
  const first = await ua.get(url);
  const working = first.body.includes('name="UserName"') ? await submitLogin(ua, first) : first;
  const answer = readPosted(working);
  const request = inflateRawSync(Buffer.from(new URL(url).searchParams.get('SAMLRequest')!, 'base64')).toString();
  const requestId = /ID="([^"]+)"/.exec(request)![1]!;
  return { answer, samlResponse: Buffer.from(answer.xml).toString('base64'), requestId };
}

/** What the SP-side rules see in the one assertion of a response (any namespace). */
function facts(a: SamlAnswer, requestId: string) {
  const all = (name: string) => Array.from(a.doc.getElementsByTagName('*')).filter((e) => e.localName === name);
  const one = (name: string) => {
    const found = all(name);
    expect(found, name).toHaveLength(1);
    return found[0]!;
  };
  const scd = one('SubjectConfirmationData');
  const conditions = one('Conditions');
  const now = Date.now();
  return {
    assertionNamespace: one('Assertion').namespaceURI,
    classRefs: all('AuthnContextClassRef').map((e) => e.textContent),
    audience: one('Audience').textContent,
    recipient: scd.getAttribute('Recipient'),
    destination: a.destination,
    inResponseTo: { response: a.inResponseTo, subject: scd.hasAttribute('InResponseTo') ? scd.getAttribute('InResponseTo')! : undefined },
    expired: Date.parse(conditions.getAttribute('NotOnOrAfter')!) <= now || Date.parse(scd.getAttribute('NotOnOrAfter')!) <= now,
    notYetValid: Date.parse(conditions.getAttribute('NotBefore')!) > now,
    signatures: a.doc.getElementsByTagNameNS(NS_DSIG, 'Signature').length,
    signingCert: a.doc.getElementsByTagNameNS(NS_DSIG, 'X509Certificate')[0]?.textContent ?? undefined,
    requestId,
  };
}
type Facts = ReturnType<typeof facts>;

/** The SP-side rules this suite applies beyond node-saml: Recipient and FICAM. */
function spRuleViolations(f: Facts, acs: string): string[] {
  const v: string[] = [];
  if (f.recipient !== acs) v.push('recipient'); // saml-profiles §4.1.4.3
  if (f.assertionNamespace !== NS_ASSERTION) v.push('assertion-namespace'); // FICAM
  if (f.classRefs.length !== 1) v.push('authn-context-class-refs'); // FICAM: exactly one
  return v;
}

/** Everything about a response that a clean one has, for the sample SP. */
function cleanFacts(f: Facts): Partial<Facts> {
  return {
    assertionNamespace: NS_ASSERTION,
    classRefs: ['urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'],
    audience: SAMPLE_SP,
    recipient: endpoints(lab).sampleAcs,
    destination: endpoints(lab).sampleAcs,
    inResponseTo: { response: f.requestId, subject: f.requestId },
    expired: false,
    notYetValid: false,
    signatures: 1,
    signingCert: lab.state.pki.systems.adfs.signing.certBase64,
  };
}

/** Per fault: what node-saml says (if it checks it), and the one fact that differs from clean. */
const EXPECTED: Record<(typeof ADFS_FAULT_KINDS)[number], { nodeSaml?: RegExp; differs: (f: Facts) => Partial<Facts>; rule?: string }> = {
  'expired-assertion': { nodeSaml: /^SAML assertion expired/, differs: () => ({ expired: true }) },
  'not-yet-valid-assertion': { nodeSaml: /^SAML assertion not yet valid$/, differs: () => ({ notYetValid: true }) },
  'wrong-audience': { nodeSaml: /^SAML assertion audience mismatch/, differs: () => ({ audience: 'urn:idp-harness:not-your-audience' }) },
  'wrong-recipient': { differs: () => ({ recipient: `${endpoints(lab).sampleAcs}wrong-recipient` }), rule: 'recipient' },
  'wrong-in-response-to': { nodeSaml: /^InResponseTo is not valid$/, differs: (f) => ({ inResponseTo: { response: f.inResponseTo.response, subject: f.inResponseTo.response } }) },
  unsigned: { nodeSaml: /^Invalid signature$/, differs: () => ({ signatures: 0, signingCert: undefined }) },
  'unknown-signing-key': { nodeSaml: /^Invalid signature$/, differs: () => ({ signingCert: lab.state.pki.systems.oidc.signing.certBase64 }) },
  'two-authn-context-class-refs': {
    differs: () => ({ classRefs: ['urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport', 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password'] }),
    rule: 'authn-context-class-refs',
  },
  'wrong-assertion-namespace': { differs: () => ({ assertionNamespace: 'urn:oasis:names:tc:SAML:1.0:assertion' }), rule: 'assertion-namespace' },
  // Altered after signing: every fact looks clean, only the signature gives it away.
  tampered: { nodeSaml: /^Invalid signature$/, differs: () => ({}) },
  // The previous response again: it answers the previous request.
  replay: { nodeSaml: /^InResponseTo is not valid$/, differs: (f) => ({ inResponseTo: { response: f.inResponseTo.response, subject: f.inResponseTo.response } }) },
};

describe('every AD FS fault kind, one shot, rejected for its reason', () => {
  it('covers every kind the lab defines', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ADFS_FAULT_KINDS].sort());
  });

  for (const kind of ADFS_FAULT_KINDS) {
    it(kind, async () => {
      const want = EXPECTED[kind];
      // node-saml checks SubjectConfirmationData time before Conditions only when it validates
      // InResponseTo; 'never' lets the expired fault reach its Conditions check and message.
      const sp = strictSp(kind === 'expired-assertion' ? ValidateInResponseTo.never : ValidateInResponseTo.always);
      const ua = new UserAgent();
      // A replay needs a response to repeat: one clean sign-in first.
      const before = kind === 'replay' ? await roundTrip(sp, ua) : undefined;
      // ...that the SP consumed (node-saml forgets the request ID then; it keeps no assertion IDs).
      if (before) await sp.validatePostResponseAsync({ SAMLResponse: before.samlResponse });

      const added = await postFault({ surface: 'adfs', kind });
      expect(added).toEqual({ status: 201, json: { surface: 'adfs', kind } });
      expect(await queued()).toEqual([{ surface: 'adfs', kind }]);

      const bent = await roundTrip(sp, ua);
      expect(bent.answer.status.top).toBe(STATUS.Success);
      expect(await queued(), 'the fault was taken').toEqual([]);
      const f = facts(bent.answer, bent.requestId);
      if (kind === 'wrong-in-response-to') expect(f.inResponseTo.response).not.toBe(bent.requestId);
      if (kind === 'replay') expect(bent.samlResponse).toBe(before!.samlResponse);
      if (kind === 'tampered') expect(Buffer.from(bent.samlResponse, 'base64').toString()).toContain('-tampered</');
      // Exactly the faulted element differs from a clean response.
      expect(f).toMatchObject({ ...cleanFacts(f), ...want.differs(f) });
      expect(spRuleViolations(f, endpoints(lab).sampleAcs)).toEqual(want.rule ? [want.rule] : []);
      if (want.nodeSaml) {
        await expect(sp.validatePostResponseAsync({ SAMLResponse: bent.samlResponse })).rejects.toThrow(want.nodeSaml);
      }

      // One shot: the next sign-in (SSO session reused) is clean and node-saml takes it.
      const clean = await roundTrip(sp, ua);
      const cf = facts(clean.answer, clean.requestId);
      expect(cf).toMatchObject(cleanFacts(cf));
      expect(spRuleViolations(cf, endpoints(lab).sampleAcs)).toEqual([]);
      const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: clean.samlResponse });
      expect(profile?.nameID).toBe('agent1@lab.example');
    });
  }

  it('faults are taken in order, one per response', async () => {
    const sp = strictSp();
    const ua = new UserAgent();
    await postFault({ surface: 'adfs', kind: 'wrong-audience' });
    await postFault({ surface: 'adfs', kind: 'wrong-recipient' });
    const first = await roundTrip(sp, ua);
    const second = await roundTrip(sp, ua);
    const third = await roundTrip(sp, ua);
    expect(facts(first.answer, first.requestId)).toMatchObject({ audience: 'urn:idp-harness:not-your-audience', recipient: endpoints(lab).sampleAcs });
    expect(facts(second.answer, second.requestId)).toMatchObject({ audience: SAMPLE_SP, recipient: `${endpoints(lab).sampleAcs}wrong-recipient` });
    const f3 = facts(third.answer, third.requestId);
    expect(f3).toMatchObject(cleanFacts(f3));
  });
});

describeWithTool('xmlsec1', 'unknown-signing-key, independently', () => {
  it('xmlsec1 refuses the assertion signature with the AD FS certificate; it is a valid signature by another key', async () => {
    await postFault({ surface: 'adfs', kind: 'unknown-signing-key' });
    const { answer } = await roundTrip(strictSp(), new UserAgent());
    const adfs = xmlsec1Verify(answer.xml, lab.state.pki.systems.adfs.signing.certPem, { nodeXpath: ASSERTION_SIGNATURE_XPATH });
    expect(adfs.ok).toBe(false);
    const foreign = xmlsec1Verify(answer.xml, lab.state.pki.systems.oidc.signing.certPem, { nodeXpath: ASSERTION_SIGNATURE_XPATH });
    expect(foreign.ok, foreign.output).toBe(true);
  });
});

describe('a fault for one relying party', () => {
  it('is skipped by responses to other RPs and taken by the next response to its RP (by identifier or by name)', async () => {
    for (const relyingParty of [OTHER.id, OTHER.name]) {
      lab.state.faults.clear();
      const ua = new UserAgent();
      const sp = strictSp();
      expect((await postFault({ surface: 'adfs', kind: 'wrong-audience', relyingParty })).status).toBe(201);

      const sample = await roundTrip(sp, ua);
      expect(facts(sample.answer, sample.requestId).audience).toBe(SAMPLE_SP);
      expect((await sp.validatePostResponseAsync({ SAMLResponse: sample.samlResponse })).profile?.nameID).toBe('agent1@lab.example');
      expect(await queued()).toEqual([{ surface: 'adfs', kind: 'wrong-audience', relyingParty }]);

      // IdP-initiated to the other RP, on the same AD FS session.
      const other = readPosted(await ua.get(`${endpoints(lab).idpInitiated}?loginToRp=${encodeURIComponent(OTHER.id)}`));
      expect(other.target).toBe(OTHER.acs);
      expect(other.doc.getElementsByTagNameNS(NS_ASSERTION, 'Audience')[0]!.textContent).toBe('urn:idp-harness:not-your-audience');
      expect(await queued()).toEqual([]);

      const again = readPosted(await ua.get(`${endpoints(lab).idpInitiated}?loginToRp=${encodeURIComponent(OTHER.id)}`));
      expect(again.doc.getElementsByTagNameNS(NS_ASSERTION, 'Audience')[0]!.textContent).toBe(OTHER.id);
    }
  });
});

describe('control API input', () => {
  it('refuses invalid faults with 400 ERR_CONTROL_INVALID and queues nothing', async () => {
    for (const body of [
      { surface: 'adfs', kind: 'no-such-fault' },
      { surface: 'oidc', kind: 'expired-assertion' },
      { kind: 'expired-assertion' },
      { surface: 'adfs' },
      { surface: 'adfs', kind: 'unsigned', extra: true },
      { surface: 'adfs', kind: 'unsigned', relyingParty: '' },
      { surface: 'adfs', kind: 'unsigned', relyingParty: 42 },
      { surface: 'adfs', kind: ['unsigned'] },
      {},
      [],
      [{ surface: 'adfs', kind: 'unsigned' }],
    ]) {
      const res = await postFault(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json).toMatchObject({ error: { code: 'ERR_CONTROL_INVALID' } });
    }
    expect(await queued()).toEqual([]);
  });
});
