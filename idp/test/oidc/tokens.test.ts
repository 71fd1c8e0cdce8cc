import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { addClient, clientKeyPair, codeFlow, discover, fixturePrivateJwk, issuerUrl, oauthErrorOf, oidc, signingKey, startOidcLab } from '../helpers/oidc-rp.js';

/**
 * Tokens after the authorization step: refresh token rotation with reuse detection (OAuth 2.0
 * Security BCP, RFC 9700 §4.14.2), offline_access without a consent page, client_credentials
 * (RFC 6749 §4.4) with opaque and RFC 9068 JWT access tokens (RFC 8707 resource), introspection
 * (RFC 7662) and revocation (RFC 7009).
 */
describe('refresh, client credentials, introspection and revocation (openid-client)', () => {
  let lab: Lab;
  let web: oidc.Configuration;
  let spa: oidc.Configuration;
  const webRedirect = 'http://localhost:8080/callback';
  const spaRedirect = 'http://localhost:8080/spa/callback';

  beforeAll(async () => {
    lab = await startOidcLab();
    web = await discover(lab, 'sample-web', oidc.ClientSecretBasic('sample-web-secret-0123456789'));
    spa = await discover(lab, 'sample-spa', oidc.None());
  });
  afterAll(() => lab.stop());

  const cases = [
    { kind: 'confidential (sample-web)', cfg: () => web, redirectUri: webRedirect },
    { kind: 'public (sample-spa)', cfg: () => spa, redirectUri: spaRedirect },
  ];
  for (const c of cases) {
    it(`rotates the refresh token of a ${c.kind} client on every use; reuse revokes the grant`, async () => {
      const cfg = c.cfg();
      const { tokens } = await codeFlow(cfg, { redirectUri: c.redirectUri, scope: 'openid offline_access' });
      const r0 = tokens.refresh_token!;
      expect(r0).toBeTruthy();
      const first = await oidc.refreshTokenGrant(cfg, r0);
      const r1 = first.refresh_token!;
      expect(r1).toBeTruthy();
      expect(r1).not.toBe(r0);
      // The refreshed ID token is about the same user.
      expect(first.claims()).toMatchObject({ sub: 'agent1' });
      const second = await oidc.refreshTokenGrant(cfg, r1);
      const r2 = second.refresh_token!;
      expect(r2).not.toBe(r1);
      // A rotated token is spent...
      expect((await oauthErrorOf(oidc.refreshTokenGrant(cfg, r0))).error).toBe('invalid_grant');
      // ...and its reuse is taken as theft: the newest token dies with the grant (RFC 9700 §4.14.2).
      expect((await oauthErrorOf(oidc.refreshTokenGrant(cfg, r2))).error).toBe('invalid_grant');
      // So do the access tokens of the grant.
      expect((await oidc.tokenIntrospection(cfg, second.access_token)).active).toBe(false);
    });
  }

  it('offline_access is granted without any consent page (first-party client)', async () => {
    const { tokens, auth } = await codeFlow(web, { redirectUri: webRedirect, scope: 'openid offline_access' });
    // oidc-provider would drop offline_access without prompt=consent; the lab grants it silently.
    expect(auth.pages).toEqual(['login']);
    expect(tokens.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'offline_access']));
    expect(tokens.refresh_token).toBeTruthy();
    const intro = await oidc.tokenIntrospection(web, tokens.refresh_token!);
    expect(intro).toMatchObject({ active: true, client_id: 'sample-web', sub: 'agent1' });
    expect(String(intro.scope).split(' ')).toContain('offline_access');
  });

  it('client_credentials: an opaque access token for sample-service, active at introspection', async () => {
    const svc = await discover(lab, 'sample-service', oidc.ClientSecretBasic('sample-service-secret-0123456789'));
    const tokens = await oidc.clientCredentialsGrant(svc);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.refresh_token).toBeUndefined();
    // Opaque: not a JWS (nothing a resource server could verify without introspection).
    expect(tokens.access_token.split('.')).toHaveLength(1);
    const intro = await oidc.tokenIntrospection(svc, tokens.access_token);
    expect(intro).toMatchObject({ active: true, client_id: 'sample-service', iss: issuerUrl(lab) });
    expect(intro.sub).toBeUndefined(); // no user behind a client_credentials token
  });

  it('client_credentials with resource=https://api.lab.example/: a JWT access token (RFC 9068) verified with jose', async () => {
    const jwk = fixturePrivateJwk('sample-jwt');
    const cfg = await discover(lab, 'sample-jwt', oidc.PrivateKeyJwt({ key: await signingKey(jwk), kid: jwk.kid }));
    const resource = 'https://api.lab.example/';
    const tokens = await oidc.clientCredentialsGrant(cfg, { resource, scope: 'api:read api:write' });
    const jwks = (await (await fetch(cfg.serverMetadata().jwks_uri!)).json()) as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createLocalJWKSet(jwks), {
      issuer: issuerUrl(lab),
      audience: resource,
      typ: 'at+jwt', // RFC 9068 §2.1 (jose compares it without the application/ prefix)
    });
    expect(jwks.keys.some((k) => k.kid === protectedHeader.kid)).toBe(true);
    expect(payload).toMatchObject({ client_id: 'sample-jwt', sub: 'sample-jwt', aud: resource });
    expect(String(payload['scope']).split(' ').sort()).toEqual(['api:read', 'api:write']);
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBeGreaterThan(0);
  });

  it('introspection reflects revocation of an access token', async () => {
    const { tokens } = await codeFlow(web, { redirectUri: webRedirect, scope: 'openid' });
    expect((await oidc.tokenIntrospection(web, tokens.access_token)).active).toBe(true);
    await oidc.tokenRevocation(web, tokens.access_token, { token_type_hint: 'access_token' });
    expect(await oidc.tokenIntrospection(web, tokens.access_token)).toEqual({ active: false });
  });

  it('a revoked refresh token cannot be used, and the access tokens of its grant die with it', async () => {
    const { tokens } = await codeFlow(web, { redirectUri: webRedirect, scope: 'openid offline_access' });
    await oidc.tokenRevocation(web, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    expect((await oidc.tokenIntrospection(web, tokens.refresh_token!)).active).toBe(false);
    expect((await oauthErrorOf(oidc.refreshTokenGrant(web, tokens.refresh_token!))).error).toBe('invalid_grant');
    // RFC 7009 §2.1: revoking a refresh token SHOULD also invalidate its access tokens.
    expect((await oidc.tokenIntrospection(web, tokens.access_token)).active).toBe(false);
  });

  it('introspection of garbage is inactive, not an error (RFC 7662 §2.2)', async () => {
    expect(await oidc.tokenIntrospection(web, 'not-a-token-at-all')).toEqual({ active: false });
  });

  it('the ficam issuer: refresh rotation for ficam-rp, and client_credentials for a private_key_jwt client', async () => {
    const rp = fixturePrivateJwk('ficam-rp');
    const cfg = await discover(lab, 'ficam-rp', oidc.PrivateKeyJwt({ key: await signingKey(rp), kid: rp.kid }), { issuer: 'ficam' });
    const { tokens } = await codeFlow(cfg, { redirectUri: 'https://localhost:8443/ficam/callback', scope: 'openid' });
    const refreshed = await oidc.refreshTokenGrant(cfg, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect((await oauthErrorOf(oidc.refreshTokenGrant(cfg, tokens.refresh_token!))).error).toBe('invalid_grant');

    const { key, publicJwk } = await clientKeyPair('ES256', 'ficam-svc-1');
    await addClient(lab, {
      client_id: 'ficam-svc',
      issuer: 'ficam',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: { keys: [publicJwk] },
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });
    const svc = await discover(lab, 'ficam-svc', oidc.PrivateKeyJwt({ key, kid: publicJwk.kid }), { issuer: 'ficam' });
    const cc = await oidc.clientCredentialsGrant(svc);
    expect(await oidc.tokenIntrospection(svc, cc.access_token)).toMatchObject({ active: true, client_id: 'ficam-svc', iss: issuerUrl(lab, 'ficam') });
  });
});
