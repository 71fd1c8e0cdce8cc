import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import {
  addClient,
  authorizationFailure,
  clientKeyPair,
  codeFlow,
  control,
  discover,
  fixturePrivateJwk,
  issuerUrl,
  oidc,
  signingKey,
  startOidcLab,
  UserAgent,
} from '../helpers/oidc-rp.js';
import { authorize } from '../../../harness/src/clients/oidc-browser.js';

/**
 * The FICAM / iGov profile (reference oidc-mocks-and-ficam.md §4.2): the `/ficam` issuer and any
 * client registered with `profile: 'ficam'` get the code flow only, PKCE S256, private_key_jwt,
 * long state and nonce, exact redirect URIs, ID tokens of at most 5 minutes with acr and amr.
 * The independent RP (openid-client) proves the compliant flow; each broken rule is refused
 * with its own OAuth error code.
 */
const AAL2 = 'http://idmanagement.gov/ns/assurance/aal/2';
const FICAM_ACR = /^http:\/\/idmanagement\.gov\/ns\/assurance\//;
const FICAM_REDIRECT = 'https://localhost:8443/ficam/callback';
/** The lab-wide refresh-token lifetime these tests run with: far above the FICAM cap. */
const REFRESH_TTL = 14 * 86_400;
/** 43 characters, like openid-client's randomState(): above the 22-character floor. */
const LONG = () => oidc.randomState();

