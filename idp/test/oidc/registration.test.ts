import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { clientKeyPair, codeFlow, control, discover, issuerUrl, oidc, startOidcLab } from '../helpers/oidc-rp.js';

/**
 * Dynamic client registration (RFC 7591, OIDC Dynamic Client Registration 1.0): off by default,
 * as on most IdPs; when on, a registered client lands in the lab's client store (the control API
 * lists it) as a third-party client, so its users see the consent page. An initial access token
 * (RFC 7591 §3) protects the endpoint when configured; the FICAM issuer holds registrations to
 * its profile.
 */
const REDIRECT = 'https://rp.example/cb';

async function register(lab: Lab, metadata: Record<string, unknown>, opts: { issuer?: string; token?: string } = {}) {
  const res = await fetch(`${issuerUrl(lab, opts.issuer)}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    body: JSON.stringify(metadata),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

async function discovery(lab: Lab, issuerId = 'default'): Promise<Record<string, unknown>> {
  return (await fetch(`${issuerUrl(lab, issuerId)}/.well-known/openid-configuration`)).json() as Promise<Record<string, unknown>>;
}

describe('dynamic client registration off (the default)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startOidcLab();
  });
  afterAll(() => lab.stop());

  it('is not advertised and /reg is a JSON 404', async () => {
    expect(lab.config.oidc.registration.enabled).toBe(false);
    const before = ((await control(lab, 'GET', '/oidc/clients')).body as unknown[]).length;
    for (const issuer of ['default', 'ficam']) {
      const meta = await discovery(lab, issuer);
      expect(meta['issuer']).toBe(issuerUrl(lab, issuer));
      expect(meta).not.toHaveProperty('registration_endpoint');
      const r = await register(lab, { redirect_uris: [REDIRECT] }, { issuer });
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.body['error']).toBe('invalid_request');
    }
    expect(((await control(lab, 'GET', '/oidc/clients')).body as unknown[]).length).toBe(before);
  });
});

describe('dynamic client registration on', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startOidcLab({ config: { oidc: { registration: { enabled: true } } } });
  });
  afterAll(() => lab.stop());

  it('is advertised in discovery', async () => {
    expect((await discovery(lab))['registration_endpoint']).toBe(`${issuerUrl(lab)}/reg`);
    expect((await discovery(lab, 'ficam'))['registration_endpoint']).toBe(`${issuerUrl(lab, 'ficam')}/reg`);
  });

  it('registers a client (201, client_id and client_secret) that the control API lists as third-party', async () => {
    const r = await register(lab, { redirect_uris: [REDIRECT], client_name: 'Registered RP', grant_types: ['authorization_code'], response_types: ['code'] });
    expect(r.status).toBe(201);
    expect(r.body['client_id']).toEqual(expect.any(String));
    expect(r.body['client_secret']).toEqual(expect.any(String));
    expect(r.body['redirect_uris']).toEqual([REDIRECT]);
    // RFC 7592 §3: the client's management URI and its token.
    expect(r.body['registration_access_token']).toEqual(expect.any(String));
    const listed = ((await control(lab, 'GET', '/oidc/clients')).body as Array<Record<string, unknown>>).find((c) => c['client_id'] === r.body['client_id']);
    expect(listed).toMatchObject({ issuer: 'default', first_party: false, client_name: 'Registered RP', redirect_uris: [REDIRECT] });
  });

  it('a registering client cannot make itself first-party (trusted, no consent)', async () => {
    const r = await register(lab, { redirect_uris: [REDIRECT], client_name: 'Self-trusting RP', first_party: true });
    expect(r.status).toBe(201);
    // RFC 7591 §3.2.1: the response carries the metadata as registered.
    expect(r.body['first_party']).toBe(false);
    const listed = ((await control(lab, 'GET', '/oidc/clients')).body as Array<Record<string, unknown>>).find((c) => c['client_id'] === r.body['client_id']);
    expect(listed).toMatchObject({ first_party: false });
  });

  it("runs a code flow for the registered client through openid-client's own registration, with the consent page", async () => {
    // openid-client registers (RFC 7591 §3.1) and gets a Configuration for the new client.
    const cfg = await oidc.dynamicClientRegistration(
      new URL(issuerUrl(lab)),
      { redirect_uris: [REDIRECT], response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic' },
      undefined,
      { execute: [oidc.allowInsecureRequests] },
    );
    const clientId = cfg.clientMetadata().client_id;
    const { tokens, auth } = await codeFlow(cfg, { redirectUri: REDIRECT, consent: 'approve' });
    expect(auth.pages).toEqual(['login', 'consent']);
    expect(tokens.claims()).toMatchObject({ sub: 'agent1', aud: clientId, iss: issuerUrl(lab) });
    // A first-party fixture client is not asked: the page is about this client being third-party.
    const web = await discover(lab, 'sample-web', oidc.ClientSecretBasic('sample-web-secret-0123456789'));
    expect((await codeFlow(web, { redirectUri: 'http://localhost:8080/callback' })).auth.pages).toEqual(['login']);
  });

  it('refuses invalid metadata with invalid_client_metadata or invalid_redirect_uri (RFC 7591 §3.2.2)', async () => {
    const before = ((await control(lab, 'GET', '/oidc/clients')).body as unknown[]).length;
    const badAuth = await register(lab, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'no-such-method' });
    expect(badAuth.status).toBe(400);
    expect(badAuth.body['error']).toBe('invalid_client_metadata');
    expect(badAuth.body['error_description']).toMatch(/token_endpoint_auth_method/);
    const badLab = await register(lab, { redirect_uris: [REDIRECT], first_party: 'yes' });
    expect(badLab.status).toBe(400);
    expect(badLab.body).toMatchObject({ error: 'invalid_client_metadata', error_description: 'first_party must be a boolean' });
    // OIDC Registration §2: redirect URIs must not carry a fragment.
    const fragment = await register(lab, { redirect_uris: ['https://rp.example/cb#frag'] });
    expect(fragment.status).toBe(400);
    expect(fragment.body['error']).toBe('invalid_redirect_uri');
    const none = await register(lab, { redirect_uris: [] });
    expect(none.status).toBe(400);
    expect(none.body['error']).toBe('invalid_redirect_uri');
    expect(((await control(lab, 'GET', '/oidc/clients')).body as unknown[]).length).toBe(before);
  });

  it('holds a registration at the ficam issuer to the FICAM rules; a compliant one is registered there', async () => {
    const bad = await register(lab, { redirect_uris: [REDIRECT] }, { issuer: 'ficam' });
    expect(bad.status).toBe(400);
    expect(bad.body['error']).toBe('invalid_client_metadata');
    expect(bad.body['error_description']).toMatch(/^FICAM\/iGov: .*private_key_jwt/);
    const { publicJwk } = await clientKeyPair('ES256', 'reg-ficam-1');
    const good = await register(
      lab,
      { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [publicJwk] } },
      { issuer: 'ficam' },
    );
    expect(good.status).toBe(201);
    expect(good.body).not.toHaveProperty('client_secret');
    const listed = ((await control(lab, 'GET', '/oidc/clients')).body as Array<Record<string, unknown>>).find((c) => c['client_id'] === good.body['client_id']);
    expect(listed).toMatchObject({ issuer: 'ficam', first_party: false, token_endpoint_auth_method: 'private_key_jwt' });
  });
});

describe('dynamic client registration with an initial access token', () => {
  let lab: Lab;
  const iat = 'initial-access-token-0123456789';
  beforeAll(async () => {
    lab = await startOidcLab({ config: { oidc: { registration: { enabled: true, initialAccessToken: iat } } } });
  });
  afterAll(() => lab.stop());

  it('refuses a registration without the bearer token, or with another one (401 invalid_token)', async () => {
    for (const token of [undefined, 'not-the-initial-access-token']) {
      const r = await register(lab, { redirect_uris: [REDIRECT] }, token ? { token } : {});
      expect(r.status).toBe(401);
      expect(r.body['error']).toBe('invalid_token');
      // RFC 6750 §3: a 401 names the scheme it wants.
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
  });

  it('registers with it (201)', async () => {
    const r = await register(lab, { redirect_uris: [REDIRECT] }, { token: iat });
    expect(r.status).toBe(201);
    expect(r.body['client_id']).toEqual(expect.any(String));
  });
});
