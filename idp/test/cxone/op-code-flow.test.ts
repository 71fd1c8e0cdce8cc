import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { claimsOf, cxoneCodeFlow, discoverCxone, oidc, SAM, SPA, verifyWithJwks, WEB, startCxoneLab } from './op-helpers.js';

/**
 * Reference B.3 user apps: code + PKCE at /auth/authorize, the sign-in through CXone's username and
 * password pages (System authenticator, sam.system), the code redeemed by openid-client with each
 * client authentication CXone advertises, tokens shaped like CXone's and verified with jose
 * against /auth/jwks, userinfo, and refresh with rotation.
 */
describe('CXone OP: authorization code flow with PKCE (openid-client)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startCxoneLab();
  });
  afterAll(() => lab.stop());

  const cases: Array<[string, string, () => oidc.ClientAuth, string, string | undefined]> = [
    ['public front-end app, no secret (PKCE)', SPA.clientId, () => oidc.None(), SPA.redirectUri, undefined],
    ['confidential app, client_secret_basic', WEB.clientId, () => oidc.ClientSecretBasic(WEB.secret), WEB.redirectUri, WEB.secret],
    ['confidential app, client_secret_post', WEB.clientId, () => oidc.ClientSecretPost(WEB.secret), WEB.redirectUri, WEB.secret],
  ];
  for (const [title, clientId, auth, redirectUri, secret] of cases) {
    it(`${title}: openid-client validates the ID token; the tokens have CXone's shape`, async () => {
      const cfg = await discoverCxone(lab, clientId, auth(), secret);
      const { tokens, nonce } = await cxoneCodeFlow(cfg, redirectUri);
      expect(tokens.token_type).toBe('bearer'); // openid-client lower-cases it; the wire value is checked below
      expect(tokens.expires_in).toBe(3600);
      expect(tokens.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
      const tenant = lab.state.cxone!.tenant;

      // ID token (B.3): sub, icDomain, userId, tenantId, icBUId, icClusterId; aud, nonce, auth_time, amr.
      const id = tokens.claims()!;
      expect(id).toMatchObject({
        sub: `user:${SAM.id}`,
        userId: SAM.id,
        aud: clientId,
        iss: lab.urls.cxone,
        nonce,
        tenantId: tenant.id,
        icBUId: tenant.businessUnitId,
        icClusterId: tenant.clusterId,
        icDomain: new URL(lab.urls.cxone!).hostname,
        amr: ['pwd'],
      });
      expect(typeof id.auth_time).toBe('number');
      expect(id.exp - id.iat).toBe(3600);
      const idVerified = await verifyWithJwks(lab, tokens.id_token!);
      expect(idVerified.kid).toBe(lab.state.cxone!.op.signing.kid);

      // Access token (B.3): role{legacyId,id,lastUpdateTime,secondaryRoles[]}, sub user:<uuid>, names, tenant claims; 3600 s.
      const { payload: at } = await verifyWithJwks(lab, tokens.access_token);
      expect(at).toMatchObject({
        sub: `user:${SAM.id}`,
        iss: lab.urls.cxone,
        aud: clientId,
        given_name: 'Sam',
        family_name: 'Sysop',
        name: SAM.username,
        icBUId: tenant.businessUnitId,
        tenantId: tenant.id,
        tenant: tenant.name,
        icClusterId: tenant.clusterId,
      });
      expect(at['role']).toEqual({ legacyId: 'Administrator', id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/), lastUpdateTime: expect.any(Number), secondaryRoles: [] });
      expect(at.exp! - at.iat!).toBe(3600);

      // Refresh token (B.3): aud, iss, id, sessionId, iat, exp; exp − iat = 7200.
      const { payload: rt } = await verifyWithJwks(lab, tokens.refresh_token!);
      expect(Object.keys(rt).sort()).toEqual(['aud', 'exp', 'iat', 'id', 'iss', 'sessionId']);
      expect(rt).toMatchObject({ aud: clientId, iss: lab.urls.cxone });
      expect(rt.exp! - rt.iat!).toBe(7200);
      expect(lab.state.cxone!.sessions.get(rt['sessionId'] as string)?.userId).toBe(SAM.id);

      // Userinfo with the access token; openid-client checks sub against the ID token's.
      const info = await oidc.fetchUserInfo(cfg, tokens.access_token, id.sub);
      expect(info).toMatchObject({ sub: `user:${SAM.id}`, email: SAM.username, preferred_username: SAM.username, given_name: 'Sam', family_name: 'Sysop', name: 'Sam Sysop', tenantId: tenant.id });
    });
  }

  it('sends token_type "Bearer" and no-store on the wire', async () => {
    const cfg = await discoverCxone(lab, WEB.clientId, oidc.ClientSecretBasic(WEB.secret), WEB.secret);
    let seen: Response | undefined;
    cfg[oidc.customFetch] = async (url, options) => {
      const res = await fetch(url, options as RequestInit);
      if (String(url).endsWith('/auth/token')) seen = res.clone();
      return res;
    };
    await cxoneCodeFlow(cfg, WEB.redirectUri);
    expect(seen!.headers.get('cache-control')).toBe('no-store');
    expect(((await seen!.json()) as { token_type: string }).token_type).toBe('Bearer');
  });

  it('refreshes with rotation: new tokens, the old refresh token refused, and its reuse revokes the grant', async () => {
    const cfg = await discoverCxone(lab, WEB.clientId, oidc.ClientSecretBasic(WEB.secret), WEB.secret);
    const { tokens } = await cxoneCodeFlow(cfg, WEB.redirectUri);
    const first = tokens.refresh_token!;
    const refreshed = await oidc.refreshTokenGrant(cfg, first);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(first);
    const idAfter = refreshed.claims()!;
    expect(idAfter.sub).toBe(`user:${SAM.id}`);
    expect(idAfter.auth_time).toBe(tokens.claims()!.auth_time); // OIDC Core §12.2: the original sign-in's time
    expect(claimsOf(refreshed.refresh_token!)['sessionId']).toBe(claimsOf(first)['sessionId']);
    await oidc.fetchUserInfo(cfg, refreshed.access_token, idAfter.sub);

    // The used refresh token comes back: refused, and every token of the grant is revoked.
    const reuse = await oauthError(oidc.refreshTokenGrant(cfg, first));
    expect(reuse.error).toBe('invalid_grant');
    expect((await oauthError(oidc.refreshTokenGrant(cfg, refreshed.refresh_token!))).error).toBe('invalid_grant');
    expect((await oauthError(oidc.fetchUserInfo(cfg, refreshed.access_token, idAfter.sub))).error).toBe('invalid_token');
  });

  it('gives a browser that is already signed in its code without showing a page again', async () => {
    const cfg = await discoverCxone(lab, SPA.clientId);
    const { ua } = await cxoneCodeFlow(cfg, SPA.redirectUri);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(cfg, { redirect_uri: SPA.redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 's1' });
    const res = await ua.get(url.toString());
    expect(res.status).toBe(302);
    const back = new URL(res.location!);
    expect(back.searchParams.get('state')).toBe('s1');
    const tokens = await oidc.authorizationCodeGrant(cfg, back, { pkceCodeVerifier: verifier, expectedState: 's1' });
    expect(tokens.claims()!.sub).toBe(`user:${SAM.id}`);
  });
});

async function oauthError(p: Promise<unknown>): Promise<{ error: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof oidc.ResponseBodyError) return { error: e.error };
    if (e instanceof oidc.WWWAuthenticateChallengeError) return { error: String(e.cause[0]?.parameters.error ?? '') };
    throw e;
  }
  throw new Error('the call succeeded; an OAuth error was expected');
}
