import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import {
  api,
  basic,
  errorData,
  FINESSE_CLIENT_ID,
  finesseUser,
  getCode,
  idsUrl,
  redeem,
  refreshGrant,
  SAMPLE,
  sampleTokens,
  tokenRequest,
  type JsonAnswer,
} from '../helpers/ids-code.js';

/**
 * Cisco IdS token endpoint `POST /ids/v1/oauth/token` and `POST /ids/v1/oauth/revoke`
 * (docs/cisco.md Decisions: the path and the RFC 6749 JSON are the lab's choice, reference A.1.5
 * NOT FOUND). The rules are the UCCX Design Guide's (reference A.1.5): code single use and
 * short-lived, "Access Tokens can be refreshed only when both the current access token and the
 * refresh token are valid and not expired", an expired refresh token means a new sign-in.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;

/** RFC 6749 §5.2: the status, the `error`, our code, and no token in the body. */
function expectOAuthError(r: JsonAnswer, status: number, error: string, code: string): void {
  expect(r.status, r.text).toBe(status);
  expect(r.json?.['error'], r.text).toBe(error);
  expect(r.headers.get('x-idp-harness-error'), r.text).toBe(code);
  expect(r.headers.get('cache-control')).toBe('no-store');
  expect(r.json).not.toHaveProperty('access_token');
  expect(r.json).not.toHaveProperty('refresh_token');
}

