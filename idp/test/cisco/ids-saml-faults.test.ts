import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { isLoginPage, PASSWORD, readSamlPost, submitLogin } from '../helpers/adfs-flow.js';
import { expectAccepted, expectRefused, idsOf, IdsFlow, issued, queueIdsFault } from '../helpers/ids-flow.js';

/**
 * docs/cisco.md "What IdS checks in the response", driven by the AD FS fault queue: each fault
 * bends exactly one response AD FS issues to the IdS relying party, and IdS must refuse it with
 * the code of the rule it breaks, with nothing handed out (no relay page, no code, no token).
 */
describe('IdS refuses faulty AD FS responses', () => {
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

  const NOTHING = { relays: 0, codes: 0, tokens: 0 };

  // One row per rule; the fault is the only difference from a response IdS accepts (see the last test).
  const cases: Array<{ kind: string; code: string; why: string }> = [
    { kind: 'unsigned', code: 'ERR_SAML_SIGNATURE_REQUIRED', why: 'reference A.1.7: the IdP signs the Response' },
    { kind: 'unknown-signing-key', code: 'ERR_SAML_SIGNATURE_INVALID', why: 'only the trusted IdP certificate verifies (KeyInfo ignored)' },
    { kind: 'wrong-audience', code: 'ERR_IDS_SAML_AUDIENCE', why: 'saml-core §2.5.1.4: an Audience must be the IdS entity ID' },
    { kind: 'wrong-recipient', code: 'ERR_IDS_SAML_RECIPIENT', why: 'saml-profiles §4.1.4.2: bearer Recipient = an IdS ACS URL' },
    { kind: 'wrong-in-response-to', code: 'ERR_IDS_SAML_IN_RESPONSE_TO', why: 'InResponseTo must name a pending IdS request' },
    { kind: 'expired-assertion', code: 'ERR_IDS_SAML_EXPIRED', why: 'saml-core §2.5.1.2: NotOnOrAfter, ± skew' },
    { kind: 'not-yet-valid-assertion', code: 'ERR_IDS_SAML_NOT_YET_VALID', why: 'saml-core §2.5.1.2: NotBefore, ± skew' },
    // The SAML 1.0 assertion namespace is not a SAML 2.0 Response's content: the protocol schema
    // (the parser door shared with AD FS) refuses it before any IdS rule runs.
    { kind: 'wrong-assertion-namespace', code: 'ERR_SAML_SCHEMA_INVALID', why: 'saml-schema-protocol-2.0: ResponseType holds saml:Assertion' },
    { kind: 'tampered', code: 'ERR_SAML_SIGNATURE_INVALID', why: 'xmldsig-core §3.2.1: the digest no longer matches the altered content' },
  ];

  for (const c of cases) {
    it(`${c.kind} → 403/400 ${c.code} (${c.why}), and nothing is issued`, async () => {
      await queueIdsFault(lab, c.kind);
      const flow = new IdsFlow(lab);
      const captured = await flow.capture();
      // The fault was taken by this very response (and not left waiting for a later one).
      expect(lab.state.faults.list()).toEqual([]);
      const res = await flow.post(captured);
      expectRefused(res, c.code === 'ERR_SAML_SCHEMA_INVALID' ? 400 : 403, c.code);
      expect(issued(lab)).toEqual(NOTHING);
    });
  }

  it('replay (AD FS sends its previous response to IdS again) → ERR_IDS_SAML_REPLAYED, and nothing more is issued', async () => {
    const first = new IdsFlow(lab);
    const ok = await first.post(await first.capture());
    expectAccepted(lab, ok);
    await first.complete(ok);
    const after = issued(lab);
    await queueIdsFault(lab, 'replay');
    const second = new IdsFlow(lab);
    const replayed = await second.capture();
    expect(lab.state.faults.list()).toEqual([]);
    const res = await second.post(replayed);
    expectRefused(res, 403, 'ERR_IDS_SAML_REPLAYED');
    expect(issued(lab)).toEqual(after);
  });

  it('the same sign-in without a fault is accepted (the control for every row above)', async () => {
    const flow = new IdsFlow(lab);
    const res = await flow.post(await flow.capture());
    expectAccepted(lab, res);
    await flow.complete(res);
    expect(idsOf(lab).tokens.list().map((t) => t.userId)).toEqual(['agent1', 'agent1']);
  });

  it('an unsolicited (IdP-initiated) AD FS response to IdS → ERR_IDS_SAML_UNSOLICITED', async () => {
    // idp/src/adfs/idp-initiated.ts: loginToRp=<RP identifier> posts to the RP's default ACS with
    // no InResponseTo. IdS starts every sign-in itself (docs/cisco.md), so it takes none.
    const ids = idsOf(lab);
    const flow = new IdsFlow(lab);
    let page = await flow.ua.get(`${lab.urls.adfs}/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=${encodeURIComponent(ids.entityId)}`);
    expect(isLoginPage(page)).toBe(true);
    page = await submitLogin(flow.ua, page, 'agent1', PASSWORD['agent1']!);
    const post = readSamlPost(page);
    expect(post.action).toBe(ids.urls.acs);
    // Really unsolicited, and otherwise a sound response (signed, right Destination).
    expect(post.xml).not.toContain('InResponseTo=');
    expect(post.xml).toContain(`Destination="${ids.urls.acs}"`);
    const res = await flow.ua.post(post.action, { SAMLResponse: post.value });
    expectRefused(res, 403, 'ERR_IDS_SAML_UNSOLICITED');
    expect(issued(lab)).toEqual(NOTHING);
  });
});
