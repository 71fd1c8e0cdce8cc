import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { elems, one, parseXml, STATUS, statusOf, URI } from '../helpers/adfs-flow.js';
import { control, expectAccepted, expectRefused, IDS_RP_NAME, idsOf, IdsFlow, issued, patchIdsRp, tokenUsers } from '../helpers/ids-flow.js';

/**
 * docs/cisco.md "What IdS checks in the response", reached by changing how AD FS issues to IdS
 * (`PUT`/`PATCH /api/relying-parties/Cisco%20Identity%20Service`, the fields of
 * idp/src/adfs/relying-party-schema.ts) and by where the browser posts: Cisco's documented IdP
 * requirements (reference A.1.7) each fail for their own reason, and what Cisco allows works.
 */

const NOTHING = { relays: 0, codes: 0, tokens: 0 };

/** The ds:Signature children of the Response and of its Assertion (or EncryptedAssertion absent). */
function signatures(xml: string): { message: Element[]; assertion: Element[] } {
  const doc = parseXml(xml);
  return { message: elems(doc, '/samlp:Response/ds:Signature'), assertion: elems(doc, '/samlp:Response/saml:Assertion/ds:Signature') };
}

describe('IdS and the way AD FS issues to it (relying-party trust)', () => {
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

  it('samlResponseSignature AssertionOnly → ERR_IDS_SAML_MESSAGE_NOT_SIGNED (Cisco: the IdP must not sign only the assertion)', async () => {
    await patchIdsRp(lab, { samlResponseSignature: 'AssertionOnly' });
    const flow = new IdsFlow(lab);
    const captured = await flow.capture();
    const sigs = signatures(captured.xml);
    expect({ message: sigs.message.length, assertion: sigs.assertion.length }).toEqual({ message: 0, assertion: 1 });
    expectRefused(await flow.post(captured), 403, 'ERR_IDS_SAML_MESSAGE_NOT_SIGNED');
    expect(issued(lab)).toEqual(NOTHING);
  });

  it('samlResponseSignature MessageOnly → accepted, and a token is issued (Cisco: "or only the message")', async () => {
    // Set with PUT, the whole trust as GET returns it: the other way the control API edits a trust.
    const path = `/relying-parties/${encodeURIComponent(IDS_RP_NAME)}`;
    const current = await control(lab, 'GET', path);
    expect(current.json.samlResponseSignature).toBe('MessageAndAssertion');
    expect((await control(lab, 'PUT', path, { ...current.json, samlResponseSignature: 'MessageOnly' })).status).toBe(200);
    const flow = new IdsFlow(lab);
    const captured = await flow.capture();
    const sigs = signatures(captured.xml);
    expect({ message: sigs.message.length, assertion: sigs.assertion.length }).toEqual({ message: 1, assertion: 0 });
    const res = await flow.post(captured);
    expectAccepted(lab, res);
    const tokens = await flow.complete(res);
    expect(tokens.accessToken).not.toBe('');
    expect(tokenUsers(lab)).toEqual(['agent1', 'agent1']);
  });

  it('signatureAlgorithm rsa-sha1 → accepted (reference A.1.7: IdP↔IdS SHA-1 or SHA-256)', async () => {
    await patchIdsRp(lab, { signatureAlgorithm: 'rsa-sha1' });
    const flow = new IdsFlow(lab);
    const captured = await flow.capture();
    const sigs = signatures(captured.xml);
    for (const sig of [...sigs.message, ...sigs.assertion]) {
      expect(one(sig, 'ds:SignedInfo/ds:SignatureMethod').getAttribute('Algorithm')).toBe(URI.rsaSha1);
      expect(one(sig, 'ds:SignedInfo/ds:Reference/ds:DigestMethod').getAttribute('Algorithm')).toBe(URI.sha1);
    }
    expect(sigs.message.length + sigs.assertion.length).toBe(2);
    const res = await flow.post(captured);
    expectAccepted(lab, res);
    await flow.complete(res);
    expect(tokenUsers(lab)).toEqual(['agent1', 'agent1']);
  });

  it('encryptClaims (to pki:ids/encryption) → ERR_IDS_SAML_ENCRYPTED (Cisco: the IdP must not encrypt)', async () => {
    await patchIdsRp(lab, { encryptClaims: true, encryptionCertificate: 'pki:ids/encryption' });
    const flow = new IdsFlow(lab);
    const captured = await flow.capture();
    const doc = parseXml(captured.xml);
    expect(elems(doc, '/samlp:Response/saml:EncryptedAssertion')).toHaveLength(1);
    expect(elems(doc, '//saml:Assertion')).toHaveLength(0);
    expectRefused(await flow.post(captured), 403, 'ERR_IDS_SAML_ENCRYPTED');
    expect(issued(lab)).toEqual(NOTHING);
  });

  it('claims without user_principal, or uid with two values → ERR_IDS_SAML_ATTRIBUTE_MISSING (reference A.1.7: uid and user_principal)', async () => {
    await patchIdsRp(lab, { claims: [{ type: 'uid', value: '{username}' }] });
    let flow = new IdsFlow(lab);
    let captured = await flow.capture();
    expect(captured.xml).toContain('<Attribute Name="uid">');
    expect(captured.xml).not.toContain('user_principal');
    expectRefused(await flow.post(captured), 403, 'ERR_IDS_SAML_ATTRIBUTE_MISSING');

    // "one value each": a multi-valued uid (the user's groups, agent1 has two) is refused too.
    await patchIdsRp(lab, { claims: [{ type: 'uid', value: '{groups}' }, { type: 'user_principal', value: '{upn}' }] });
    flow = new IdsFlow(lab);
    captured = await flow.capture();
    const uidValues = elems(parseXml(captured.xml), "//saml:Attribute[@Name='uid']/saml:AttributeValue");
    expect(uidValues.length).toBeGreaterThan(1);
    expectRefused(await flow.post(captured), 403, 'ERR_IDS_SAML_ATTRIBUTE_MISSING');
    expect(issued(lab)).toEqual(NOTHING);
  });

  describe('NameID format emailAddress (reference A.1.7: NameID format transient)', () => {
    it('as IdS asks (NameIDPolicy transient): AD FS answers InvalidNameIDPolicy and IdS shows ERR_IDS_SAML_STATUS', async () => {
      // AD FS honours the NameIDPolicy (idp/src/adfs/name-id.ts, MSIS1000): a rule issuing
      // emailAddress cannot satisfy "transient", so the answer is a status, not an assertion.
      await patchIdsRp(lab, { nameId: { format: 'emailAddress', value: '{email}' } });
      const flow = new IdsFlow(lab);
      const captured = await flow.capture();
      expect(statusOf(captured.xml)).toEqual({ top: STATUS.Requester, second: STATUS.InvalidNameIDPolicy });
      expectRefused(await flow.post(captured), 403, 'ERR_IDS_SAML_STATUS');
      expect(issued(lab)).toEqual(NOTHING);
    });

    it('from an IdP that ignores the NameIDPolicy (the request reaches AD FS without one) → ERR_IDS_SAML_NAMEID', async () => {
      await patchIdsRp(lab, { nameId: { format: 'emailAddress', value: '{email}' } });
      const flow = new IdsFlow(lab);
      const captured = await flow.capture({ alterRequest: (xml) => xml.replace(/<samlp:NameIDPolicy\b[^>]*\/>/, '') });
      expect(captured.request.xml).toContain('NameIDPolicy');
      const nameId = one(parseXml(captured.xml), '//saml:Subject/saml:NameID');
      expect({ format: nameId.getAttribute('Format'), value: nameId.textContent }).toEqual({ format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', value: 'agent1@lab.example' });
      expectRefused(await flow.post(captured), 403, 'ERR_IDS_SAML_NAMEID');
      expect(issued(lab)).toEqual(NOTHING);
    });
  });

  describe('the two ACS URLs (docs/cisco.md: /ids/saml/response and ?metaAlias=/sp)', () => {
    it('a response addressed to /ids/saml/response but posted to ?metaAlias=/sp → ERR_IDS_SAML_DESTINATION (saml-bindings §3.5.5.2)', async () => {
      const ids = idsOf(lab);
      const flow = new IdsFlow(lab);
      const captured = await flow.capture();
      expect(one(parseXml(captured.xml), '/samlp:Response').getAttribute('Destination')).toBe(ids.urls.acs);
      expectRefused(await flow.post(captured, { action: ids.urls.acsMetaAlias }), 403, 'ERR_IDS_SAML_DESTINATION');
      expect(issued(lab)).toEqual(NOTHING);
    });

    it('?metaAlias=/other is no IdS service provider → 404 ERR_HTTP_NOT_FOUND', async () => {
      const ids = idsOf(lab);
      const flow = new IdsFlow(lab);
      const captured = await flow.capture();
      expectRefused(await flow.post(captured, { action: `${ids.urls.acs}?metaAlias=/other` }), 404, 'ERR_HTTP_NOT_FOUND');
      expect(issued(lab)).toEqual(NOTHING);
      // Not consumed: the same response still works where it is addressed.
      expectAccepted(lab, await flow.post(captured));
    });

    it('an AuthnRequest naming the ?metaAlias=/sp ACS (UCCX 12.5(1)SU2+) is answered there and accepted end to end', async () => {
      const ids = idsOf(lab);
      const flow = new IdsFlow(lab);
      const captured = await flow.capture({
        alterRequest: (xml) => xml.replace(`AssertionConsumerServiceURL="${ids.urls.acs}"`, `AssertionConsumerServiceURL="${ids.urls.acsMetaAlias}"`),
      });
      expect(captured.action).toBe(ids.urls.acsMetaAlias);
      const doc = parseXml(captured.xml);
      expect(one(doc, '/samlp:Response').getAttribute('Destination')).toBe(ids.urls.acsMetaAlias);
      expect(one(doc, '//saml:SubjectConfirmationData').getAttribute('Recipient')).toBe(ids.urls.acsMetaAlias);
      const res = await flow.post(captured);
      expectAccepted(lab, res);
      await flow.complete(res);
      expect(tokenUsers(lab)).toEqual(['agent1', 'agent1']);
    });

    it('with ?metaAlias=/sp as the trust\'s default ACS and a request naming none, AD FS posts there and IdS accepts', async () => {
      const ids = idsOf(lab);
      await patchIdsRp(lab, {
        endpoints: [
          { kind: 'acs', binding: 'POST', url: ids.urls.acs, index: 0, isDefault: false },
          { kind: 'acs', binding: 'POST', url: ids.urls.acsMetaAlias, index: 1, isDefault: true },
        ],
      });
      const flow = new IdsFlow(lab);
      const captured = await flow.capture({ alterRequest: (xml) => xml.replace(/ AssertionConsumerServiceURL="[^"]*"/, '') });
      expect(captured.action).toBe(ids.urls.acsMetaAlias);
      expect(one(parseXml(captured.xml), '/samlp:Response').getAttribute('Destination')).toBe(ids.urls.acsMetaAlias);
      const res = await flow.post(captured);
      expectAccepted(lab, res);
      await flow.complete(res);
      expect(tokenUsers(lab)).toEqual(['agent1', 'agent1']);
    });
  });
});
