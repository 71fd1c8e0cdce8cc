import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readForm, UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import {
  addRp,
  adfsOf,
  authnRequestXml,
  iso,
  isLoginPage,
  MINUTE,
  one,
  parseXml,
  readSamlPost,
  redirectUrl,
  sendAuthnRequest,
  signIn,
  submitLogin,
  testSp,
} from '../helpers/adfs-flow.js';

/**
 * The forms sign-in page and the SSO session cookie (issue 2, "An AD FS–style sign-in page … an
 * SSO session cookie (a second SP gets a response without a second login, with the original
 * AuthnInstant)"), with a short SsoLifetime so that expiry is a clock move, not a wait.
 */

const SSO_LIFETIME_MINUTES = 30;
const acs = (name: string) => `https://sp.test/${name}/acs`;

let lab: Lab;

beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'], config: { adfs: { ssoLifetimeMinutes: SSO_LIFETIME_MINUTES } } });
  for (const name of ['sso-a', 'sso-b']) {
    addRp(lab, {
      name,
      identifiers: [`urn:test:${name}`],
      endpoints: [{ kind: 'acs', binding: 'POST', url: acs(name) }],
      nameId: { format: 'emailAddress' },
    });
  }
});
afterAll(() => lab.stop());
afterEach(() => lab.state.clock.reset());

const sp = (name: 'sso-a' | 'sso-b') => testSp(lab, { issuer: `urn:test:${name}`, callbackUrl: acs(name) });
const authnInstant = (xml: string) => one(parseXml(xml), '//saml:AuthnStatement').getAttribute('AuthnInstant');
const adfsCookies = (ua: UserAgent) => ua.cookies(lab.urls.adfs!);

/** A hand-made AuthnRequest stamped with the lab clock (node-saml stamps real time). */
async function requestAt(ua: UserAgent, rp: 'sso-a' | 'sso-b') {
  const ls = adfsOf(lab).urls.ls;
  return ua.get(redirectUrl(ls, 'SAMLRequest', authnRequestXml({ issuer: `urn:test:${rp}`, destination: ls, issueInstant: lab.state.clock.now(), acsUrl: acs(rp) })));
}

describe('the SSO session', () => {
  it('gives a second SP a response without a second login, carrying the original AuthnInstant', async () => {
    const ua = new UserAgent();
    const t1 = Date.now() - 90_000;
    lab.state.clock.freeze(t1);
    const first = await signIn(ua, sp('sso-a'));
    expect(first.loginShown).toBe(true);
    expect(authnInstant(first.xml)).toBe(iso(t1));

    lab.state.clock.freeze(t1 + 60_000);
    const spB = sp('sso-b');
    const second = await signIn(ua, spB);
    expect(second.loginShown).toBe(false);
    expect(second.action).toBe(acs('sso-b'));
    const doc = parseXml(second.xml);
    expect(doc.documentElement.getAttribute('IssueInstant')).toBe(iso(t1 + 60_000));
    expect(authnInstant(second.xml)).toBe(iso(t1));
    const { profile } = await spB.validatePostResponseAsync({ SAMLResponse: second.value });
    expect(profile?.nameID).toBe('agent1@lab.example');
    expect(profile?.sessionIndex).toBe(one(doc, '/samlp:Response/saml:Assertion').getAttribute('ID'));
  });

  it('is an HttpOnly MSISAuth cookie on /adfs that lives SsoLifetime minutes', async () => {
    const ua = new UserAgent();
    lab.state.clock.freeze(Date.now());
    const page = await sendAuthnRequest(ua, sp('sso-a'), 'redirect');
    const posted = await submitLogin(ua, page, 'agent1', 'Agent1Pass!');
    const setCookie = ([] as string[]).concat(posted.headers['set-cookie'] ?? []);
    const msisAuth = setCookie.find((c) => c.startsWith('MSISAuth='));
    expect(msisAuth).toBeDefined();
    expect(msisAuth).toContain(`Max-Age=${SSO_LIFETIME_MINUTES * 60}`);
    expect(msisAuth).toContain('Path=/adfs');
    expect(msisAuth).toContain('HttpOnly');
    expect(adfsCookies(ua)['MSISAuth']).toBeTruthy();
  });

  it('expires after ssoLifetimeMinutes: one millisecond before, SSO; at the limit, the form again', async () => {
    const ua = new UserAgent();
    lab.state.clock.freeze(Date.now());
    const login = await requestAt(ua, 'sso-a');
    readSamlPost(await submitLogin(ua, login, 'agent1', 'Agent1Pass!'));

    lab.state.clock.advance(SSO_LIFETIME_MINUTES * MINUTE - 1);
    const before = await requestAt(ua, 'sso-b');
    expect(isLoginPage(before)).toBe(false);
    expect(readSamlPost(before).action).toBe(acs('sso-b'));

    lab.state.clock.advance(1);
    const after = await requestAt(ua, 'sso-b');
    expect(isLoginPage(after)).toBe(true);
  });
});

