import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { throwawayCert } from '../helpers/throwaway-cert.js';
import {
  adminApi,
  AGENT1,
  browser,
  cxoneOf,
  expectHome,
  expectRefused,
  idpInitiatedAtAdfs,
  LAB_ADFS_ID,
  LAB_ADFS_RP,
  postToAcs,
  samlAuthenticatorInput,
  setFicam,
  signInAtAdfs,
} from './saml-flow.js';

/**
 * What CXone checks in a SAML authenticator's response (docs/cxone.md "SAML authenticators"),
 * driven by the lab AD FS: each AD FS fault bends exactly one response to the CXone trust, and
 * CXone must refuse it with the code of the rule it breaks and create no session. The last test
 * of each group is the same flow without the fault, accepted: the refusal was the fault's.
 */
describe('CXone refuses faulty AD FS responses', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'cxone'] });
  });
  afterAll(async () => {
    await lab?.stop();
  });
  beforeEach(() => {
    lab.state.reset();
  });

  const queue = (kind: string) => lab.state.faults.enqueue({ surface: 'adfs', kind, relyingParty: LAB_ADFS_RP });

  async function refusedWithFault(kind: string, status: number, code: string): Promise<void> {
    queue(kind);
    const ua = browser(lab);
    const post = await signInAtAdfs(ua, lab);
    // The fault was taken by this very response.
    expect(lab.state.faults.list()).toEqual([]);
    expectRefused(await postToAcs(ua, post), status, code);
    expect(cxoneOf(lab).sessions.list()).toEqual([]);
  }

  const cases: Array<{ kind: string; code: string; status?: number; why: string }> = [
    { kind: 'unsigned', code: 'ERR_SAML_SIGNATURE_REQUIRED', why: 'neither the Response nor the assertion is signed' },
    { kind: 'unknown-signing-key', code: 'ERR_CXONE_SAML_SIGNATURE', why: 'only the uploaded certificate verifies (KeyInfo ignored)' },
    { kind: 'tampered', code: 'ERR_CXONE_SAML_SIGNATURE', why: 'xmldsig-core §3.2.1: the digest no longer matches' },
    { kind: 'wrong-audience', code: 'ERR_CXONE_SAML_AUDIENCE', why: "saml-core §2.5.1.4: the Audience must be the authenticator's entity ID" },
    { kind: 'wrong-recipient', code: 'ERR_CXONE_SAML_RECIPIENT', why: 'saml-profiles §4.1.4.2: bearer Recipient = the ACS URL' },
    { kind: 'wrong-in-response-to', code: 'ERR_CXONE_SAML_IN_RESPONSE_TO', why: 'InResponseTo must name a pending CXone request' },
    { kind: 'expired-assertion', code: 'ERR_CXONE_SAML_EXPIRED', why: 'saml-core §2.5.1.2: NotOnOrAfter, ± skew' },
    { kind: 'not-yet-valid-assertion', code: 'ERR_CXONE_SAML_NOT_YET_VALID', why: 'saml-core §2.5.1.2: NotBefore, ± skew' },
    // FICAM off: these are only SAML 2.0 schema violations, refused by the shared parser door.
    { kind: 'wrong-assertion-namespace', code: 'ERR_SAML_SCHEMA_INVALID', status: 400, why: 'FICAM off: the protocol schema refuses it' },
    { kind: 'two-authn-context-class-refs', code: 'ERR_SAML_SCHEMA_INVALID', status: 400, why: 'FICAM off: AuthnContext holds one ClassRef' },
  ];
  for (const c of cases) {
    it(`${c.kind} → ${c.status ?? 403} ${c.code} (${c.why})`, async () => {
      await refusedWithFault(c.kind, c.status ?? 403, c.code);
    });
  }

  describe('FICAM on (seed 002 SAML step 3.5)', () => {
    beforeEach(async () => {
      await setFicam(lab, true);
    });

    it('two AuthnContextClassRef values → ERR_CXONE_FICAM_AUTHN_CONTEXT (not the schema error)', async () => {
      await refusedWithFault('two-authn-context-class-refs', 403, 'ERR_CXONE_FICAM_AUTHN_CONTEXT');
    });

    it('an assertion outside urn:oasis:names:tc:SAML:2.0:assertion → ERR_CXONE_FICAM_ASSERTION_NAMESPACE', async () => {
      await refusedWithFault('wrong-assertion-namespace', 403, 'ERR_CXONE_FICAM_ASSERTION_NAMESPACE');
    });

    it('a compliant AD FS response (one class ref, SAML 2.0 namespace) is accepted with FICAM on', async () => {
      const ua = browser(lab);
      await expectHome(ua, lab, await postToAcs(ua, await signInAtAdfs(ua, lab)));
    });
  });

  it('replay: AD FS sends its previous response again → ERR_CXONE_SAML_REPLAYED; so does a second POST of the same response', async () => {
    const ua = browser(lab);
    const first = await signInAtAdfs(ua, lab);
    await expectHome(ua, lab, await postToAcs(ua, first));
    // The browser (or an attacker holding the captured form) posts it again.
    const again = browser(lab);
    expectRefused(await postToAcs(again, first), 403, 'ERR_CXONE_SAML_REPLAYED');
    queue('replay');
    const other = browser(lab);
    const replayed = await signInAtAdfs(other, lab);
    expect(lab.state.faults.list()).toEqual([]);
    expect(replayed.value).toBe(first.value);
    expectRefused(await postToAcs(other, replayed), 403, 'ERR_CXONE_SAML_REPLAYED');
    expect(cxoneOf(lab).sessions.list()).toHaveLength(1);
  });

  describe('time window on the lab clock (AD FS: bearer NotOnOrAfter = issue + 5 min; skew 60 s)', () => {
    it('posted 5 min 30 s later: inside the skew, accepted', async () => {
      const ua = browser(lab);
      const post = await signInAtAdfs(ua, lab);
      lab.state.clock.advance(5 * 60_000 + 30_000);
      await expectHome(ua, lab, await postToAcs(ua, post));
    });

    it('posted 6 min 1 s later: ERR_CXONE_SAML_EXPIRED', async () => {
      const ua = browser(lab);
      const post = await signInAtAdfs(ua, lab);
      lab.state.clock.advance(6 * 60_000 + 1000);
      expectRefused(await postToAcs(ua, post), 403, 'ERR_CXONE_SAML_EXPIRED');
    });
  });

  describe('the asserted identity (seed 002 SAML step 5: it must match the External Identity exactly)', () => {
    it('no user has the NameID as external identity → ERR_CXONE_EXTERNAL_IDENTITY_UNKNOWN', async () => {
      const agent1 = (await adminApi(lab, 'GET', `/users/${encodeURIComponent(AGENT1.username)}`)).body;
      const r = await adminApi(lab, 'PATCH', `/users/${agent1.id}`, { externalIdentity: 'agent1@other.example' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const ua = browser(lab);
      expectRefused(await postToAcs(ua, await signInAtAdfs(ua, lab)), 403, 'ERR_CXONE_EXTERNAL_IDENTITY_UNKNOWN');
    });

    it('the same identity in another case is not a match → ERR_CXONE_EXTERNAL_IDENTITY_UNKNOWN', async () => {
      const agent1 = (await adminApi(lab, 'GET', `/users/${encodeURIComponent(AGENT1.username)}`)).body;
      expect((await adminApi(lab, 'PATCH', `/users/${agent1.id}`, { externalIdentity: 'Agent1@lab.example' })).status).toBe(200);
      const ua = browser(lab);
      expectRefused(await postToAcs(ua, await signInAtAdfs(ua, lab)), 403, 'ERR_CXONE_EXTERNAL_IDENTITY_UNKNOWN');
    });

    it('SP-initiated as agent1 at CXone, but agent2 signs in at AD FS → ERR_CXONE_SAML_USER_MISMATCH; IdP-initiated, agent2 is welcome', async () => {
      const created = await adminApi(lab, 'POST', '/users', {
        username: 'bob.saml@lab.example',
        email: 'bob.saml@lab.example',
        firstName: 'Bob',
        lastName: 'Saml',
        active: true,
        loginAuthenticatorId: LAB_ADFS_ID,
        externalIdentity: 'agent2@lab.example',
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const ua = browser(lab);
      const post = await signInAtAdfs(ua, lab, AGENT1.username, 'agent2');
      expectRefused(await postToAcs(ua, post), 403, 'ERR_CXONE_SAML_USER_MISMATCH');
      expect(cxoneOf(lab).sessions.list()).toEqual([]);
      // The same AD FS user, unsolicited: it is bob.saml's identity, and nobody else started anything.
      const idp = browser(lab);
      await expectHome(idp, lab, await postToAcs(idp, await idpInitiatedAtAdfs(idp, lab, 'agent2')), 'bob.saml@lab.example');
    });
  });

  describe('the authenticator behind the ACS', () => {
    it('a certificate other than the IdP signing certificate uploaded → ERR_CXONE_SAML_SIGNATURE for a genuine AD FS response', async () => {
      const other = throwawayCert('ADFS Signing - not this one');
      const r = await adminApi(lab, 'PATCH', `/login-authenticators/${LAB_ADFS_ID}`, { saml: { ...samlAuthenticatorInput(lab).saml, certificate: other.certPem } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const ua = browser(lab);
      expectRefused(await postToAcs(ua, await signInAtAdfs(ua, lab)), 403, 'ERR_CXONE_SAML_SIGNATURE');
    });

    it('a deactivated authenticator, an unknown tenantId, a non-SAML one → ERR_CXONE_SAML_UNKNOWN_AUTHENTICATOR', async () => {
      const ua = browser(lab);
      const post = await signInAtAdfs(ua, lab);
      expect((await adminApi(lab, 'POST', `/login-authenticators/${LAB_ADFS_ID}/deactivate`)).status).toBe(200);
      expectRefused(await postToAcs(ua, post), 403, 'ERR_CXONE_SAML_UNKNOWN_AUTHENTICATOR');
      const systemDefault = '0f6b1d3e-2c4a-4e8b-9a1d-5c7e9f0a1b21';
      for (const tenantId of ['no-such-authenticator', systemDefault, '']) {
        const res = await ua.post(`${lab.urls.cxone}/auth/authorize?tenantId=${tenantId}`, { SAMLResponse: post.value });
        expectRefused(res, 404, 'ERR_CXONE_SAML_UNKNOWN_AUTHENTICATOR');
      }
    });
  });
});
