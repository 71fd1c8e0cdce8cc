import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import {
  authnRequestXml,
  deflateB64,
  expectErrorPage,
  expectLoginPage,
  getLs,
  logoutRequestXml,
  NS_ASSERTION,
  NS_PROTOCOL,
  newId,
  readPosted,
  readRedirected,
  redirectQuery,
  STATUS,
  submitLogin,
} from './lab-saml.js';

/**
 * Single logout must not fail open (reference §4.1 #13): an RP trust WITHOUT request-signing
 * certificates cannot prove a LogoutRequest is its own, so an unsigned one may only end the
 * session of the browser that sends it; and only the SP a LogoutRequest went to may answer it.
 */
const NOCERT = 'urn:idp-harness:test:nocert';
const ACS = 'http://127.0.0.1:9/nocert/acs';
const SLO = 'http://127.0.0.1:9/nocert/slo';

let lab: Lab;
beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'] });
});
afterAll(() => lab.stop());
beforeEach(() => {
  lab.state.reset();
  lab.state.relyingParties.add({
    name: 'no-cert SP',
    identifiers: [NOCERT],
    endpoints: [
      { kind: 'acs', binding: 'POST', url: ACS, isDefault: true },
      { kind: 'slo', binding: 'Redirect', url: SLO },
    ],
    nameId: { format: 'emailAddress', value: '{email}' },
  });
});

async function signInToNoCert(ua: UserAgent): Promise<void> {
  const page = await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { issuer: NOCERT, acsUrl: ACS })));
  expect(readPosted(await submitLogin(ua, page)).status.top).toBe(STATUS.Success);
}

async function stillSignedIn(ua: UserAgent): Promise<boolean> {
  const res = await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { issuer: NOCERT, acsUrl: ACS })));
  return res.body.includes('<title>Working...</title>');
}

describe('LogoutRequest from an RP trust without request-signing certificates', () => {
  it('refuses an unsigned LogoutRequest that comes without the session cookie, and the session lives on', async () => {
    const victim = new UserAgent();
    await signInToNoCert(victim);
    const attacker = new UserAgent();
    const res = await getLs(attacker, lab, redirectQuery(logoutRequestXml(lab, { issuer: NOCERT, nameId: 'agent1@lab.example' })));
    expect(res.headers['x-idp-harness-error']).toBe('ERR_SAML_SIGNATURE_REQUIRED');
    const answer = readRedirected(res);
    expect(answer.root.localName).toBe('LogoutResponse');
    expect(answer.status).toEqual({ top: STATUS.Requester, second: STATUS.RequestDenied });
    expect(await stillSignedIn(victim)).toBe(true);
  });

  it('accepts the same unsigned LogoutRequest from the browser that holds the session', async () => {
    const ua = new UserAgent();
    await signInToNoCert(ua);
    const answer = readRedirected(await getLs(ua, lab, redirectQuery(logoutRequestXml(lab, { issuer: NOCERT, nameId: 'agent1@lab.example' }))));
    expect(answer.target).toBe(SLO);
    expect(answer.status.top).toBe(STATUS.Success);
    expectLoginPage(await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { issuer: NOCERT, acsUrl: ACS }))));
  });
});

describe('LogoutResponse', () => {
  it('is taken only from the SP the LogoutRequest was sent to', async () => {
    const ua = new UserAgent();
    await signInToNoCert(ua);
    // sign out of everything: AD FS sends a LogoutRequest to the no-cert SP
    const request = readRedirected(await ua.get(`${lab.state.adfs!.urls.ls}?wa=wsignout1.0`));
    expect(request.target).toBe(SLO);
    const requestId = request.root.getAttribute('ID')!;
    const forged =
      `<samlp:LogoutResponse xmlns:samlp="${NS_PROTOCOL}" ID="${newId()}" Version="2.0" IssueInstant="${new Date().toISOString()}" InResponseTo="${requestId}">` +
      `<saml:Issuer xmlns:saml="${NS_ASSERTION}">urn:idp-harness:sample-sp</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="${STATUS.Success}"/></samlp:Status></samlp:LogoutResponse>`;
    expectErrorPage(await getLs(ua, lab, `SAMLResponse=${encodeURIComponent(deflateB64(forged))}`), 'ERR_SAML_LOGOUT_INVALID');
    // the real SP can still answer it
    const genuine = forged.replace('urn:idp-harness:sample-sp', NOCERT);
    const done = await getLs(ua, lab, `SAMLResponse=${encodeURIComponent(deflateB64(genuine))}`);
    expect(done.status).toBe(200);
    expect(done.body).toContain('You have successfully signed out.');
  });
});
