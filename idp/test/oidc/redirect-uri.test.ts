import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { addClient, basicAuth, issuerUrl, obtainCode, oidc, postForm, rawFetch, startOidcLab, type RawResponse } from '../helpers/oidc-rp.js';

/**
 * redirect_uri checks (RFC 6749 §3.1.2, §4.1.2.1, §4.1.3; OIDC Core §3.1.2.1; Security BCP
 * §4.1.3): exact string matching, and when the client or its redirect URI cannot be trusted the OP
 * answers itself and never redirects (an open redirector would leak codes and errors).
 */
describe('redirect_uri validation (negative)', () => {
  let lab: Lab;
  let issuer: string;
  const web = { id: 'sample-web', secret: 'sample-web-secret-0123456789', redirect: 'http://localhost:8080/callback' };
  const two = { id: 'two-redirects', secret: 'two-redirects-secret-0123456789', a: 'http://localhost:8080/two/a', b: 'http://localhost:8080/two/b' };

  beforeAll(async () => {
    lab = await startOidcLab();
    issuer = issuerUrl(lab);
    await addClient(lab, {
      client_id: two.id,
      client_secret: two.secret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [two.a, two.b],
    });
  });
  afterAll(() => lab.stop());

  /** A well-formed code request (PKCE, state, nonce) for `client_id`, with `overrides` applied (undefined removes). */
  async function authRequest(overrides: Record<string, string | undefined>): Promise<RawResponse> {
    const params: Record<string, string | undefined> = {
      client_id: web.id,
      redirect_uri: web.redirect,
      response_type: 'code',
      scope: 'openid',
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      ...overrides,
    };
    const url = new URL(`${issuer}/auth`);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    return rawFetch(url);
  }

  /** The OP answered itself: a 400 OAuth JSON error, no Location anywhere. */
  function refusedWithoutRedirect(res: RawResponse, error: string): void {
    expect(res.status, res.text.slice(0, 300)).toBe(400);
    expect(res.location).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.json.error).toBe(error);
    expect(typeof res.json.error_description).toBe('string');
  }

  it('sanity: the registered redirect_uri is accepted (the request goes on to sign-in)', async () => {
    const res = await authRequest({});
    expect(res.status).toBe(303);
    expect(new URL(res.location!, issuer).pathname).toMatch(/^\/interaction\//);
  });

  it('does not redirect to an unregistered redirect_uri: 400 invalid_redirect_uri', async () => {
    refusedWithoutRedirect(await authRequest({ redirect_uri: 'http://evil.example/callback' }), 'invalid_redirect_uri');
  });

  it.each([
    ['a trailing slash', `${web.redirect}/`],
    ['an added query', `${web.redirect}?next=/admin`],
    ['a different case in the path', web.redirect.replace('/callback', '/Callback')],
    ['a different case in the host', web.redirect.replace('localhost', 'LOCALHOST')],
    ['another port', web.redirect.replace(':8080', ':8081')],
    ['a fragment', `${web.redirect}#x`],
  ])('refuses a redirect_uri that differs by %s (exact string match, Security BCP §4.1.3)', async (_what, uri) => {
    expect(uri).not.toBe(web.redirect);
    refusedWithoutRedirect(await authRequest({ redirect_uri: uri }), 'invalid_redirect_uri');
  });

  it('refuses a request without redirect_uri even for a single-URI client (OIDC Core §3.1.2.1: REQUIRED)', async () => {
    const res = await authRequest({ redirect_uri: undefined });
    refusedWithoutRedirect(res, 'invalid_request');
    expect(res.json.error_description).toMatch(/redirect_uri/);
  });

  it('refuses an unknown client_id with 400 invalid_client, without redirecting', async () => {
    refusedWithoutRedirect(await authRequest({ client_id: 'no-such-client' }), 'invalid_client');
  });

  it('refuses at the token endpoint a redirect_uri other than the authorization request used: invalid_grant', async () => {
    const auth = basicAuth(two.id, two.secret);
    const { code, verifier } = await obtainCode(lab, { clientId: two.id, redirectUri: two.a });
    // b is registered too: only the exact value of the authorization request binds the code (RFC 6749 §4.1.3).
    for (const other of [two.b, `${two.a}/`, web.redirect]) {
      const res = await postForm(`${issuer}/token`, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: other }, { authorization: auth });
      expect(res.status, other).toBe(400);
      expect(res.json.error, other).toBe('invalid_grant');
    }
    // The mismatches did not burn the code: the right redirect_uri still redeems it.
    const ok = await postForm(`${issuer}/token`, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: two.a }, { authorization: auth });
    expect(ok.status, ok.text).toBe(200);
    expect(typeof ok.json.access_token).toBe('string');
  });
});