describe('the sign-in form', () => {
  it('is AD FS\'s form: UserName, Password and AuthMethod=FormsAuthentication posted to /adfs/ls/', async () => {
    const page = await sendAuthnRequest(new UserAgent(), sp('sso-a'), 'redirect');
    expect(isLoginPage(page)).toBe(true);
    const form = readForm(page.body, page.url);
    expect(form.action.startsWith(adfsOf(lab).urls.ls + '?client-request-id=')).toBe(true);
    expect(Object.keys(form.fields).sort()).toEqual(['AuthMethod', 'Kmsi', 'Password', 'UserName']);
    expect(form.fields['AuthMethod']).toBe('FormsAuthentication');
    expect(page.body).toContain('id="userNameInput" name="UserName"');
    expect(page.body).toContain('id="passwordInput" name="Password" type="password"');
  });

  it.each(['agent1', 'LAB\\agent1', 'agent1@lab.example'])('accepts the user name %s', async (userName) => {
    const spA = sp('sso-a');
    const ua = new UserAgent();
    const page = await sendAuthnRequest(ua, spA, 'redirect');
    const res = readSamlPost(await submitLogin(ua, page, userName, 'Agent1Pass!'));
    const { profile } = await spA.validatePostResponseAsync({ SAMLResponse: res.value });
    expect(profile?.nameID).toBe('agent1@lab.example');
  });

  it('re-renders itself after a wrong password, with X-Idp-Harness-Error ERR_SAML_LOGIN_FAILED and no session', async () => {
    const ua = new UserAgent();
    const spA = sp('sso-a');
    const page = await sendAuthnRequest(ua, spA, 'redirect');
    const wrong = await submitLogin(ua, page, 'agent1', 'not-the-password');
    expect(wrong.status).toBe(200);
    expect(wrong.headers['x-idp-harness-error']).toBe('ERR_SAML_LOGIN_FAILED');
    expect(isLoginPage(wrong)).toBe(true);
    expect(wrong.body).toContain('Incorrect user ID or password.');
    expect(wrong.body).toContain('name="UserName" type="text" value="agent1"');
    expect(wrong.body).not.toContain('not-the-password');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(adfsCookies(ua)['MSISAuth']).toBeUndefined();

    // No session: another SP still gets the form...
    expect(isLoginPage(await sendAuthnRequest(ua, sp('sso-b'), 'redirect'))).toBe(true);
    // ...and the re-rendered form still answers the original request.
    const res = readSamlPost(await submitLogin(ua, wrong, 'agent1', 'Agent1Pass!'));
    expect(res.action).toBe(acs('sso-a'));
    await expect(spA.validatePostResponseAsync({ SAMLResponse: res.value })).resolves.toMatchObject({ loggedOut: false });
  });

  it('refuses an unknown user the same way', async () => {
    const ua = new UserAgent();
    const page = await sendAuthnRequest(ua, sp('sso-a'), 'redirect');
    const res = await submitLogin(ua, page, 'nobody', 'Agent1Pass!');
    expect(res.headers['x-idp-harness-error']).toBe('ERR_SAML_LOGIN_FAILED');
    expect(isLoginPage(res)).toBe(true);
    expect(adfsCookies(ua)['MSISAuth']).toBeUndefined();
  });
});

describe('the sample SP', () => {
  it.each(['redirect', 'post'])('signs agent1 in over HTTP-%s and shows the claims', async (binding) => {
    const ua = new UserAgent();
    const start = await ua.get(`${lab.urls.console}/sample-sp/login?binding=${binding}`);
    let page;
    if (binding === 'redirect') {
      expect(start.status).toBe(302);
      page = await ua.get(start.location!);
    } else {
      const form = readForm(start.body, start.url);
      expect(form.action).toBe(adfsOf(lab).urls.ls);
      page = await ua.post(form.action, form.fields);
    }
    const working = readSamlPost(await submitLogin(ua, page, 'agent1', 'Agent1Pass!'));
    const acsPage = await ua.post(working.action, { SAMLResponse: working.value });
    expect(acsPage.status).toBe(200);
    expect(acsPage.body).toContain('<b id="nameId">agent1@lab.example</b>');
  });
});
