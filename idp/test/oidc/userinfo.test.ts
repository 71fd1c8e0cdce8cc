import { createLocalJWKSet, compactVerify, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import {
  addClient,
  clientEncryptionKeyPair,
  codeFlow,
  control,
  discover,
  fixturePrivateJwk,
  issuerUrl,
  oauthErrorOf,
  oidc,
  signingKey,
  startOidcLab,
  UserAgent,
} from '../helpers/oidc-rp.js';

/**
 * The UserInfo endpoint (OIDC Core §5.3) as openid-client uses it: JSON filtered by the granted
 * scopes (§5.4), a signed JWT or an encrypted one when the client registered for it (§5.3.2), a
 * one-shot `claims` fault, and bearer-token errors (RFC 6750 §3.1).
 */
describe('userinfo (openid-client)', () => {
  let lab: Lab;
  let web: oidc.Configuration;
  let jwks: JSONWebKeySet;
  const webRedirect = 'http://localhost:8080/callback';
  const agent1 = new UserAgent();

  /** A public client registered through the control API, with extra metadata. */
  async function publicClient(clientId: string, extra: Record<string, unknown>): Promise<string> {
    const redirectUri = `http://localhost:8080/${clientId}/callback`;
    await addClient(lab, { client_id: clientId, token_endpoint_auth_method: 'none', redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'], ...extra });
    return redirectUri;
  }

  /** Captures the raw userinfo response openid-client receives. */
  function captureUserinfo(cfg: oidc.Configuration): { type?: string | null; body?: string } {
    const seen: { type?: string | null; body?: string } = {};
    cfg[oidc.customFetch] = async (url, options) => {
      const res = await fetch(url, options as RequestInit);
      if (url === cfg.serverMetadata().userinfo_endpoint) {
        seen.type = res.headers.get('content-type');
        seen.body = await res.clone().text();
      }
      return res;
    };
    return seen;
  }

  beforeAll(async () => {
    lab = await startOidcLab();
    web = await discover(lab, 'sample-web', oidc.ClientSecretBasic('sample-web-secret-0123456789'));
    jwks = (await (await fetch(`${issuerUrl(lab)}/jwks`)).json()) as JSONWebKeySet;
  });
  afterAll(() => lab.stop());

  it('releases exactly the claims of the granted scopes (OIDC Core §5.4), as JSON', async () => {
    const user = lab.state.users.get('agent1')!;
    const PROFILE = ['name', 'given_name', 'family_name', 'preferred_username', 'upn'];
    const EMAIL = ['email', 'email_verified'];
    const GROUPS = ['groups', 'roles'];
    const cases: Array<[scope: string, claims: string[]]> = [
      ['openid', []],
      ['openid profile', PROFILE],
      ['openid email', EMAIL],
      ['openid groups', GROUPS],
      ['openid profile email groups', [...PROFILE, ...EMAIL, ...GROUPS]],
    ];
    for (const [scope, claims] of cases) {
      const seen = captureUserinfo(web);
      const { tokens } = await codeFlow(web, { redirectUri: webRedirect, scope, ua: agent1 });
      const info = await oidc.fetchUserInfo(web, tokens.access_token, 'agent1');
      expect(seen.type, scope).toMatch(/^application\/json/);
      expect(Object.keys(info).sort(), scope).toEqual(['sub', ...claims].sort());
    }
    const { tokens } = await codeFlow(web, { redirectUri: webRedirect, scope: 'openid profile email groups', ua: agent1 });
    const info = await oidc.fetchUserInfo(web, tokens.access_token, 'agent1');
    // Values from the directory: groups is an array, roles the user's role.
    expect(info).toMatchObject({
      sub: user.username,
      name: `${user.givenName} ${user.surname}`,
      given_name: user.givenName,
      family_name: user.surname,
      preferred_username: user.username,
      upn: user.upn,
      email: user.email,
      email_verified: true,
      groups: [...user.groups],
      roles: [user.role],
    });
    expect(Array.isArray(info.groups) && info.groups.length).toBeGreaterThan(1);
  });

  it("adds a user's own claims and the client's claim mapping (sample-jwt, supervisor1)", async () => {
    const jwk = fixturePrivateJwk('sample-jwt');
    const cfg = await discover(lab, 'sample-jwt', oidc.PrivateKeyJwt({ key: await signingKey(jwk), kid: jwk.kid }));
    const { tokens } = await codeFlow(cfg, { redirectUri: 'http://localhost:8080/jwt/callback', scope: 'openid groups', username: 'supervisor1', password: 'Super1Pass!' });
    const user = lab.state.users.get('supervisor1')!;
    const info = await oidc.fetchUserInfo(cfg, tokens.access_token, 'supervisor1');
    expect(info).toMatchObject({
      employee_type: user.oidcClaims['employee_type'], // the user's oidcClaims
      department: user.attributes['department'], // "{attributes.department}"
      display: `${user.givenName} ${user.surname}`, // "{givenName} {surname}"
      tenant: 'lab', // a static value
      roles: [user.role],
    });
    expect(user.oidcClaims['employee_type']).toBeTruthy();
    expect(info).not.toHaveProperty('email');
  });

  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
    it(`userinfo_signed_response_alg ${alg}: a signed JWT that openid-client verifies`, async () => {
      const clientId = `ui-signed-${alg.toLowerCase()}`;
      const redirectUri = await publicClient(clientId, { userinfo_signed_response_alg: alg });
      const cfg = await discover(lab, clientId, oidc.None(), { metadata: { userinfo_signed_response_alg: alg } });
      oidc.enableNonRepudiationChecks(cfg);
      const seen = captureUserinfo(cfg);
      const { tokens } = await codeFlow(cfg, { redirectUri, scope: 'openid email', ua: agent1 });
      const info = await oidc.fetchUserInfo(cfg, tokens.access_token, 'agent1');
      expect(info).toMatchObject({ sub: 'agent1', email: 'agent1@lab.example', iss: issuerUrl(lab), aud: clientId });
      // On the wire: application/jwt (§5.3.2), signed with the issuer's published key for alg.
      expect(seen.type).toMatch(/^application\/jwt/);
      const header = decodeProtectedHeader(seen.body!);
      expect(header.alg).toBe(alg);
      expect(jwks.keys.find((k) => k.kid === header.kid)?.alg).toBe(alg);
      await compactVerify(seen.body!, createLocalJWKSet(jwks), { algorithms: [alg] });
    });
  }

  // Every advertised userinfo key-management alg and enc, at least once.
  const ENCRYPTION_CASES = [
    ['ECDH-ES', 'A256CBC-HS512'],
    ['ECDH-ES', 'A256GCM'],
    ['RSA-OAEP-256', 'A128GCM'],
    ['RSA-OAEP', 'A128CBC-HS256'],
  ] as const;
  for (const [alg, enc] of ENCRYPTION_CASES) {
    it(`userinfo encrypted to the client's key: ${alg} with ${enc}`, async () => {
      const clientId = `ui-enc-${alg.toLowerCase()}-${enc.toLowerCase()}`;
      const { key, publicJwk } = await clientEncryptionKeyPair(alg, `${clientId}-key`);
      const redirectUri = await publicClient(clientId, {
        jwks: { keys: [publicJwk] },
        userinfo_signed_response_alg: 'ES256',
        userinfo_encrypted_response_alg: alg,
        userinfo_encrypted_response_enc: enc,
      });
      const cfg = await discover(lab, clientId, oidc.None(), { metadata: { userinfo_signed_response_alg: 'ES256' } });
      oidc.enableDecryptingResponses(cfg, [enc], { key, kid: publicJwk.kid });
      oidc.enableNonRepudiationChecks(cfg);
      const seen = captureUserinfo(cfg);
      const { tokens } = await codeFlow(cfg, { redirectUri, scope: 'openid profile', ua: agent1 });
      const info = await oidc.fetchUserInfo(cfg, tokens.access_token, 'agent1');
      expect(info).toMatchObject({ sub: 'agent1', preferred_username: 'agent1' });
      expect(seen.type).toMatch(/^application\/jwt/);
      expect(seen.body!.split('.')).toHaveLength(5);
      expect(decodeProtectedHeader(seen.body!)).toMatchObject({ alg, enc, kid: publicJwk.kid });
    });
  }

  it('a claims fault with target userinfo changes exactly one userinfo response, not the ID token', async () => {
    const user = lab.state.users.get('agent1')!;
    const queued = await control(lab, 'POST', '/faults', {
      surface: 'oidc',
      kind: 'claims',
      target: 'userinfo',
      clientId: 'sample-web',
      claims: { email: 'changed@lab.example', name: null },
    });
    expect(queued.status).toBe(201);
    const { tokens } = await codeFlow(web, { redirectUri: webRedirect, scope: 'openid profile email', ua: agent1 });
    expect(tokens.claims()).toMatchObject({ email: user.email, name: `${user.givenName} ${user.surname}` });
    const bent = await oidc.fetchUserInfo(web, tokens.access_token, 'agent1');
    expect(bent.email).toBe('changed@lab.example');
    expect(bent).not.toHaveProperty('name');
    const next = await oidc.fetchUserInfo(web, tokens.access_token, 'agent1');
    expect(next).toMatchObject({ email: user.email, name: `${user.givenName} ${user.surname}` });
    expect((await control(lab, 'GET', '/faults')).body).toEqual([]);
  });

  it('a revoked access token, or one from another issuer, is refused with invalid_token (RFC 6750 §3.1)', async () => {
    const { tokens } = await codeFlow(web, { redirectUri: webRedirect, scope: 'openid', ua: agent1 });
    await oidc.tokenRevocation(web, tokens.access_token);
    const rp = fixturePrivateJwk('ficam-rp');
    const ficam = await discover(lab, 'ficam-rp', oidc.PrivateKeyJwt({ key: await signingKey(rp), kid: rp.kid }), { issuer: 'ficam' });
    const foreign = (await codeFlow(ficam, { redirectUri: 'https://localhost:8443/ficam/callback', scope: 'openid', ua: agent1 })).tokens.access_token;
    // The ficam token is good at its own issuer...
    expect((await oidc.fetchUserInfo(ficam, foreign, 'agent1')).sub).toBe('agent1');

    for (const token of [tokens.access_token, foreign]) {
      // ...and at the default issuer's userinfo, neither is.
      const refused = await oauthErrorOf(oidc.fetchUserInfo(web, token, 'agent1'));
      expect(refused).toMatchObject({ error: 'invalid_token', status: 401 });
      const res = await fetch(web.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    }
  });
});
