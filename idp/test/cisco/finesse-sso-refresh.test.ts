import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FinesseApiError } from '../../../harness/src/clients/finesse/rest-client.js';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { RecordingUserAgent, advanceClock, control, expectSsoError, idsTokens, json, restClient, ssoClient, tokenUrl } from './finesse-sso-helpers.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * DESIGN F2: refreshing the Finesse SSO token, by the TAC 215626 GET
 * (`cc_username` + `refresh-token`) and the Dev Guide's POST form (`token` + `refresh-token`)
 * (reference A.1.2). A refresh answers no `refresh_token` (A.1.3); it "can be refreshed only when
 * both the current access token and the refresh token are valid" and an expired refresh token
 * means signing in again (A.1.5); clients refresh after 75% of `expires_in` (Dev Guide p.193).
 * Time is moved on the lab clock through the control API; each test starts from a reset lab.
 */
describe('Finesse SSO refresh (F2)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });
  beforeEach(async () => {
    expect((await control(lab, 'POST', '/reset')).status).toBe(200);
  });

  const getUser = (token: string) => restClient(lab, `Bearer ${token}`).getUser('1001');
  const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as FinesseApiError);
  const getRefresh = (user: string, refreshToken: string) => new UserAgent().get(tokenUrl(lab, { cc_username: user, 'refresh-token': refreshToken }));
  const postRefresh = (token: string, refreshToken: string) => new UserAgent().post(tokenUrl(lab, {}), { token, 'refresh-token': refreshToken });

  it('GET refresh gives a new token without refresh_token; the old access token stays valid until its own expiry', async () => {
    const t = await ssoClient(lab, 'agent1').acquire();
    await advanceClock(lab, 30 * MINUTE);
    const res = await getRefresh('agent1', t.refreshToken!);
    expect(res.status).toBe(200);
    const body = json(res);
    expect(Object.keys(body).sort()).toEqual(['expires_in', 'realm', 'token', 'user_id', 'user_principal']);
    expect(body['expires_in']).toBe(3600);
    expect(body['user_id']).toBe('agent1');
    const fresh = String(body['token']);
    expect(fresh).not.toBe(t.token);
    expect((await getUser(t.token)).loginId).toBe('1001');
    expect((await getUser(fresh)).loginId).toBe('1001');
    // 61 minutes after the first token: it has expired, the refreshed one (31 minutes old) has not.
    await advanceClock(lab, 31 * MINUTE);
    const e = await refusal(getUser(t.token));
    expect(e).toBeInstanceOf(FinesseApiError);
    expect([e!.status, e!.code, e!.errorData]).toEqual([401, 'ERR_FINESSE_UNAUTHORIZED', 'ERR_IDS_TOKEN_EXPIRED']);
    expect((await getUser(fresh)).loginId).toBe('1001');
  });

  it('POST refresh (form token + refresh-token) gives a new token without refresh_token; the old one still works', async () => {
    const t = await ssoClient(lab, 'agent1').acquire();
    const res = await postRefresh(t.token, t.refreshToken!);
    expect(res.status).toBe(200);
    const body = json(res);
    expect(Object.keys(body).sort()).toEqual(['expires_in', 'realm', 'token', 'user_id', 'user_principal']);
    expect(body['token']).not.toBe(t.token);
    expect((await getUser(String(body['token']))).loginName).toBe('agent1');
    expect((await getUser(t.token)).loginName).toBe('agent1');
    // The refresh token does not rotate (docs/cisco.md Decisions): it refreshes again.
    expect((await postRefresh(String(body['token']), t.refreshToken!)).status).toBe(200);
  });

  it('refuses a refresh once the access token has expired (61 min): 401 with ErrorData ERR_IDS_TOKEN_EXPIRED, GET and POST', async () => {
    const t = await ssoClient(lab, 'agent1').acquire();
    await advanceClock(lab, 61 * MINUTE);
    expect(expectSsoError(await getRefresh('agent1', t.refreshToken!), 401, 'ERR_FINESSE_UNAUTHORIZED')).toBe('ERR_IDS_TOKEN_EXPIRED');
    expect(expectSsoError(await postRefresh(t.token, t.refreshToken!), 401, 'ERR_FINESSE_UNAUTHORIZED')).toBe('ERR_IDS_TOKEN_EXPIRED');
  });

  it('refuses an expired refresh token (10 h) with ERR_IDS_REFRESH_TOKEN_EXPIRED, and FinesseSsoClient.token() signs in again by itself', async () => {
    const ua = new RecordingUserAgent();
    const client = ssoClient(lab, 'agent1', { userAgent: ua });
    const t = await client.acquire();
    await advanceClock(lab, 10 * HOUR);
    expect(expectSsoError(await getRefresh('agent1', t.refreshToken!), 401, 'ERR_FINESSE_UNAUTHORIZED')).toBe('ERR_IDS_REFRESH_TOKEN_EXPIRED');
    expect(expectSsoError(await postRefresh(t.token, t.refreshToken!), 401, 'ERR_FINESSE_UNAUTHORIZED')).toBe('ERR_IDS_REFRESH_TOKEN_EXPIRED');

    const from = ua.seen.length;
    const token = await client.token();
    const calls = ua.seen.slice(from).map((s) => new URL(s.url));
    // First the refresh it was due (refused), then a whole new fetch.
    expect(calls[0]!.pathname).toBe('/desktop/sso/token');
    expect(calls[0]!.searchParams.get('refresh-token')).toBe(t.refreshToken);
    expect(ua.seen[from]!.res.status).toBe(401);
    expect(calls[1]!.pathname).toBe('/desktop/sso/token');
    expect(calls[1]!.searchParams.get('return_refresh_token')).toBe('true');
    expect(calls.at(-1)!.pathname).toBe('/desktop/sso/authcode');
    expect(token).not.toBe(t.token);
    expect(client.state!.refreshToken).not.toBe(t.refreshToken);
    expect((await getUser(token)).loginName).toBe('agent1');
  });

  it('GET refresh with another user\'s cc_username: 401 ERR_FINESSE_SSO_USER_MISMATCH, nothing issued, and the owner\'s refresh still works', async () => {
    const t = await ssoClient(lab, 'agent1').acquire();
    const before = await idsTokens(lab, 'agent1');
    expectSsoError(await getRefresh('agent2', t.refreshToken!), 401, 'ERR_FINESSE_SSO_USER_MISMATCH');
    expect(await idsTokens(lab, 'agent1')).toEqual(before);
    expect(await idsTokens(lab, 'agent2')).toEqual([]);
    const res = await getRefresh('agent1', t.refreshToken!);
    expect(res.status).toBe(200);
    expect((await getUser(String(json(res)['token']))).loginName).toBe('agent1');
  });

  it('POST refresh with an access token of another grant: 401 ERR_IDS_TOKEN_INVALID, nothing issued', async () => {
    const a = await ssoClient(lab, 'agent1').acquire();
    const b = await ssoClient(lab, 'agent1').acquire();
    const before = await idsTokens(lab, 'agent1');
    expect(expectSsoError(await postRefresh(a.token, b.refreshToken!), 401, 'ERR_FINESSE_UNAUTHORIZED')).toBe('ERR_IDS_TOKEN_INVALID');
    expect(await idsTokens(lab, 'agent1')).toEqual(before);
    // Each pair, matched, refreshes.
    expect((await postRefresh(a.token, a.refreshToken!)).status).toBe(200);
    expect((await postRefresh(b.token, b.refreshToken!)).status).toBe(200);
  });

  it('POST refresh that is not a form (JSON): 400 ERR_HTTP_BAD_REQUEST (Dev Guide: application/x-www-form-urlencoded)', async () => {
    const t = await ssoClient(lab, 'agent1').acquire();
    const res = await fetch(tokenUrl(lab, {}), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: t.token, 'refresh-token': t.refreshToken }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-idp-harness-error')).toBe('ERR_HTTP_BAD_REQUEST');
    const body = (await res.json()) as { ApiErrors: { ApiError: Record<string, string> } };
    expect(body.ApiErrors.ApiError['ErrorData']).toBe('ERR_HTTP_BAD_REQUEST');
  });

  it('refreshDue() is false at 74% and at 75% − 1 ms of expires_in, true at 75%; token() refreshes exactly then, with one request', async () => {
    expect((await control(lab, 'POST', '/clock', { freeze: true })).status).toBe(200);
    const ua = new RecordingUserAgent();
    const client = ssoClient(lab, 'agent1', { userAgent: ua });
    const t = await client.acquire();
    const life = t.expiresIn * 1000;
    expect(life).toBe(HOUR);

    const at74 = (life * 74) / 100;
    const at75 = (life * 75) / 100;
    await advanceClock(lab, at74);
    expect(client.refreshDue()).toBe(false);
    let from = ua.seen.length;
    expect(await client.token()).toBe(t.token);
    expect(ua.seen.length).toBe(from); // no request at all

    await advanceClock(lab, at75 - 1 - at74);
    expect(client.refreshDue()).toBe(false);
    expect(await client.token()).toBe(t.token);
    expect(ua.seen.length).toBe(from);

    await advanceClock(lab, 1);
    expect(client.refreshDue()).toBe(true);
    from = ua.seen.length;
    const refreshed = await client.token();
    expect(refreshed).not.toBe(t.token);
    expect(ua.seen.length - from).toBe(1);
    const call = new URL(ua.seen[from]!.url);
    expect(call.pathname).toBe('/desktop/sso/token');
    expect(call.searchParams.get('refresh-token')).toBe(t.refreshToken);
    // The new token restarts the count: not due again right after.
    expect(client.refreshDue()).toBe(false);
    expect(client.state!.refreshToken).toBe(t.refreshToken);
    expect((await getUser(refreshed)).loginName).toBe('agent1');
  });
});
