import type { Response } from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/cxone/login/sessions.js';
import type { Lab } from '../../src/lab.js';
import { basic, cxoneCodeFlow, discoverCxone, oidc, raw, SAM, SPA, tokenRequest, UserAgent, WEB, startCxoneLab } from './op-helpers.js';

/**
 * CXone's end_session_endpoint, `/auth/authorize/logout` (OpenID Connect RP-Initiated Logout 1.0),
 * and the chain through an OIDC authenticator's IdP and back at `/auth/oidc/logout/<id>`.
 */
describe('CXone OP: RP-initiated logout', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startCxoneLab();
  });
  beforeEach(() => lab.state.reset());
  afterAll(() => lab.stop());

  const webConfig = () => discoverCxone(lab, WEB.clientId, oidc.ClientSecretBasic(WEB.secret), WEB.secret);

  /** Whether the browser still has a CXone session: prompt=none answers with a code or login_required. */
  async function hasSession(ua: UserAgent): Promise<boolean> {
    const url = new URL(`${lab.urls.cxone}/auth/authorize`);
    for (const [k, v] of Object.entries({ client_id: WEB.clientId, redirect_uri: WEB.redirectUri, response_type: 'code', scope: 'openid', prompt: 'none' })) url.searchParams.set(k, v);
    const res = await ua.get(url.toString());
    const back = new URL(res.location!);
    return back.searchParams.has('code');
  }

  it('ends the session with id_token_hint + post_logout_redirect_uri (openid-client builds the URL), echoes state and revokes the tokens', async () => {
    const cfg = await webConfig();
    const { tokens, ua } = await cxoneCodeFlow(cfg, WEB.redirectUri);
    expect(await hasSession(ua)).toBe(true);
    const url = oidc.buildEndSessionUrl(cfg, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: WEB.postLogout, state: 'bye-1' });
    const res = await ua.get(url.toString());
    expect(res.status).toBe(302);
    const back = new URL(res.location!);
    expect(`${back.origin}${back.pathname}`).toBe(WEB.postLogout);
    expect(back.searchParams.get('state')).toBe('bye-1');
    expect(ua.cookies(lab.urls.cxone!)[SESSION_COOKIE]).toBeUndefined();
    expect(await hasSession(ua)).toBe(false);
    const refresh = await tokenRequest(lab, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, { authorization: basic(WEB.clientId, WEB.secret) });
    expect([refresh.json.error, refresh.code]).toEqual(['invalid_grant', 'ERR_CXONE_OP_INVALID_GRANT']);
    const info = await raw(`${lab.urls.cxone}/auth/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect([info.status, info.code]).toEqual([401, 'ERR_CXONE_OP_INVALID_TOKEN']);
  });

  it('accepts an expired id_token_hint (§2), and client_id alone to check the URI; POST works like GET', async () => {
    const cfg = await webConfig();
    const { tokens, ua } = await cxoneCodeFlow(cfg, WEB.redirectUri);
    lab.state.clock.advance((lab.state.config.cxone.tokens.idTokenSeconds + 60) * 1000);
    const res = await ua.post(`${lab.urls.cxone}/auth/authorize/logout`, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: WEB.postLogout });
    expect(res.status).toBe(302);
    expect(res.location).toBe(WEB.postLogout);

    const byClient = await raw(`${lab.urls.cxone}/auth/authorize/logout?client_id=${SPA.clientId}&post_logout_redirect_uri=${encodeURIComponent(SPA.postLogout)}&state=s`);
    expect(byClient.status).toBe(302);
    expect(byClient.location).toBe(`${SPA.postLogout}?state=s`);
  });

  it('refuses a post_logout_redirect_uri not registered for the application, and keeps the session', async () => {
    const cfg = await webConfig();
    const { tokens, ua } = await cxoneCodeFlow(cfg, WEB.redirectUri);
    for (const uri of ['http://localhost:8080/evil', SPA.postLogout, `${WEB.postLogout}x`]) {
      const res = await ua.get(oidc.buildEndSessionUrl(cfg, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: uri }).toString());
      expect(res.status).toBe(400);
      expect(res.headers['x-idp-harness-error']).toBe('ERR_CXONE_OP_POST_LOGOUT_REDIRECT_URI');
    }
    const noClient = await raw(`${lab.urls.cxone}/auth/authorize/logout?post_logout_redirect_uri=${encodeURIComponent(WEB.postLogout)}`);
    expect([noClient.status, noClient.code]).toEqual([400, 'ERR_CXONE_OP_POST_LOGOUT_REDIRECT_URI']);
    expect(await hasSession(ua)).toBe(true);
  });

  it('refuses an id_token_hint CXone did not sign, or a client_id that is not its audience', async () => {
    const cfg = await webConfig();
    const { tokens } = await cxoneCodeFlow(cfg, WEB.redirectUri);
    const [header, , signature] = tokens.id_token!.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...tokens.claims(), aud: SPA.clientId })).toString('base64url')}.${signature}`;
    for (const hint of [tampered, 'garbage', tokens.access_token.slice(0, -4) + 'AAAA']) {
      const r = await raw(`${lab.urls.cxone}/auth/authorize/logout?id_token_hint=${encodeURIComponent(hint)}`);
      expect([r.status, r.code]).toEqual([400, 'ERR_CXONE_OP_ID_TOKEN_HINT']);
    }
    const mismatch = await raw(`${lab.urls.cxone}/auth/authorize/logout?id_token_hint=${tokens.id_token}&client_id=${SPA.clientId}`);
    expect([mismatch.status, mismatch.code]).toEqual([400, 'ERR_CXONE_OP_ID_TOKEN_HINT']);
    const twice = await raw(`${lab.urls.cxone}/auth/authorize/logout?state=a&state=b`);
    expect([twice.status, twice.code]).toEqual([400, 'ERR_CXONE_OP_INVALID_REQUEST']);
  });

  it('shows the signed-out page without a session or hint (never an error)', async () => {
    const r = await raw(`${lab.urls.cxone}/auth/authorize/logout`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('id="signedOut"');
    expect(r.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
  });

  describe('chained through an OIDC authenticator with an end-session endpoint', () => {
    const LAB_OIDC = '9c3d7e5f-1a2b-4c8d-9e0f-1a2b3c4d5e61';
    const AGENT2 = '5f4c1b32-8d9e-4f0a-9b23-c4d5e6f70819';

    /** A CXone session as an OIDC sign-in through "Lab OIDC" leaves it (the sign-in itself is the OIDC authenticator's tests' business). */
    function oidcSession(): string {
      const fake = { append: () => fake } as unknown as Response;
      const s = lab.state.cxone!.sessions.create(fake, {
        userId: AGENT2,
        authenticatorId: LAB_OIDC,
        authTime: Math.floor(lab.state.clock.now() / 1000),
        amr: ['fed'],
        acr: undefined,
        external: { kind: 'oidc', authenticatorId: LAB_OIDC, idToken: 'the-idp-id-token' },
      });
      return `${SESSION_COOKIE}=${s.id}`;
    }

    it("sends the browser to the IdP's end_session_endpoint, and on return to the application's post_logout_redirect_uri", async () => {
      const cookie = oidcSession();
      const r = await raw(`${lab.urls.cxone}/auth/authorize/logout?client_id=${WEB.clientId}&post_logout_redirect_uri=${encodeURIComponent(WEB.postLogout)}&state=app-state`, { headers: { cookie } });
      expect(r.status).toBe(302);
      const idp = new URL(r.location!);
      const endpoint = lab.state.cxone!.store.authenticators.get(LAB_OIDC)!.oidc!.endSessionEndpoint!;
      expect(`${idp.origin}${idp.pathname}`).toBe(endpoint);
      expect(idp.searchParams.get('id_token_hint')).toBe('the-idp-id-token');
      const returnUri = `${lab.urls.cxone}/auth/oidc/logout/${LAB_OIDC}`;
      expect(idp.searchParams.get('post_logout_redirect_uri')).toBe(returnUri);
      const handle = idp.searchParams.get('state')!;
      expect(handle).not.toBe('app-state');
      expect(lab.state.cxone!.sessions.list()).toHaveLength(0);

      const back = await raw(`${returnUri}?state=${encodeURIComponent(handle)}`);
      expect(back.status).toBe(302);
      expect(back.location).toBe(`${WEB.postLogout}?state=app-state`);
      // The handle is single-use: coming back again only shows the signed-out page.
      const again = await raw(`${returnUri}?state=${encodeURIComponent(handle)}`);
      expect(again.status).toBe(200);
      expect(again.text).toContain('id="signedOut"');
    });

    it('ends on the signed-out page when no application asked, or the state is unknown or for another authenticator', async () => {
      const r = await raw(`${lab.urls.cxone}/auth/authorize/logout`, { headers: { cookie: oidcSession() } });
      const handle = new URL(r.location!).searchParams.get('state')!;
      const wrongAuthenticator = await raw(`${lab.urls.cxone}/auth/oidc/logout/5b2e8c4d-7f1a-4c3b-8e9d-0a1b2c3d4e51?state=${encodeURIComponent(handle)}`);
      expect(wrongAuthenticator.status).toBe(200);
      expect(wrongAuthenticator.text).toContain('id="signedOut"');
      for (const q of ['', '?state=unknown', '?state=a&state=b']) {
        const x = await raw(`${lab.urls.cxone}/auth/oidc/logout/${LAB_OIDC}${q}`);
        expect(x.status).toBe(200);
        expect(x.location).toBeNull();
      }
      const r2 = await raw(`${lab.urls.cxone}/auth/authorize/logout`, { headers: { cookie: oidcSession() } });
      const ok = await raw(`${lab.urls.cxone}/auth/oidc/logout/${LAB_OIDC}?state=${encodeURIComponent(new URL(r2.location!).searchParams.get('state')!)}`);
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('id="signedOut"');
    });

    it('does not chain a System sign-in', async () => {
      const cfg = await webConfig();
      const { ua, tokens } = await cxoneCodeFlow(cfg, WEB.redirectUri);
      expect(tokens.claims()!.sub).toBe(`user:${SAM.id}`);
      const res = await ua.get(`${lab.urls.cxone}/auth/authorize/logout`);
      expect(res.status).toBe(200);
      expect(res.body).toContain('id="signedOut"');
    });
  });
});
