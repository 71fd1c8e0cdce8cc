import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { authorize } from '../../../harness/src/clients/oidc-browser.js';
import { addClient, codeFlow, discover, issuerUrl, oidc, startOidcLab, UserAgent } from '../helpers/oidc-rp.js';

/**
 * The response types and modes the default issuer advertises besides the plain code flow in the
 * query: implicit `id_token` (OIDC Core §3.2) in the fragment, hybrid `code id_token` (§3.3), and
 * `response_mode=form_post` (OAuth 2.0 Form Post Response Mode §2). openid-client validates each
 * response (nonce, state, c_hash, signature) as a real RP would.
 */
describe('response types and response modes (openid-client)', () => {
  let lab: Lab;
  const clientId = 'rt-client';
  const secret = 'rt-client-secret-0123456789abcdef';
  // Web clients using the implicit grant must register https, non-localhost redirect URIs
  // (OIDC Registration §2); the scripted browser stops at the redirect, nothing listens there.
  const redirectUri = 'https://rp.example.test/rt/callback';

  beforeAll(async () => {
    lab = await startOidcLab();
    await addClient(lab, {
      client_id: clientId,
      client_secret: secret,
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [redirectUri],
      response_types: ['code', 'id_token', 'code id_token'],
      grant_types: ['authorization_code', 'implicit'],
    });
  });
  afterAll(() => lab.stop());

  it('implicit id_token: the ID token comes back in the fragment and openid-client accepts it', async () => {
    const cfg = await discover(lab, clientId, oidc.ClientSecretBasic(secret));
    oidc.useIdTokenResponseType(cfg);
    // The implicit ID token is the only proof of authentication: its signature must verify.
    oidc.enableNonRepudiationChecks(cfg);
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(cfg, { redirect_uri: redirectUri, scope: 'openid email', nonce, state, response_mode: 'fragment' });
    expect(url.searchParams.get('response_type')).toBe('id_token');
    const auth = await authorize(new UserAgent(), url, redirectUri, { username: 'agent1', password: 'Agent1Pass!' });
    expect(auth.pages).toEqual(['login']);
    expect(auth.callback.search).toBe('');
    const fragment = new URLSearchParams(auth.callback.hash.slice(1));
    expect(fragment.get('state')).toBe(state);
    // id_token only: neither a code nor an access token is issued (OIDC Core §3.2.2.5).
    expect(fragment.has('code')).toBe(false);
    expect(fragment.has('access_token')).toBe(false);
    const claims = await oidc.implicitAuthentication(cfg, auth.callback, nonce, { expectedState: state });
    // With no access token to fetch userinfo, the scope's claims are in the ID token (§5.4).
    expect(claims).toMatchObject({ sub: 'agent1', aud: clientId, iss: issuerUrl(lab), nonce, email: 'agent1@lab.example' });
  });

  it('hybrid code id_token: a front-channel ID token bound to the code (c_hash), then the code redeemed with PKCE', async () => {
    const cfg = await discover(lab, clientId, oidc.ClientSecretBasic(secret));
    oidc.useCodeIdTokenResponseType(cfg);
    oidc.enableNonRepudiationChecks(cfg);
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: redirectUri,
      scope: 'openid',
      nonce,
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('response_type')).toBe('code id_token');
    const auth = await authorize(new UserAgent(), url, redirectUri, { username: 'agent1', password: 'Agent1Pass!' });
    // Hybrid responses default to the fragment (OAuth 2.0 Multiple Response Types §5).
    const fragment = new URLSearchParams(auth.callback.hash.slice(1));
    expect(fragment.get('code')).toBeTruthy();
    const frontChannel = decodeJwt(fragment.get('id_token')!);
    expect(frontChannel).toMatchObject({ sub: 'agent1', nonce });
    expect(typeof frontChannel['c_hash']).toBe('string');
    // openid-client validates the front-channel ID token (c_hash, nonce, signature) before redeeming.
    const tokens = await oidc.authorizationCodeGrant(cfg, auth.callback, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state });
    expect(tokens.claims()).toMatchObject({ sub: 'agent1', aud: clientId, nonce });
    expect(tokens.access_token).toBeTruthy();
  });

  it('response_mode=form_post: the code arrives as an auto-submitted POST and openid-client redeems it', async () => {
    const cfg = await discover(lab, clientId, oidc.ClientSecretBasic(secret));
    const { tokens, auth, state } = await codeFlow(cfg, { redirectUri, scope: 'openid', params: { response_mode: 'form_post' } });
    expect(auth.formPost).toBeDefined();
    expect(auth.formPost!.method).toBe('POST');
    // Nothing in the URL: the parameters are only in the form body.
    expect(auth.callback.search).toBe('');
    expect(auth.callback.hash).toBe('');
    expect(auth.params).toMatchObject({ state, iss: issuerUrl(lab) });
    expect(auth.params['code']).toBeTruthy();
    expect(tokens.claims()).toMatchObject({ sub: 'agent1', aud: clientId });
  });
});