describe('Cisco IdS token endpoint', () => {
  let lab: Lab;
  const ids = () => lab.state.ids!;
  const clock = () => lab.state.clock;

  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });
  beforeEach(async () => {
    expect((await api(lab, 'POST', '/reset')).status).toBe(200);
  });

  it('redeems a code for {access_token, token_type Bearer, expires_in 3600, refresh_token, refresh_token_expires_in 36000}, no-store', async () => {
    const { code } = await getCode(lab);
    const r = await redeem(lab, code);
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    // RFC 6749 §5.1: "Cache-Control: no-store" on every answer carrying tokens.
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(r.json!).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'refresh_token_expires_in', 'token_type']);
    expect(r.json!['token_type']).toBe('Bearer');
    // reference A.1.6 defaults: access 60 min, refresh 10 h.
    expect(r.json!['expires_in']).toBe(3600);
    expect(r.json!['refresh_token_expires_in']).toBe(36000);
    const access = r.json!['access_token'] as string;
    const refresh = r.json!['refresh_token'] as string;
    expect(access.length).toBeGreaterThan(40);
    expect(refresh).not.toBe(access);
    // The access token speaks for the user who signed in at AD FS (F3).
    const rest = await finesseUser(lab, access);
    expect(rest.status, rest.body).toBe(200);
    expect(rest.body).toContain('<loginId>1001</loginId>');
  });

  it('identifies the client by the form client_id or the Basic user name (RFC 6749 §2.3.1)', async () => {
    const viaBasic = await getCode(lab);
    const r = await tokenRequest(
      lab,
      { grant_type: 'authorization_code', code: viaBasic.code, redirect_uri: SAMPLE.redirectUri },
      { authorization: basic(SAMPLE.clientId, '') },
    );
    expect(r.status, r.text).toBe(200);
    expect(r.json!['token_type']).toBe('Bearer');
    // The Basic user name wins: a code of the sample presented as the Finesse client is refused.
    const wrong = await getCode(lab);
    const w = await tokenRequest(
      lab,
      { grant_type: 'authorization_code', code: wrong.code, redirect_uri: SAMPLE.redirectUri, client_id: SAMPLE.clientId },
      { authorization: basic(FINESSE_CLIENT_ID, '') },
    );
    expectOAuthError(w, 400, 'invalid_grant', 'ERR_IDS_CODE_INVALID');
  });

  it('accepts a code once; a second use is invalid_grant and revokes the tokens of the first (RFC 6749 §4.1.2)', async () => {
    const { code } = await getCode(lab);
    const first = await redeem(lab, code);
    expect(first.status).toBe(200);
    const access = first.json!['access_token'] as string;
    const refresh = first.json!['refresh_token'] as string;
    expect((await finesseUser(lab, access)).status).toBe(200);

    const second = await redeem(lab, code);
    expectOAuthError(second, 400, 'invalid_grant', 'ERR_IDS_CODE_INVALID');
    // What the first use got is dead: the refresh grant and Finesse both refuse it.
    expectOAuthError(await refreshGrant(lab, refresh, access), 400, 'invalid_grant', 'ERR_IDS_TOKEN_REVOKED');
    const rest = await finesseUser(lab, access);
    expect(rest.status).toBe(401);
    expect(errorData(rest.body)).toBe('ERR_IDS_TOKEN_REVOKED');
  });

  it('lets a code expire after the Authorization Code Expiry (default 1 min) on the lab clock', async () => {
    const inTime = await getCode(lab);
    const late = await getCode(lab);
    clock().advance(59_000);
    expect((await redeem(lab, inTime.code)).status).toBe(200);
    clock().advance(2_000); // late's code is 61 s old
    const issued = ids().tokens.list().length;
    expectOAuthError(await redeem(lab, late.code), 400, 'invalid_grant', 'ERR_IDS_CODE_EXPIRED');
    expect(ids().tokens.list().length).toBe(issued);
  });

  it('follows a changed Authorization Code Expiry: with 10 minutes, a 5-minute-old code still works', async () => {
    const patched = await api(lab, 'PATCH', '/ids/settings', { authorizationCodeMinutes: 10 });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json!['authorizationCodeMinutes']).toBe(10);
    const a = await getCode(lab);
    const b = await getCode(lab);
    clock().advance(5 * MIN);
    expect((await redeem(lab, a.code)).status).toBe(200);
    clock().advance(5 * MIN + 1_000);
    expectOAuthError(await redeem(lab, b.code), 400, 'invalid_grant', 'ERR_IDS_CODE_EXPIRED');
  });

  it('binds the code to its redirect_uri and its client: any mismatch is invalid_grant and burns the code (RFC 6749 §4.1.3)', async () => {
    const issued = () => ids().tokens.list().length;
    const before = issued();
    // The sample's other registered URL: registered, but not the one this code was sent to.
    const other = `${lab.urls.console}/ids-sample/callback`;
    const mismatches: Array<Record<string, string>> = [
      { redirect_uri: other },
      { redirect_uri: `${SAMPLE.redirectUri}/` },
      { client_id: FINESSE_CLIENT_ID },
    ];
    for (const over of mismatches) {
      const { code } = await getCode(lab);
      expectOAuthError(await redeem(lab, code, over), 400, 'invalid_grant', 'ERR_IDS_CODE_INVALID');
      // The code is spent: even the right request now fails.
      expectOAuthError(await redeem(lab, code), 400, 'invalid_grant', 'ERR_IDS_CODE_INVALID');
    }
    // redirect_uri was in the authorization request, so it is REQUIRED here (RFC 6749 §4.1.3).
    const { code } = await getCode(lab);
    const noRedirect = await tokenRequest(lab, { grant_type: 'authorization_code', code, client_id: SAMPLE.clientId });
    expectOAuthError(noRedirect, 400, 'invalid_grant', 'ERR_IDS_CODE_INVALID');
    expect(issued()).toBe(before);
    // An unknown code and a missing code.
    expectOAuthError(await redeem(lab, 'f'.repeat(40)), 400, 'invalid_grant', 'ERR_IDS_CODE_INVALID');
    expectOAuthError(await tokenRequest(lab, { grant_type: 'authorization_code', redirect_uri: SAMPLE.redirectUri, client_id: SAMPLE.clientId }), 400, 'invalid_request', 'ERR_IDS_INVALID_REQUEST');
  });

  it('redeems without redirect_uri when the authorization request had none (RFC 6749 §4.1.3 "REQUIRED, if … included")', async () => {
    const { code, location } = await getCode(lab, { clientId: FINESSE_CLIENT_ID, redirectUri: null });
    expect(location.startsWith(`${lab.urls.finesse}/desktop/sso/authcode?`)).toBe(true);
    const r = await tokenRequest(lab, { grant_type: 'authorization_code', code, client_id: FINESSE_CLIENT_ID });
    expect(r.status, r.text).toBe(200);
    expect(r.json!['token_type']).toBe('Bearer');
  });

  it('answers an unknown or missing client with 401 invalid_client (RFC 6749 §5.2)', async () => {
    const { code } = await getCode(lab);
    const unknown = '0123456789abcdef0123456789abcdef01234567';
    expectOAuthError(await redeem(lab, code, { client_id: unknown }), 401, 'invalid_client', 'ERR_IDS_INVALID_CLIENT');
    const noClient = await tokenRequest(lab, { grant_type: 'authorization_code', code, redirect_uri: SAMPLE.redirectUri });
    expectOAuthError(noClient, 401, 'invalid_client', 'ERR_IDS_INVALID_CLIENT');
    // Authenticated by the Authorization header: 401 with a challenge of the same scheme (§5.2).
    const viaBasic = await tokenRequest(lab, { grant_type: 'authorization_code', code, redirect_uri: SAMPLE.redirectUri }, { authorization: basic(unknown, '') });
    expectOAuthError(viaBasic, 401, 'invalid_client', 'ERR_IDS_INVALID_CLIENT');
    expect(viaBasic.headers.get('www-authenticate')).toMatch(/^Basic\b/);
    // The client checks came before the code: it is still good for its own client.
    expect((await redeem(lab, code)).status).toBe(200);
  });

  it('refuses a missing grant_type (invalid_request) and other grants (unsupported_grant_type): IdS does the code grant only', async () => {
    const base = { client_id: SAMPLE.clientId };
    expectOAuthError(await tokenRequest(lab, base), 400, 'invalid_request', 'ERR_IDS_INVALID_REQUEST');
    const password = await tokenRequest(lab, { ...base, grant_type: 'password', username: 'agent1', password: 'Agent1Pass!' });
    expectOAuthError(password, 400, 'unsupported_grant_type', 'ERR_IDS_UNSUPPORTED_GRANT_TYPE');
    for (const grant of ['client_credentials', 'implicit', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'AUTHORIZATION_CODE']) {
      expectOAuthError(await tokenRequest(lab, { ...base, grant_type: grant }), 400, 'unsupported_grant_type', 'ERR_IDS_UNSUPPORTED_GRANT_TYPE');
    }
  });

  it('takes only application/x-www-form-urlencoded (RFC 6749 §3.2): JSON, text and no body are invalid_request', async () => {
    const { code } = await getCode(lab);
    const form = { grant_type: 'authorization_code', code, redirect_uri: SAMPLE.redirectUri, client_id: SAMPLE.clientId };
    const url = `${idsUrl(lab)}/ids/v1/oauth/token`;
    const attempts: Array<{ type?: string; body?: string }> = [
      { type: 'application/json', body: JSON.stringify(form) },
      { type: 'text/plain', body: new URLSearchParams(form).toString() },
      { type: 'multipart/form-data; boundary=x', body: '--x--' },
      {},
    ];
    for (const a of attempts) {
      const res = await fetch(url, { method: 'POST', headers: a.type ? { 'content-type': a.type } : {}, body: a.body });
      const text = await res.text();
      expect(res.status, text).toBe(400);
      expect((JSON.parse(text) as Record<string, unknown>)['error']).toBe('invalid_request');
      expect(res.headers.get('x-idp-harness-error')).toBe('ERR_IDS_INVALID_REQUEST');
    }
    // None of them used the code up.
    expect((await redeem(lab, code)).status).toBe(200);
  });

  it('refreshes with refresh_token + access_token: a new access token, no refresh_token in the answer', async () => {
    const t = await sampleTokens(lab);
    clock().advance(45 * MIN); // a client refreshes after 75% of expires_in (reference A.1.2)
    const r = await refreshGrant(lab, t.refresh, t.access);
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(r.json!).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(r.json!['token_type']).toBe('Bearer');
    expect(r.json!['expires_in']).toBe(3600);
    const fresh = r.json!['access_token'] as string;
    expect(fresh).not.toBe(t.access);
    expect((await finesseUser(lab, fresh)).status).toBe(200);
    // The refresh token does not rotate (docs/cisco.md Decisions): it works again, without the access token too.
    const again = await refreshGrant(lab, t.refresh);
    expect(again.status, again.text).toBe(200);
    // An access token of another grant is not this refresh token's.
    const other = await sampleTokens(lab);
    expectOAuthError(await refreshGrant(lab, t.refresh, other.access), 400, 'invalid_grant', 'ERR_IDS_TOKEN_INVALID');
    // Nor is a refresh token accepted as an access token, or the other way round.
    expectOAuthError(await refreshGrant(lab, t.access, t.access), 400, 'invalid_grant', 'ERR_IDS_REFRESH_TOKEN_INVALID');
    expectOAuthError(await refreshGrant(lab, t.refresh, t.refresh), 400, 'invalid_grant', 'ERR_IDS_TOKEN_INVALID');
    // A refresh token of the sample cannot be used by the Finesse client.
    const asFinesse = await tokenRequest(lab, { grant_type: 'refresh_token', refresh_token: t.refresh, client_id: FINESSE_CLIENT_ID });
    expectOAuthError(asFinesse, 400, 'invalid_grant', 'ERR_IDS_REFRESH_TOKEN_INVALID');
    expectOAuthError(await tokenRequest(lab, { grant_type: 'refresh_token', client_id: SAMPLE.clientId }), 400, 'invalid_request', 'ERR_IDS_INVALID_REQUEST');
  });

  it('refuses to refresh once the access token has expired, even with a valid refresh token (reference A.1.5)', async () => {
    const t = await sampleTokens(lab);
    clock().advance(61 * MIN);
    expectOAuthError(await refreshGrant(lab, t.refresh, t.access), 400, 'invalid_grant', 'ERR_IDS_TOKEN_EXPIRED');
    // Without access_token, the latest access token under the refresh token must be valid (Decisions).
    expectOAuthError(await refreshGrant(lab, t.refresh), 400, 'invalid_grant', 'ERR_IDS_TOKEN_EXPIRED');
    const rest = await finesseUser(lab, t.access);
    expect(rest.status).toBe(401);
    expect(errorData(rest.body)).toBe('ERR_IDS_TOKEN_EXPIRED');
  });

  it('refuses an expired refresh token (10 h + 1 s) although the access token is still valid: sign in again', async () => {
    const t = await sampleTokens(lab);
    let access = t.access;
    // Keep a live access token by refreshing every 59 minutes up to 9 h 50 min (bounded: 10 rounds).
    for (let i = 0; i < 10; i++) {
      clock().advance(59 * MIN);
      const r = await refreshGrant(lab, t.refresh, access);
      expect(r.status, `round ${i}: ${r.text}`).toBe(200);
      access = r.json!['access_token'] as string;
    }
    clock().advance(10 * MIN - 1_000); // 10 h − 1 s: still inside the refresh token's life
    const last = await refreshGrant(lab, t.refresh, access);
    expect(last.status, last.text).toBe(200);
    access = last.json!['access_token'] as string;
    clock().advance(2_000); // 10 h + 1 s
    expect((await finesseUser(lab, access)).status).toBe(200);
    expectOAuthError(await refreshGrant(lab, t.refresh, access), 400, 'invalid_grant', 'ERR_IDS_REFRESH_TOKEN_EXPIRED');
    expect(t.json['refresh_token_expires_in']).toBe(10 * HOUR / 1000);
  });

  describe('revocation (POST /ids/v1/oauth/revoke, the SDK removeToken, RFC 7009)', () => {
    const revoke = (form: Record<string, string>) =>
      fetch(`${idsUrl(lab)}/ids/v1/oauth/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

    it('revoking the refresh token ends the access tokens issued under it', async () => {
      const t = await sampleTokens(lab);
      const refreshed = await refreshGrant(lab, t.refresh, t.access);
      const second = refreshed.json!['access_token'] as string;
      expect((await finesseUser(lab, t.access)).status).toBe(200);
      const res = await revoke({ token: t.refresh, client_id: SAMPLE.clientId });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      for (const access of [t.access, second]) {
        const rest = await finesseUser(lab, access);
        expect(rest.status).toBe(401);
        expect(rest.code).toBe('ERR_FINESSE_UNAUTHORIZED');
        expect(errorData(rest.body)).toBe('ERR_IDS_TOKEN_REVOKED');
      }
      expectOAuthError(await refreshGrant(lab, t.refresh, second), 400, 'invalid_grant', 'ERR_IDS_TOKEN_REVOKED');
    });

    it('revoking an access token ends it alone; unknown tokens get 200; bad requests get OAuth errors', async () => {
      const a = await sampleTokens(lab);
      const b = await sampleTokens(lab);
      expect((await revoke({ token: a.access, client_id: SAMPLE.clientId })).status).toBe(200);
      expect((await finesseUser(lab, a.access)).status).toBe(401);
      expect((await finesseUser(lab, b.access)).status).toBe(200);
      // RFC 7009 §2.2: an invalid token is not an error.
      expect((await revoke({ token: 'not-a-token', client_id: SAMPLE.clientId })).status).toBe(200);
      const noToken = await revoke({ client_id: SAMPLE.clientId });
      expect(noToken.status).toBe(400);
      expect(noToken.headers.get('x-idp-harness-error')).toBe('ERR_IDS_INVALID_REQUEST');
      const noClient = await revoke({ token: b.access });
      expect(noClient.status).toBe(401);
      expect(((await noClient.json()) as Record<string, unknown>)['error']).toBe('invalid_client');
      expect((await finesseUser(lab, b.access)).status).toBe(200);
    });
  });
});

describe('Cisco IdS token endpoint with ids.tokens.rotateRefreshToken: true', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids'], tls: false, config: { ids: { tokens: { rotateRefreshToken: true } } } });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('returns a new refresh token on each refresh and refuses the previous one (docs/cisco.md Decisions)', async () => {
    const t = await sampleTokens(lab);
    let refresh = t.refresh;
    let access = t.access;
    const seen = new Set([refresh]);
    for (let i = 0; i < 3; i++) {
      const r = await refreshGrant(lab, refresh, access);
      expect(r.status, r.text).toBe(200);
      expect(Object.keys(r.json!).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'refresh_token_expires_in', 'token_type']);
      const next = r.json!['refresh_token'] as string;
      expect(seen.has(next)).toBe(false);
      seen.add(next);
      expectOAuthError(await refreshGrant(lab, refresh, access), 400, 'invalid_grant', 'ERR_IDS_TOKEN_REVOKED');
      refresh = next;
      access = r.json!['access_token'] as string;
    }
    expect(seen.size).toBe(4);
  });
});
