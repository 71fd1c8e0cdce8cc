import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { accessKeyTokens, ADMIN_BASIC, BACKEND, basic, claimsOf, INTEGRATION, raw, SPA, tokenRequest, verifyWithJwks, WEB, startCxoneLab } from './op-helpers.js';

/**
 * Reference B.3, the back-end token: `grant_type=password` with an access key (username =
 * accessKeyId, password = accessKeySecret, url-encoded: the secret's `====` travels as `%3D%3D%3D%3D`).
 */
describe('CXone OP: access-key password grant', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startCxoneLab();
  });
  beforeEach(() => lab.state.reset());
  afterAll(() => lab.stop());

  it('issues access, refresh and ID tokens to cxone-backend with client_secret_basic (the B.3 request, byte for byte)', async () => {
    expect(encodeURIComponent(INTEGRATION.accessKeySecret)).toMatch(/%3D%3D%3D%3D$/); // what accessKeyTokens sends
    const r = await accessKeyTokens(lab);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(r.json).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'issued_token_type', 'refresh_token', 'token_type']);
    expect(r.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' });
    const { payload: at } = await verifyWithJwks(lab, r.json.access_token);
    expect(at).toMatchObject({ sub: `user:${INTEGRATION.id}`, aud: BACKEND.clientId, given_name: 'Integration', family_name: 'Service' });
    expect((at['role'] as { legacyId: string }).legacyId).toBe('Administrator');
    expect(at.exp! - at.iat!).toBe(3600);
    const { payload: id } = await verifyWithJwks(lab, r.json.id_token);
    expect(id).toMatchObject({ sub: `user:${INTEGRATION.id}`, userId: INTEGRATION.id, aud: BACKEND.clientId });
    expect(id['amr']).toBeUndefined();
    expect(id['nonce']).toBeUndefined();
    const { payload: rt } = await verifyWithJwks(lab, r.json.refresh_token);
    expect(rt.exp! - rt.iat!).toBe(7200);
    expect(typeof rt['sessionId']).toBe('string');

    // The access token works at userinfo, and the refresh token refreshes for the same client.
    const info = await raw(`${lab.urls.cxone}/auth/userinfo`, { headers: { authorization: `Bearer ${r.json.access_token}` } });
    expect(info.status).toBe(200);
    expect(info.json.sub).toBe(`user:${INTEGRATION.id}`);
    const again = await tokenRequest(lab, { grant_type: 'refresh_token', refresh_token: r.json.refresh_token }, { authorization: basic(BACKEND.clientId, BACKEND.secret) });
    expect(again.status).toBe(200);
    expect(claimsOf(again.json.refresh_token)['sessionId']).toBe(rt['sessionId']);
  });

  it('accepts client_secret_post, and a confidential app too', async () => {
    const post = await tokenRequest(lab, { grant_type: 'password', username: INTEGRATION.accessKeyId, password: INTEGRATION.accessKeySecret, client_id: BACKEND.clientId, client_secret: BACKEND.secret });
    expect(post.status).toBe(200);
    const web = await tokenRequest(lab, { grant_type: 'password', username: INTEGRATION.accessKeyId, password: INTEGRATION.accessKeySecret }, { authorization: basic(WEB.clientId, WEB.secret) });
    expect(web.status).toBe(200);
    expect(claimsOf(web.json.access_token)['aud']).toBe(WEB.clientId);
  });

  it('refuses a wrong secret, an unknown key id and a missing secret', async () => {
    const auth = { authorization: basic(BACKEND.clientId, BACKEND.secret) };
    const wrong = await tokenRequest(lab, { grant_type: 'password', username: INTEGRATION.accessKeyId, password: `${INTEGRATION.accessKeySecret.slice(0, -5)}x====` }, auth);
    expect([wrong.status, wrong.json.error, wrong.code]).toEqual([400, 'invalid_grant', 'ERR_CXONE_OP_INVALID_GRANT']);
    const unknown = await tokenRequest(lab, { grant_type: 'password', username: 'AKNOTAKEY', password: INTEGRATION.accessKeySecret }, auth);
    expect([unknown.status, unknown.json.error]).toEqual([400, 'invalid_grant']);
    const missing = await tokenRequest(lab, { grant_type: 'password', username: INTEGRATION.accessKeyId }, auth);
    expect([missing.status, missing.json.error, missing.code]).toEqual([400, 'invalid_request', 'ERR_CXONE_OP_INVALID_REQUEST']);
  });

  it('refuses the password grant to the public front-end app (unauthorized_client), even with a valid key', async () => {
    const r = await tokenRequest(lab, { grant_type: 'password', username: INTEGRATION.accessKeyId, password: INTEGRATION.accessKeySecret, client_id: SPA.clientId });
    expect([r.status, r.json.error, r.code]).toEqual([400, 'unauthorized_client', 'ERR_CXONE_OP_UNAUTHORIZED_CLIENT']);
  });

  it('refuses the code grant to the back-end app (it "may use only /token" with keys)', async () => {
    const r = await tokenRequest(lab, { grant_type: 'authorization_code', code: 'x', redirect_uri: WEB.redirectUri }, { authorization: basic(BACKEND.clientId, BACKEND.secret) });
    expect([r.status, r.json.error]).toEqual([400, 'unauthorized_client']);
  });

  it("refuses the key of a deactivated user, and the deactivation revokes the user's tokens", async () => {
    const before = await accessKeyTokens(lab);
    expect(before.status).toBe(200);
    const d = await raw(`${lab.urls.cxone}/api/v1/users/${INTEGRATION.id}/deactivate`, { method: 'POST', headers: { authorization: ADMIN_BASIC } });
    expect(d.status).toBe(200);
    const r = await accessKeyTokens(lab);
    expect([r.status, r.json.error, r.code]).toEqual([400, 'invalid_grant', 'ERR_CXONE_OP_INVALID_GRANT']);
    const refresh = await tokenRequest(lab, { grant_type: 'refresh_token', refresh_token: before.json.refresh_token }, { authorization: basic(BACKEND.clientId, BACKEND.secret) });
    expect([refresh.status, refresh.json.error]).toEqual([400, 'invalid_grant']);
    const info = await raw(`${lab.urls.cxone}/auth/userinfo`, { headers: { authorization: `Bearer ${before.json.access_token}` } });
    expect([info.status, info.code]).toEqual([401, 'ERR_CXONE_OP_INVALID_TOKEN']);
    expect(info.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });
});