describe('FICAM / iGov profile', () => {
  let lab: Lab;
  let cfg: oidc.Configuration;
  let clientKey: Awaited<ReturnType<typeof clientKeyPair>>;

  beforeAll(async () => {
    // ID tokens would live an hour and refresh tokens 14 days on a standard client: the FICAM
    // caps must win over both.
    lab = await startOidcLab({ config: { oidc: { ttl: { idToken: 3600, refreshToken: REFRESH_TTL } } } });
    const jwk = fixturePrivateJwk('ficam-rp');
    cfg = await discover(lab, 'ficam-rp', oidc.PrivateKeyJwt({ key: await signingKey(jwk), kid: jwk.kid }), { issuer: 'ficam' });
    clientKey = await clientKeyPair('ES256', 'ficam-test-1');
  });
  afterAll(() => lab.stop());

  /** A compliant FICAM client registration; tests break one field at a time. */
  const compliant = (over: Record<string, unknown>) => ({
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [clientKey.publicJwk] },
    redirect_uris: ['https://rp.example/cb'],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    ...over,
  });

  /** An authorization URL for `client_id` with every FICAM parameter right, then `over` (undefined removes). */
  async function authUrl(issuerId: string, clientId: string, over: Record<string, string | undefined>): Promise<URL> {
    const meta = await (await fetch(`${issuerUrl(lab, issuerId)}/.well-known/openid-configuration`)).json();
    const url = new URL(meta.authorization_endpoint as string);
    const params: Record<string, string | undefined> = {
      client_id: clientId,
      response_type: 'code',
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: LONG(),
      nonce: LONG(),
      ...over,
    };
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    return url;
  }

  it('completes a compliant code flow: ID token with a FICAM acr, amr, and a lifetime of at most 300 s', async () => {
    expect(lab.config.oidc.ttl.idToken).toBe(3600);
    const { tokens, auth } = await codeFlow(cfg, { redirectUri: FICAM_REDIRECT, username: 'supervisor1', password: 'Super1Pass!' });
    expect(auth.pages).toEqual(['login']);
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(issuerUrl(lab, 'ficam'));
    expect(claims.aud).toBe('ficam-rp');
    // No acr_values asked for: the FICAM default list applies and supervisor1 (PIV) reaches its
    // first entry (iGov OIDC §3.1: acr and amr are REQUIRED in the ID token).
    expect(claims.acr).toMatch(FICAM_ACR);
    expect(claims.acr).toBe(`${AAL2}?hspd12=true`);
    expect(claims.amr).toEqual(['sc', 'pin', 'mfa']);
    // iGov OIDC §3.1: the ID token lifetime SHOULD be at most five minutes.
    expect(claims.exp - claims.iat).toBeGreaterThan(0);
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(300);
  });

  it('caps a FICAM refresh token at 24 h while a default-issuer one lives the configured 14 days', async () => {
    // iGov OAuth2 "Token Lifetimes": refresh tokens of at most 24 hours. Introspection (RFC 7662
    // §2.2 exp, iat) by the client itself, so the lifetime is the OP's own statement.
    expect(lab.config.oidc.ttl.refreshToken).toBe(REFRESH_TTL);
    const { tokens } = await codeFlow(cfg, { redirectUri: FICAM_REDIRECT, scope: 'openid' });
    expect(tokens.refresh_token).toBeTruthy();
    const ficamRt = await oidc.tokenIntrospection(cfg, tokens.refresh_token!);
    expect(ficamRt).toMatchObject({ active: true, client_id: 'ficam-rp', iss: issuerUrl(lab, 'ficam') });
    expect(typeof ficamRt.exp).toBe('number');
    expect(typeof ficamRt.iat).toBe('number');
    expect(ficamRt.exp! - ficamRt.iat!).toBeGreaterThan(0);
    expect(ficamRt.exp! - ficamRt.iat!).toBeLessThanOrEqual(86_400);

    // The same lab, a standard client: the configured lifetime, so the cap above is the profile's.
    const web = await discover(lab, 'sample-web', oidc.ClientSecretBasic('sample-web-secret-0123456789'));
    const std = await codeFlow(web, { redirectUri: 'http://localhost:8080/callback', scope: 'openid offline_access' });
    const stdRt = await oidc.tokenIntrospection(web, std.tokens.refresh_token!);
    expect(stdRt).toMatchObject({ active: true, client_id: 'sample-web', iss: issuerUrl(lab) });
    expect(stdRt.exp! - stdRt.iat!).toBe(REFRESH_TTL);
  });

  it('gives agent1 (password only) the FICAM acr it reaches, with amr pwd', async () => {
    const { tokens } = await codeFlow(cfg, { redirectUri: FICAM_REDIRECT, params: { acr_values: `${AAL2} http://idmanagement.gov/ns/assurance/loa/2` } });
    expect(tokens.claims()).toMatchObject({ sub: 'agent1', acr: 'http://idmanagement.gov/ns/assurance/loa/2', amr: ['pwd'] });
  });

  describe('request rules (refused at the authorization endpoint)', () => {
    const cases: Array<{ name: string; over: Record<string, string | undefined>; error: string }> = [
      { name: 'no nonce', over: { nonce: undefined }, error: 'invalid_request' },
      { name: 'a nonce of 21 characters', over: { nonce: 'n'.repeat(21) }, error: 'invalid_request' },
      { name: 'no state', over: { state: undefined }, error: 'invalid_request' },
      { name: 'a state of 21 characters', over: { state: 's'.repeat(21) }, error: 'invalid_request' },
    ];
    for (const c of cases) {
      it(`refuses ${c.name} with ${c.error} and a FICAM/iGov description, at the redirect URI`, async () => {
        const f = await authorizationFailure(await authUrl('ficam', 'ficam-rp', { redirect_uri: FICAM_REDIRECT, ...c.over }), FICAM_REDIRECT);
        expect(f).toMatchObject({ at: 'redirect', error: c.error, pages: [] });
        expect(f.error_description).toMatch(/^FICAM\/iGov: /);
        expect(f.error_description).toMatch(c.name.includes('nonce') ? /nonce/ : /state/);
      });
    }

    it('accepts a state and nonce of exactly 22 characters (the floor is inclusive)', async () => {
      const url = await authUrl('ficam', 'ficam-rp', { redirect_uri: FICAM_REDIRECT, state: 's'.repeat(22), nonce: 'n'.repeat(22) });
      const r = await authorize(new UserAgent(), url, FICAM_REDIRECT, { username: 'agent1', password: 'Agent1Pass!' });
      expect(r.params['code']).toBeTruthy();
      expect(r.params['state']).toBe('s'.repeat(22));
    });

    it('refuses response_type=id_token (implicit) with unsupported_response_type', async () => {
      // The ficam issuer offers only `code` (iGov OIDC §2.1): oidc-provider refuses the response
      // type itself; the lab makes the description name the rule.
      const f = await authorizationFailure(await authUrl('ficam', 'ficam-rp', { redirect_uri: FICAM_REDIRECT, response_type: 'id_token' }), FICAM_REDIRECT);
      expect(f).toMatchObject({ at: 'redirect', error: 'unsupported_response_type', pages: [] });
      expect(f.error_description).toMatch(/^FICAM\/iGov: only the authorization code flow/);
    });

    it('refuses a request without PKCE (oidc-provider itself: invalid_request naming PKCE)', async () => {
      const f = await authorizationFailure(
        await authUrl('ficam', 'ficam-rp', { redirect_uri: FICAM_REDIRECT, code_challenge: undefined, code_challenge_method: undefined }),
        FICAM_REDIRECT,
      );
      expect(f).toMatchObject({ at: 'redirect', error: 'invalid_request' });
      expect(f.error_description).toMatch(/^FICAM\/iGov: PKCE with S256 is required/);
    });

    it('refuses a loopback redirect_uri on another port than registered (RFC 8252 §7.3 leniency off), without redirecting', async () => {
      const registered = 'http://127.0.0.1:7001/cb';
      await addClient(lab, { client_id: 'ficam-native', issuer: 'ficam', application_type: 'native', ...compliant({ redirect_uris: [registered] }) });
      // The exact URI works: the client itself is fine.
      const ok = await authorize(new UserAgent(), await authUrl('ficam', 'ficam-native', { redirect_uri: registered }), registered, { username: 'agent1', password: 'Agent1Pass!' });
      expect(ok.params['code']).toBeTruthy();
      const other = 'http://127.0.0.1:7002/cb';
      const f = await authorizationFailure(await authUrl('ficam', 'ficam-native', { redirect_uri: other }), other);
      // Not sent to the unregistered URI (RFC 6749 §4.1.2.1): the OP answers itself.
      expect(f).toMatchObject({ at: 'provider', status: 400, error: 'invalid_redirect_uri' });
      expect(f.error_description).toMatch(/^FICAM\/iGov: .*exactly/);
    });

    it('ends with unmet_authentication_requirements when the user reaches no requested acr', async () => {
      const f = await authorizationFailure(await authUrl('ficam', 'ficam-rp', { redirect_uri: FICAM_REDIRECT, acr_values: AAL2 }), FICAM_REDIRECT);
      // The user signed in first: only then is it known that agent1 has no second factor.
      expect(f).toMatchObject({ at: 'redirect', error: 'unmet_authentication_requirements', pages: ['login'] });
      expect(f.error_description).toContain(AAL2);
    });
  });

  describe('registration rules (control API)', () => {
    const broken: Array<{ name: string; over: Record<string, unknown>; rule: RegExp }> = [
      { name: 'client_secret_basic', over: { token_endpoint_auth_method: 'client_secret_basic', client_secret: 'x'.repeat(32) }, rule: /private_key_jwt/ },
      { name: "response_types ['code id_token']", over: { response_types: ['code id_token'], grant_types: ['authorization_code', 'implicit'] }, rule: /response_type=code/ },
      { name: 'require_pkce: false', over: { require_pkce: false }, rule: /PKCE/ },
      { name: 'no jwks', over: { jwks: undefined }, rule: /jwks/ },
      { name: "id_token_signed_response_alg 'none'", over: { id_token_signed_response_alg: 'none' }, rule: /"none"/ },
      { name: 'an http://example.com redirect URI', over: { redirect_uris: ['http://example.com/cb'] }, rule: /https/ },
    ];
    for (const [n, b] of broken.entries()) {
      it(`refuses a ficam-issuer client with ${b.name}: 400 ERR_CONTROL_INVALID, invalid_client_metadata naming the rule`, async () => {
        const r = await control(lab, 'POST', '/oidc/clients', { client_id: `bad-ficam-${n}`, issuer: 'ficam', ...compliant(b.over) });
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe('ERR_CONTROL_INVALID');
        expect(r.body.error.details.error).toBe('invalid_client_metadata');
        expect(r.body.error.details.error_description).toMatch(/FICAM\/iGov: /);
        expect(r.body.error.details.error_description).toMatch(b.rule);
        expect((await control(lab, 'GET', `/oidc/clients/bad-ficam-${n}`)).status).toBe(404);
      });
    }

    it('accepts the compliant registration the cases above break', async () => {
      const r = await control(lab, 'POST', '/oidc/clients', { client_id: 'good-ficam', issuer: 'ficam', ...compliant({}) });
      expect(r.status).toBe(201);
    });
  });

  describe("a standard-issuer client with profile 'ficam'", () => {
    const redirect = 'https://rp.example/std-cb';
    let stdFicam: oidc.Configuration;

    beforeAll(async () => {
      await addClient(lab, { client_id: 'std-ficam', issuer: 'default', profile: 'ficam', ...compliant({ redirect_uris: [redirect] }) });
      // The same client without the profile: held to the standard rules only.
      await addClient(lab, { client_id: 'std-plain', issuer: 'default', ...compliant({ redirect_uris: [redirect] }) });
      stdFicam = await discover(lab, 'std-ficam', oidc.PrivateKeyJwt({ key: clientKey.key, kid: clientKey.publicJwk.kid }));
    });

    it('is refused at registration for client_secret_basic, while the same client without profile is accepted', async () => {
      const bad = { issuer: 'default', ...compliant({ redirect_uris: [redirect], token_endpoint_auth_method: 'client_secret_basic', token_endpoint_auth_signing_alg: undefined, client_secret: 'x'.repeat(32) }) };
      const r = await control(lab, 'POST', '/oidc/clients', { client_id: 'std-ficam-basic', profile: 'ficam', ...bad });
      expect(r.status).toBe(400);
      expect(r.body.error.details.error).toBe('invalid_client_metadata');
      expect(r.body.error.details.error_description).toMatch(/^FICAM\/iGov: .*private_key_jwt/);
      const plain = await control(lab, 'POST', '/oidc/clients', { client_id: 'std-plain-basic', ...bad });
      expect(plain.body).toMatchObject({ client_id: 'std-plain-basic' });
      expect(plain.status).toBe(201);
    });

    it('is refused at request time for a short state, while the same client without profile gets a code', async () => {
      const f = await authorizationFailure(await authUrl('default', 'std-ficam', { redirect_uri: redirect, state: 'short-state' }), redirect);
      expect(f).toMatchObject({ at: 'redirect', error: 'invalid_request' });
      expect(f.error_description).toMatch(/^FICAM\/iGov: state/);
      const ok = await authorize(new UserAgent(), await authUrl('default', 'std-plain', { redirect_uri: redirect, state: 'short-state', nonce: undefined }), redirect, {
        username: 'agent1',
        password: 'Agent1Pass!',
      });
      expect(ok.params['code']).toBeTruthy();
      expect(ok.params['state']).toBe('short-state');
    });

    it('is refused response_type=id_token although the standard issuer offers it', async () => {
      const meta = await (await fetch(`${issuerUrl(lab)}/.well-known/openid-configuration`)).json();
      expect(meta.response_types_supported).toContain('id_token');
      // The client can only be registered for `code` (the registration rule), so oidc-provider
      // refuses the other response type for this client.
      const f = await authorizationFailure(await authUrl('default', 'std-ficam', { redirect_uri: redirect, response_type: 'id_token' }), redirect);
      expect(f).toMatchObject({ at: 'redirect', error: 'invalid_request', pages: [] });
      expect(f.error_description).toMatch(/^FICAM\/iGov: only the authorization code flow/);
    });

    it('gets FICAM ID tokens on the standard issuer: at most 300 s, FICAM acr', async () => {
      const { tokens } = await codeFlow(stdFicam, { redirectUri: redirect, username: 'agent2', password: 'Agent2Pass!' });
      const claims = tokens.claims()!;
      expect(claims.iss).toBe(issuerUrl(lab));
      expect(claims.acr).toBe(AAL2);
      expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
      expect(claims.exp - claims.iat).toBeLessThanOrEqual(300);
    });

    it('requires an acr the user reaches, where the plain client is answered with a lower one', async () => {
      const f = await authorizationFailure(await authUrl('default', 'std-ficam', { redirect_uri: redirect, acr_values: AAL2 }), redirect);
      expect(f).toMatchObject({ at: 'redirect', error: 'unmet_authentication_requirements', pages: ['login'] });
      // OIDC Core §3.1.2.1: acr_values are voluntary for a standard client.
      const ok = await authorize(new UserAgent(), await authUrl('default', 'std-plain', { redirect_uri: redirect, acr_values: AAL2 }), redirect, {
        username: 'agent1',
        password: 'Agent1Pass!',
      });
      expect(ok.params['error']).toBeUndefined();
      expect(ok.params['code']).toBeTruthy();
    });
  });

  it('advertises only private_key_jwt, the code flow and S256 in the ficam discovery document', async () => {
    const meta = await (await fetch(`${issuerUrl(lab, 'ficam')}/.well-known/openid-configuration`)).json();
    expect(meta.issuer).toBe(issuerUrl(lab, 'ficam'));
    expect(meta.token_endpoint_auth_methods_supported).toEqual(['private_key_jwt']);
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    // The standard issuer offers more: the difference is the profile's, not the library's default.
    const standard = await (await fetch(`${issuerUrl(lab)}/.well-known/openid-configuration`)).json();
    expect(standard.token_endpoint_auth_methods_supported).toContain('client_secret_basic');
    expect(standard.response_types_supported).toContain('id_token');
  });
});
