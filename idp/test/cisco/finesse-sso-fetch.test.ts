import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinesseSsoError } from '../../../harness/src/clients/finesse/sso-token-client.js';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import {
  FINESSE_CLIENT_ID,
  PASSWORD,
  RecordingUserAgent,
  continueSignIn,
  control,
  idsTokens,
  json,
  restClient,
  ssoClient,
  tokenUrl,
} from './finesse-sso-helpers.js';

/**
 * DESIGN F1 through HTTP with the reference clients: `GET /desktop/sso/token` → IdS authorize →
 * AD FS → IdS ACS → /ids/relay → `/desktop/sso/authcode` → Finesse's JSON (reference A.1.2,
 * A.1.3, A.1.5). What is asserted is the wire: the exact JSON keys Cisco documents, the first
 * redirect's parameters, and what the IdP session changes.
 */
describe('Finesse SSO fetch (F1)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('answers exactly token, refresh_token, expires_in, user_id, realm, user_principal (A.1.3), and the token opens the REST API', async () => {
    const ua = new RecordingUserAgent();
    const t = await ssoClient(lab, 'agent1', { userAgent: ua }).acquire();
    const last = ua.seen.at(-1)!;
    expect(new URL(last.url).pathname).toBe('/desktop/sso/authcode');
    const body = json(last.res);
    // Cisco's key is literally `token`: no OAuth `access_token`, no `token_type` (A.1.3).
    expect(Object.keys(body).sort()).toEqual(['expires_in', 'realm', 'refresh_token', 'token', 'user_id', 'user_principal']);
    expect(body['expires_in']).toBe(3600); // IdS's default Access Token Expiry, 60 min (A.1.6), in seconds
    expect(body['user_id']).toBe('agent1');
    expect(body['realm']).toBe('lab.example');
    expect(body['user_principal']).toBe('agent1@lab.example');
    expect(body['token']).toBe(t.token);
    expect(body['refresh_token']).toBe(t.refreshToken);
    expect(body['refresh_token']).not.toBe(body['token']);
    const user = await restClient(lab, `Bearer ${t.token}`).getUser('1001');
    expect(user.loginName).toBe('agent1');
  });

  it('reports the IdS Access Token Expiry in expires_in: 300 s after it is set to 5 minutes', async () => {
    const set = await control(lab, 'PATCH', '/ids/settings', { accessTokenMinutes: 5 });
    expect(set.status).toBe(200);
    try {
      const ua = new RecordingUserAgent();
      await ssoClient(lab, 'agent1', { userAgent: ua }).acquire();
      expect(json(ua.seen.at(-1)!.res)['expires_in']).toBe(300);
    } finally {
      expect((await control(lab, 'PATCH', '/ids/settings', { accessTokenMinutes: 60 })).status).toBe(200);
    }
  });

  it('leaves out refresh_token unless return_refresh_token=true is asked (A.1.2)', async () => {
    const ua = new UserAgent();
    const res = await continueSignIn(ua, await ua.get(tokenUrl(lab, { cc_username: 'agent1' })), 'agent1', PASSWORD['agent1']!);
    expect(res.status).toBe(200);
    expect(Object.keys(json(res)).sort()).toEqual(['expires_in', 'realm', 'token', 'user_id', 'user_principal']);
  });

  it('drops user_id, realm and user_principal with return_user=no (A.1.2)', async () => {
    const ua = new UserAgent();
    const first = await ua.get(tokenUrl(lab, { cc_username: 'agent1', return_refresh_token: 'true', return_user: 'no' }));
    const res = await continueSignIn(ua, first, 'agent1', PASSWORD['agent1']!);
    expect(res.status).toBe(200);
    expect(Object.keys(json(res)).sort()).toEqual(['expires_in', 'refresh_token', 'token']);
  });

  it('takes cc_username from the cc_username cookie when the query has none (A.1.2: "query param or cookie")', async () => {
    const ua = new UserAgent();
    // A fresh jar: the cookie header is the only place the user name is.
    const first = await ua.get(tokenUrl(lab, { return_refresh_token: 'true' }), { cookie: 'cc_username=agent1' });
    expect(first.status).toBe(302);
    const res = await continueSignIn(ua, first, 'agent1', PASSWORD['agent1']!);
    expect(res.status).toBe(200);
    const body = json(res);
    expect(body['user_id']).toBe('agent1');
    const user = await restClient(lab, `Bearer ${String(body['token'])}`).getUser('1001');
    expect(user.loginId).toBe('1001');
  });

  it('accepts the loginId (peripheral id) as cc_username: 1001 is agent1', async () => {
    // AD FS knows the account name, not the loginId: the form gets agent1.
    const client = ssoClient(lab, '1001', { signInName: 'agent1', password: PASSWORD['agent1']! });
    const t = await client.acquire();
    expect(t.userId).toBe('agent1');
    const user = await restClient(lab, `Bearer ${t.token}`).getUser('1001');
    expect(user.loginName).toBe('agent1');
  });

  it('first redirects to IdS authorize with client_id, redirect_uri={finesse}/desktop/sso/authcode, response_type=code and a state of "<url>\\tapplogin" (A.1.5 step 2)', async () => {
    const ua = new RecordingUserAgent();
    await ssoClient(lab, 'agent1', { userAgent: ua }).acquire();
    const first = ua.seen[0]!;
    expect(new URL(first.url).pathname).toBe('/desktop/sso/token');
    expect(first.res.status).toBe(302);
    const to = new URL(first.res.location!);
    expect(`${to.origin}${to.pathname}`).toBe(`${lab.urls.ids}/ids/v1/oauth/authorize`);
    expect([...to.searchParams.keys()].sort()).toEqual(['client_id', 'redirect_uri', 'response_type', 'state']);
    expect(to.searchParams.get('client_id')).toBe(FINESSE_CLIENT_ID);
    expect(to.searchParams.get('redirect_uri')).toBe(`${lab.urls.finesse}/desktop/sso/authcode`);
    expect(to.searchParams.get('response_type')).toBe('code');
    const state = Buffer.from(to.searchParams.get('state')!, 'base64').toString('utf8');
    expect(state.endsWith('\tapplogin')).toBe(true);
    expect(state.startsWith(`${lab.urls.finesse}/desktop/j_identity_check?error=true`)).toBe(true);
    // The code comes back to Finesse with that same state.
    const back = ua.seen.find((s) => new URL(s.url).pathname === '/desktop/sso/authcode')!;
    expect(new URL(back.url).searchParams.get('state')).toBe(to.searchParams.get('state'));
    expect(new URL(back.url).searchParams.get('code')).toBeTruthy();
  });

  it('signs in a second time in the same browser without the AD FS form: the AD FS session answers (A.1.5 step 4)', async () => {
    const ua = new RecordingUserAgent();
    const client = ssoClient(lab, 'agent1', { userAgent: ua });
    const first = await client.acquire();
    expect(ua.sawSignInForm(0)).toBe(true);
    const firstSteps = ua.seen.length;
    const second = await client.acquire();
    expect(ua.sawSignInForm(firstSteps)).toBe(false);
    // AD FS answers the AuthnRequest with the SAMLResponse at once: the form's POST is the one request less.
    expect(ua.seen.length - firstSteps).toBe(firstSteps - 1);
    expect(ua.seen.slice(firstSteps).filter((s) => s.method === 'POST' && new URL(s.url).pathname === '/adfs/ls/').length).toBe(1);
    expect(second.token).not.toBe(first.token);
    expect((await restClient(lab, `Bearer ${second.token}`).getUser('1001')).loginName).toBe('agent1');
  });

  it('fails with FinesseSsoError on a wrong password: AD FS shows its error on the form again, and IdS issues nothing', async () => {
    const before = (await idsTokens(lab, 'agent1')).length;
    const client = ssoClient(lab, 'agent1', { password: 'Wrong-Password-1' });
    const err = await client.acquire().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FinesseSsoError);
    const e = err as FinesseSsoError;
    expect(e.status).toBe(200);
    expect(e.code).toBe('ERR_SAML_LOGIN_FAILED');
    expect(e.body).toMatch(/id="errorText"/);
    expect(e.body).toMatch(/name="Password"/);
    expect(client.state).toBeUndefined();
    expect((await idsTokens(lab, 'agent1')).length).toBe(before);
  });
});
