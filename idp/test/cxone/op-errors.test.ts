import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { accessKeyTokens, ADMIN_BASIC, BACKEND, basic, obtainCxoneCode, oidc, raw, SAM, SPA, tokenRequest, WEB, startCxoneLab } from './op-helpers.js';

/** Every refusal of CXone's OP asserts its OAuth `error` and the stable code, never prose. */
describe('CXone OP refusals', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startCxoneLab();
  });
  beforeEach(() => lab.state.reset());
  afterAll(() => lab.stop());

  const webAuth = () => ({ authorization: basic(WEB.clientId, WEB.secret) });
  const redeem = (code: string, extra: Record<string, string> = {}, headers: Record<string, string> = webAuth()) =>
    tokenRequest(lab, { grant_type: 'authorization_code', code, redirect_uri: WEB.redirectUri, ...extra }, headers);
  const userinfo = (token: string) => raw(`${lab.urls.cxone}/auth/userinfo`, { headers: { authorization: `Bearer ${token}` } });

  describe('client authentication (RFC 6749 §2.3, §5.2 invalid_client)', () => {
    it('refuses a wrong secret with 401 and a Basic challenge (Basic) or without one (post)', async () => {
      const b = await tokenRequest(lab, { grant_type: 'password', username: 'k', password: 's' }, { authorization: basic(WEB.clientId, 'wrong') });
      expect([b.status, b.json.error, b.code]).toEqual([401, 'invalid_client', 'ERR_CXONE_OP_INVALID_CLIENT']);
      expect(b.headers.get('www-authenticate')).toMatch(/^Basic /);
      const p = await tokenRequest(lab, { grant_type: 'password', username: 'k', password: 's', client_id: WEB.clientId, client_secret: 'wrong' });
      expect([p.status, p.json.error]).toEqual([401, 'invalid_client']);
    });

    it('refuses an unknown client, a confidential app without its secret, and a public app that sends a secret', async () => {
      const unknown = await tokenRequest(lab, { grant_type: 'authorization_code', code: 'x', client_id: 'nobody' });
      expect([unknown.status, unknown.json.error, unknown.code]).toEqual([401, 'invalid_client', 'ERR_CXONE_OP_INVALID_CLIENT']);
      const noSecret = await tokenRequest(lab, { grant_type: 'authorization_code', code: 'x', client_id: WEB.clientId });
      expect(noSecret.json.error).toBe('invalid_client');
      const publicWithSecret = await tokenRequest(lab, { grant_type: 'authorization_code', code: 'x', client_id: SPA.clientId, client_secret: 'anything' });
      expect(publicWithSecret.json.error).toBe('invalid_client');
      const none = await tokenRequest(lab, { grant_type: 'authorization_code', code: 'x' });
      expect(none.json.error).toBe('invalid_client');
    });

    it('url-decodes Basic id and secret (RFC 6749 §2.3.1) and refuses bad encoding, two methods at once, or a non-Basic scheme', async () => {
      const everyCharEncoded = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).join('');
      const header = `Basic ${Buffer.from(`${everyCharEncoded(BACKEND.clientId)}:${everyCharEncoded(BACKEND.secret)}`).toString('base64')}`;
      const encoded = await tokenRequest(lab, { grant_type: 'password', username: 'AK7QX4VN2M5LJ3ZP8R6TW', password: 'c2VjcmV0LWFjY2Vzcy1rZXktZm9yLXRoZS1sYWItb25seQ====' }, { authorization: header });
      expect(encoded.status).toBe(200);
      const bad = await tokenRequest(lab, { grant_type: 'password' }, { authorization: `Basic ${Buffer.from('cxone-backend:%E0%A4%A').toString('base64')}` });
      expect([bad.status, bad.json.error]).toEqual([401, 'invalid_client']);
      const noColon = await tokenRequest(lab, { grant_type: 'password' }, { authorization: `Basic ${Buffer.from('cxone-backend').toString('base64')}` });
      expect(noColon.json.error).toBe('invalid_client');
      const both = await tokenRequest(lab, { grant_type: 'password', client_secret: BACKEND.secret }, { authorization: basic(BACKEND.clientId, BACKEND.secret) });
      expect([both.status, both.json.error, both.code]).toEqual([400, 'invalid_request', 'ERR_CXONE_OP_INVALID_REQUEST']);
      const bearer = await tokenRequest(lab, { grant_type: 'password' }, { authorization: 'Bearer abc' });
      expect([bearer.status, bearer.json.error]).toEqual([401, 'invalid_client']);
    });
  });

  describe('authorization request', () => {
    it('sends a public app that omits PKCE back to its redirect URI with invalid_request and the state', async () => {
      const url = new URL(`${lab.urls.cxone}/auth/authorize`);
      for (const [k, v] of Object.entries({ client_id: SPA.clientId, redirect_uri: SPA.redirectUri, response_type: 'code', scope: 'openid', state: 'st-1' })) url.searchParams.set(k, v);
      const r = await raw(url);
      expect(r.status).toBe(302);
      expect(r.code).toBe('ERR_CXONE_OP_INVALID_REQUEST');
      const back = new URL(r.location!);
      expect(back.origin + back.pathname).toBe(SPA.redirectUri);
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.get('state')).toBe('st-1');
    });
  });

  describe('authorization_code grant', () => {
    it('refuses a code_verifier that does not match, a missing one, and one with no challenge', async () => {
      const spa = await obtainCxoneCode(lab, { clientId: SPA.clientId, redirectUri: SPA.redirectUri });
      const bad = await tokenRequest(lab, { grant_type: 'authorization_code', code: spa.code, redirect_uri: SPA.redirectUri, client_id: SPA.clientId, code_verifier: oidc.randomPKCECodeVerifier() });
      expect([bad.status, bad.json.error, bad.code]).toEqual([400, 'invalid_grant', 'ERR_CXONE_OP_PKCE']);

      const spa2 = await obtainCxoneCode(lab, { clientId: SPA.clientId, redirectUri: SPA.redirectUri });
      const missing = await tokenRequest(lab, { grant_type: 'authorization_code', code: spa2.code, redirect_uri: SPA.redirectUri, client_id: SPA.clientId });
      expect([missing.json.error, missing.code]).toEqual(['invalid_grant', 'ERR_CXONE_OP_PKCE']);

      const web = await obtainCxoneCode(lab, { clientId: WEB.clientId, redirectUri: WEB.redirectUri, pkce: false });
      const unasked = await redeem(web.code, { code_verifier: oidc.randomPKCECodeVerifier() });
      expect([unasked.json.error, unasked.code]).toEqual(['invalid_grant', 'ERR_CXONE_OP_PKCE']);
    });

    it('lets a confidential app without PKCE redeem its code, once: the second use is refused and revokes the first tokens', async () => {
      const { code } = await obtainCxoneCode(lab, { clientId: WEB.clientId, redirectUri: WEB.redirectUri, pkce: false });
      const first = await redeem(code);
      expect(first.status).toBe(200);
      expect((await userinfo(first.json.access_token)).status).toBe(200);
      const second = await redeem(code);
      expect([second.status, second.json.error, second.code]).toEqual([400, 'invalid_grant', 'ERR_CXONE_OP_INVALID_GRANT']);
      const info = await userinfo(first.json.access_token);
      expect([info.status, info.code]).toEqual([401, 'ERR_CXONE_OP_INVALID_TOKEN']);
      const refresh = await tokenRequest(lab, { grant_type: 'refresh_token', refresh_token: first.json.refresh_token }, webAuth());
      expect(refresh.json.error).toBe('invalid_grant');
    });

    it('refuses an expired code (lab clock past authorizationCodeSeconds)', async () => {
      const { code, verifier } = await obtainCxoneCode(lab, { clientId: WEB.clientId, redirectUri: WEB.redirectUri });
      lab.state.clock.advance((lab.state.config.cxone.tokens.authorizationCodeSeconds + 1) * 1000);
      const r = await redeem(code, { code_verifier: verifier });
      expect([r.status, r.json.error, r.code]).toEqual([400, 'invalid_grant', 'ERR_CXONE_OP_INVALID_GRANT']);
    });

    it('refuses another redirect_uri than the code was issued for', async () => {
      const { code, verifier } = await obtainCxoneCode(lab, { clientId: WEB.clientId, redirectUri: WEB.redirectUri });
      const r = await redeem(code, { code_verifier: verifier, redirect_uri: 'http://localhost:8080/cxone/other' });
      expect([r.status, r.json.error, r.code]).toEqual([400, 'invalid_grant', 'ERR_CXONE_OP_REDIRECT_URI']);
      const none = await obtainCxoneCode(lab, { clientId: WEB.clientId, redirectUri: WEB.redirectUri });
      const omitted = await tokenRequest(lab, { grant_type: 'authorization_code', code: none.code, code_verifier: none.verifier }, webAuth());
      expect(omitted.code).toBe('ERR_CXONE_OP_REDIRECT_URI');
    });

    it("refuses another client's code without using it up for its own client", async () => {
      const { code, verifier } = await obtainCxoneCode(lab, { clientId: SPA.clientId, redirectUri: SPA.redirectUri });
      const stolen = await redeem(code, { code_verifier: verifier, redirect_uri: SPA.redirectUri });
      expect([stolen.status, stolen.json.error]).toEqual([400, 'invalid_grant']);
      const own = await tokenRequest(lab, { grant_type: 'authorization_code', code, redirect_uri: SPA.redirectUri, client_id: SPA.clientId, code_verifier: verifier });
      expect(own.status).toBe(200);
    });

    it('refuses an unknown code', async () => {
      const r = await redeem('not-a-code');
      expect([r.status, r.json.error]).toEqual([400, 'invalid_grant']);
    });
  });

  describe('grant types', () => {
    it('answers unsupported_grant_type for other grants and invalid_request without one', async () => {
      const cc = await tokenRequest(lab, { grant_type: 'client_credentials' }, webAuth());
      expect([cc.status, cc.json.error, cc.code]).toEqual([400, 'unsupported_grant_type', 'ERR_CXONE_OP_UNSUPPORTED_GRANT_TYPE']);
      const implicit = await tokenRequest(lab, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code' }, webAuth());
      expect(implicit.json.error).toBe('unsupported_grant_type');
      const none = await tokenRequest(lab, {}, webAuth());
      expect([none.json.error, none.code]).toEqual(['invalid_request', 'ERR_CXONE_OP_INVALID_REQUEST']);
    });
  });

  describe('refresh_token grant', () => {
    it("refuses another client's refresh token, a forged one and garbage", async () => {
      const keys = await accessKeyTokens(lab);
      const other = await tokenRequest(lab, { grant_type: 'refresh_token', refresh_token: keys.json.refresh_token }, webAuth());
      expect([other.json.error, other.code]).toEqual(['invalid_grant', 'ERR_CXONE_OP_INVALID_GRANT']);
      const forged = await tokenRequest(lab, { grant_type: 'refresh_token', refresh_token: await forge(lab, { aud: BACKEND.clientId, id: 'x', sessionId: 'y' }) }, { authorization: basic(BACKEND.clientId, BACKEND.secret) });
      expect(forged.json.error).toBe('invalid_grant');
      const garbage = await tokenRequest(lab, { grant_type: 'refresh_token', refresh_token: 'a.b.c' }, webAuth());
      expect([garbage.status, garbage.json.error]).toEqual([400, 'invalid_grant']);
    });

    it('refuses a refresh after the user is deactivated', async () => {
      const { code, verifier } = await obtainCxoneCode(lab, { clientId: WEB.clientId, redirectUri: WEB.redirectUri });
      const t = await redeem(code, { code_verifier: verifier });
      expect(t.status).toBe(200);
      const d = await raw(`${lab.urls.cxone}/api/v1/users/${SAM.id}/deactivate`, { method: 'POST', headers: { authorization: ADMIN_BASIC } });
      expect(d.status).toBe(200);
      const r = await tokenRequest(lab, { grant_type: 'refresh_token', refresh_token: t.json.refresh_token }, webAuth());
      expect([r.status, r.json.error, r.code]).toEqual([400, 'invalid_grant', 'ERR_CXONE_OP_INVALID_GRANT']);
    });

    it('refuses an expired refresh token (lab clock past refreshTokenSeconds)', async () => {
      const keys = await accessKeyTokens(lab);
      lab.state.clock.advance((lab.state.config.cxone.tokens.refreshTokenSeconds + 1) * 1000);
      const r = await tokenRequest(lab, { grant_type: 'refresh_token', refresh_token: keys.json.refresh_token }, { authorization: basic(BACKEND.clientId, BACKEND.secret) });
      expect([r.status, r.json.error]).toEqual([400, 'invalid_grant']);
    });
  });

  describe('userinfo (RFC 6750 §3.1)', () => {
    it('refuses an expired access token with 401 invalid_token and a Bearer challenge', async () => {
      const keys = await accessKeyTokens(lab);
      expect((await userinfo(keys.json.access_token)).status).toBe(200);
      lab.state.clock.advance((lab.state.config.cxone.tokens.accessTokenSeconds + 1) * 1000);
      const r = await userinfo(keys.json.access_token);
      expect([r.status, r.json.error, r.code]).toEqual([401, 'invalid_token', 'ERR_CXONE_OP_INVALID_TOKEN']);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    });

    it('refuses ID and refresh tokens, a token signed by another key, none at all, and two at once', async () => {
      const keys = await accessKeyTokens(lab);
      for (const t of [keys.json.id_token, keys.json.refresh_token, await forge(lab, { sub: `user:${SAM.id}`, jti: 'x' }), 'not-a-jwt']) {
        const r = await userinfo(t);
        expect([r.status, r.json.error, r.code]).toEqual([401, 'invalid_token', 'ERR_CXONE_OP_INVALID_TOKEN']);
      }
      const none = await raw(`${lab.urls.cxone}/auth/userinfo`);
      expect([none.status, none.json.error]).toEqual([401, 'invalid_token']);
      const basicAuth = await raw(`${lab.urls.cxone}/auth/userinfo`, { headers: { authorization: ADMIN_BASIC } });
      expect(basicAuth.status).toBe(401);
      const both = await raw(`${lab.urls.cxone}/auth/userinfo`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.json.access_token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: keys.json.access_token }),
      });
      expect([both.status, both.json.error]).toEqual([400, 'invalid_request']);
      const inBody = await raw(`${lab.urls.cxone}/auth/userinfo`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ access_token: keys.json.access_token }) });
      expect(inBody.status).toBe(200);
    });
  });

  describe('malformed requests never get a 500', () => {
    it('JSON, repeated parameters, GET, a bad charset, an oversized body and binary noise are invalid_request', async () => {
      const url = `${lab.urls.cxone}/auth/token`;
      const answers = [
        await raw(url, { method: 'POST', headers: { 'content-type': 'application/json', ...webAuth() }, body: JSON.stringify({ grant_type: 'password' }) }),
        await tokenRequest(lab, 'grant_type=password&grant_type=refresh_token', webAuth()),
        await raw(url, { headers: webAuth() }),
        await raw(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=x-bogus', ...webAuth() }, body: 'grant_type=password' }),
        await tokenRequest(lab, `grant_type=password&pad=${'a'.repeat(600 * 1024)}`, webAuth()),
        await raw(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...webAuth() }, body: new Uint8Array([0xff, 0xfe, 0x00, 0x25, 0x25, 0x3d, 0x26]) }),
        await raw(url, { method: 'POST', headers: webAuth() }),
      ];
      for (const r of answers) {
        expect(r.status).toBe(400);
        expect(r.json.error).toBe('invalid_request');
        expect(r.code).toMatch(/^ERR_/);
      }
    });

    it('odd Authorization headers at token and userinfo are 401, not 500', async () => {
      for (const h of ['Basic', 'Basic !!!', 'Basic ' + 'A'.repeat(5000), 'Digest x', '']) {
        const t = await tokenRequest(lab, { grant_type: 'password' }, { authorization: h });
        expect(t.status).toBe(401);
        const u = await raw(`${lab.urls.cxone}/auth/userinfo`, { headers: { authorization: h } });
        expect(u.status).toBe(401);
      }
    });
  });
});

/** A JWT shaped like CXone's, with CXone's iss and kid, signed by another key. */
async function forge(lab: Lab, claims: Record<string, unknown>): Promise<string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = Math.floor(lab.state.clock.now() / 1000);
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: lab.state.cxone!.op.signing.kid }).setIssuer(lab.urls.cxone!).setIssuedAt(now).setExpirationTime(now + 600).sign(privateKey);
}

