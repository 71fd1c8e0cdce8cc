import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { addClient, basicAuth, issuerUrl, obtainCode, oidc, postForm, rawFetch, startOidcLab } from '../helpers/oidc-rp.js';

/**
 * PKCE (RFC 7636) as the lab enforces it: S256 required for every client unless a confidential
 * one opts out with `require_pkce:false`; public clients can never opt out (OAuth 2.0 Security
 * BCP §2.1.1, RFC 9700); `plain` is refused; codes are single-use (RFC 6749 §4.1.2).
 */
describe('PKCE and authorization codes (negative)', () => {
  let lab: Lab;
  let issuer: string;
  const web = { id: 'sample-web', secret: 'sample-web-secret-0123456789', redirect: 'http://localhost:8080/callback' };

  beforeAll(async () => {
    lab = await startOidcLab();
    issuer = issuerUrl(lab);
    await addClient(lab, {
      client_id: 'legacy-confidential',
      client_secret: 'legacy-confidential-secret-0123456789',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['http://localhost:8080/legacy/callback'],
      require_pkce: false,
    });
    await addClient(lab, {
      client_id: 'public-no-pkce',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['http://localhost:8080/public/callback'],
      require_pkce: false,
    });
  });
  afterAll(() => lab.stop());

  /** A GET to the authorization endpoint, redirects not followed. */
  function authRequest(params: Record<string, string>) {
    const url = new URL(`${issuer}/auth`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return rawFetch(url);
  }

  /** The error parameters of a redirect to `redirectUri` (fails when the OP did not redirect there). */
  function redirectedError(res: { status: number; location: string | null; text: string }, redirectUri: string): URLSearchParams {
    expect(res.status, `expected a redirect, got ${res.status} ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(300);
    expect(res.status).toBeLessThan(400);
    const loc = new URL(res.location!);
    expect(`${loc.origin}${loc.pathname}`).toBe(redirectUri);
    return loc.searchParams;
  }

  function redeem(code: string, verifier: string | undefined, redirectUri = web.redirect, auth = basicAuth(web.id, web.secret)) {
    const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: redirectUri };
    if (verifier !== undefined) form['code_verifier'] = verifier;
    return postForm(`${issuer}/token`, form, { authorization: auth });
  }

  it('refuses a code request without code_challenge, back at the redirect URI with error, state and iss', async () => {
    const state = oidc.randomState();
    const res = await authRequest({ client_id: web.id, redirect_uri: web.redirect, response_type: 'code', scope: 'openid', state, nonce: oidc.randomNonce() });
    // Client and redirect URI are valid, so the error goes to the client (RFC 6749 §4.1.2.1) with
    // the issuer identifier (RFC 9207 §2) — not an OP page.
    const p = redirectedError(res, web.redirect);
    expect(p.get('error')).toBe('invalid_request');
    expect(p.get('error_description')).toMatch(/PKCE/);
    expect(p.get('state')).toBe(state);
    expect(p.get('iss')).toBe(issuer);
    expect(p.get('code')).toBeNull();
  });

  it('refuses code_challenge_method=plain (only S256 is offered)', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const res = await authRequest({
      client_id: web.id,
      redirect_uri: web.redirect,
      response_type: 'code',
      scope: 'openid',
      state,
      code_challenge: verifier, // plain: challenge = verifier (RFC 7636 §4.2)
      code_challenge_method: 'plain',
    });
    const p = redirectedError(res, web.redirect);
    expect(p.get('error')).toBe('invalid_request');
    expect(p.get('error_description')).toMatch(/code_challenge_method/);
    expect(p.get('state')).toBe(state);
    // Discovery must not advertise what is refused.
    const meta = (await rawFetch(`${issuer}/.well-known/openid-configuration`)).json as { code_challenge_methods_supported: string[] };
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('refuses a wrong code_verifier at the token endpoint with invalid_grant', async () => {
    const { code, verifier } = await obtainCode(lab, { clientId: web.id, redirectUri: web.redirect });
    const wrong = oidc.randomPKCECodeVerifier();
    expect(wrong).not.toBe(verifier);
    const res = await redeem(code, wrong);
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_grant');
    // And without any verifier at all (RFC 7636 §4.6: the server MUST verify).
    const none = await redeem(code, undefined);
    expect(none.json.error).toBe('invalid_grant');
  });

  it('lets a confidential client with require_pkce:false complete the code flow without PKCE', async () => {
    const redirect = 'http://localhost:8080/legacy/callback';
    const { code } = await obtainCode(lab, { clientId: 'legacy-confidential', redirectUri: redirect, pkce: false });
    const res = await redeem(code, undefined, redirect, basicAuth('legacy-confidential', 'legacy-confidential-secret-0123456789'));
    expect(res.status, res.text).toBe(200);
    expect(res.json.token_type).toBe('Bearer');
    expect(typeof res.json.id_token).toBe('string');
    expect(typeof res.json.access_token).toBe('string');
  });

  it('still requires PKCE of a public client registered with require_pkce:false', async () => {
    const redirect = 'http://localhost:8080/public/callback';
    const state = oidc.randomState();
    const res = await authRequest({ client_id: 'public-no-pkce', redirect_uri: redirect, response_type: 'code', scope: 'openid', state });
    const p = redirectedError(res, redirect);
    expect(p.get('error')).toBe('invalid_request');
    expect(p.get('error_description')).toMatch(/PKCE/);
    expect(p.get('state')).toBe(state);
  });

  it('accepts an authorization code once: the second redemption is invalid_grant', async () => {
    const { code, verifier } = await obtainCode(lab, { clientId: web.id, redirectUri: web.redirect, scope: 'openid offline_access' });
    const first = await redeem(code, verifier);
    expect(first.status, first.text).toBe(200);
    const second = await redeem(code, verifier);
    expect(second.status).toBe(400);
    expect(second.json.error).toBe('invalid_grant');
    // RFC 6749 §4.1.2: on reuse the server SHOULD revoke the tokens issued from that code;
    // oidc-provider revokes the whole grant.
    const intro = await postForm(`${issuer}/token/introspection`, { token: first.json.access_token }, { authorization: basicAuth(web.id, web.secret) });
    expect(intro.json).toEqual({ active: false });
    const refresh = await postForm(`${issuer}/token`, { grant_type: 'refresh_token', refresh_token: first.json.refresh_token }, { authorization: basicAuth(web.id, web.secret) });
    expect(refresh.json.error).toBe('invalid_grant');
  });
});
