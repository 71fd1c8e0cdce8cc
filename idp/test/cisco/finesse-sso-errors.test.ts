import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { PASSWORD, RecordingUserAgent, continueSignIn, expectSsoError, idsTokens, ssoClient, tokenUrl } from './finesse-sso-helpers.js';

/**
 * The refusals of Finesse's SSO token API (docs/cisco.md "SSO token API": 400 for a missing
 * cc_username, a non-SSO user or a stale state; 401 for an unknown user, an IdS refusal or the
 * wrong user; 503 without IdS). Each answer is the JSON ApiErrors with our code, never a token,
 * and never a redirect onwards to IdS.
 */
describe('Finesse SSO token API refusals', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  const authcode = (params: Record<string, string>) => {
    const u = new URL('/desktop/sso/authcode', lab.urls.finesse!);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return u.toString();
  };

  it('400 ERR_FINESSE_SSO_USERNAME_MISSING without cc_username in the query or a cookie', async () => {
    const res = await new UserAgent().get(tokenUrl(lab, { return_refresh_token: 'true' }));
    expect(res.location).toBeUndefined();
    expect(expectSsoError(res, 400, 'ERR_FINESSE_SSO_USERNAME_MISSING')).toBe('ERR_FINESSE_SSO_USERNAME_MISSING');
  });

  it('401 ERR_FINESSE_SSO_UNKNOWN_USER for a name that is no Finesse user', async () => {
    const res = await new UserAgent().get(tokenUrl(lab, { cc_username: 'nobody-here' }));
    expect(res.location).toBeUndefined();
    expectSsoError(res, 401, 'ERR_FINESSE_SSO_UNKNOWN_USER');
  });

  it('400 ERR_FINESSE_SSO_NOT_SSO_USER for nonsso1, a non-SSO agent of the HYBRID system (A.2.1)', async () => {
    const res = await new UserAgent().get(tokenUrl(lab, { cc_username: 'nonsso1' }));
    expect(res.location).toBeUndefined();
    expectSsoError(res, 400, 'ERR_FINESSE_SSO_NOT_SSO_USER');
  });

  it('400 ERR_FINESSE_SSO_DISABLED when systemAuthMode is NON_SSO, and 503 when the lab runs no IdS', async () => {
    const nonSso = await startTestLab({ services: ['ids', 'finesse'], tls: false, config: { finesse: { systemAuthMode: 'NON_SSO' } } });
    try {
      const res = await new UserAgent().get(`${nonSso.urls.finesse}/desktop/sso/token?cc_username=agent1`);
      expect(res.location).toBeUndefined();
      expectSsoError(res, 400, 'ERR_FINESSE_SSO_DISABLED');
    } finally {
      await nonSso.stop();
    }
    const noIds = await startTestLab({ services: ['adfs', 'finesse'], tls: false });
    try {
      const res = await new UserAgent().get(`${noIds.urls.finesse}/desktop/sso/token?cc_username=agent1`);
      expect(res.location).toBeUndefined();
      expectSsoError(res, 503, 'ERR_FINESSE_SSO_DISABLED');
    } finally {
      await noIds.stop();
    }
  });

  it('400 ERR_FINESSE_SSO_STATE_INVALID at /desktop/sso/authcode for a state Finesse never sent', async () => {
    const state = Buffer.from(`${lab.urls.finesse}/desktop/j_identity_check?error=true&request=${randomBytes(16).toString('hex')}\tapplogin`).toString('base64');
    const res = await new UserAgent().get(authcode({ code: 'c0ffee', state }));
    expectSsoError(res, 400, 'ERR_FINESSE_SSO_STATE_INVALID');
  });

  it('400 ERR_FINESSE_SSO_STATE_INVALID when IdS\'s redirect back is replayed after it was used', async () => {
    const ua = new RecordingUserAgent();
    await ssoClient(lab, 'agent1', { userAgent: ua }).acquire();
    const back = ua.seen.find((s) => new URL(s.url).pathname === '/desktop/sso/authcode')!;
    expect(back.res.status).toBe(200);
    expectSsoError(await ua.get(back.url), 400, 'ERR_FINESSE_SSO_STATE_INVALID');
  });

  it('400 ERR_FINESSE_SSO_STATE_INVALID when the redirect back arrives in another browser (another cookie jar), and no token is issued', async () => {
    const victim = new UserAgent();
    const first = await victim.get(tokenUrl(lab, { cc_username: 'agent1', return_refresh_token: 'true' }));
    const redirect = await continueSignIn(victim, first, 'agent1', PASSWORD['agent1']!, { stopBefore: /\/desktop\/sso\/authcode\?/ });
    expect(redirect.status).toBe(302);
    expect(new URL(redirect.location!).searchParams.get('code')).toBeTruthy();
    const before = await idsTokens(lab, 'agent1');
    const res = await new UserAgent().get(redirect.location!);
    expectSsoError(res, 400, 'ERR_FINESSE_SSO_STATE_INVALID');
    // The code was not redeemed: IdS holds no new token for agent1.
    expect(await idsTokens(lab, 'agent1')).toEqual(before);
    // ...and the stranger did not use the state up: the browser that started the fetch still completes it.
    const own = await victim.get(redirect.location!);
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body)).toMatchObject({ user_id: 'agent1' });
  });

  it('401 ERR_FINESSE_UNAUTHORIZED when IdS comes back with error=access_denied (RFC 6749 §4.1.2.1)', async () => {
    const ua = new UserAgent();
    const first = await ua.get(tokenUrl(lab, { cc_username: 'agent1' }));
    expect(first.status).toBe(302);
    const state = new URL(first.location!).searchParams.get('state')!;
    const res = await ua.get(authcode({ error: 'access_denied', state }));
    expectSsoError(res, 401, 'ERR_FINESSE_UNAUTHORIZED');
  });

  it('401 ERR_FINESSE_SSO_USER_MISMATCH when cc_username is agent2 but the AD FS session signs in agent1, and the tokens IdS issued are revoked', async () => {
    const ua = new RecordingUserAgent();
    await ssoClient(lab, 'agent1', { userAgent: ua }).acquire(); // leaves agent1's AD FS session in the jar
    const before = await idsTokens(lab, 'agent1');
    const validBefore = before.filter((t) => t.status === 'valid').length;
    const from = ua.seen.length;
    const first = await ua.get(tokenUrl(lab, { cc_username: 'agent2', return_refresh_token: 'true' }));
    const res = await continueSignIn(ua, first, 'agent2', PASSWORD['agent2']!);
    expect(ua.sawSignInForm(from)).toBe(false); // AD FS answered from agent1's session
    expect(new URL(res.url).pathname).toBe('/desktop/sso/authcode');
    expectSsoError(res, 401, 'ERR_FINESSE_SSO_USER_MISMATCH');
    // IdS did redeem the code for agent1, and Finesse revoked what it got: nothing usable is left.
    const after = await idsTokens(lab, 'agent1');
    expect(after.length).toBe(before.length + 2);
    expect(after.filter((t) => t.status === 'valid').length).toBe(validBefore);
    expect(await idsTokens(lab, 'agent2')).toEqual([]);
  });
});
