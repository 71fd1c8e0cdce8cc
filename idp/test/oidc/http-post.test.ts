import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAgent, readForm } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';
import { basicAuth, issuerUrl, postForm, startOidcLab } from '../helpers/oidc-rp.js';

/**
 * OIDC Core §3.1.2.1 ("Authorization Servers MUST support the use of the HTTP GET and POST
 * methods") and RP-Initiated Logout §2 (the OP MUST support GET and POST at end_session): over
 * TLS both endpoints take a form POST, with the session cookie SameSite=None so that a cross-site
 * POST carries it. Over plain HTTP they take GET only (SameSite=None needs Secure).
 */
const SECRET = 'sample-web-secret-0123456789';
const REDIRECT = 'http://localhost:8080/callback';

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('HTTP POST at the authorization and end-session endpoints (TLS)', () => {
  let lab: Lab;
  let ua: UserAgent;

  beforeAll(async () => {
    lab = await startOidcLab({ tls: true });
    ua = new UserAgent({ ca: lab.state.pki.caPem });
  });
  afterAll(() => lab.stop());

  it('a form-POSTed authorization request signs in and returns a code that redeems', async () => {
    const issuer = issuerUrl(lab);
    const { verifier, challenge } = pkce();
    const state = randomBytes(16).toString('base64url');
    let res = await ua.post(`${issuer}/auth`, {
      client_id: 'sample-web',
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid email',
      state,
      nonce: randomBytes(16).toString('base64url'),
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(res.status).toBe(303);
    // The session cookie is SameSite=None; Secure, so a cross-site POST would carry it.
    res = await ua.follow(res);
    expect(res.body).toContain('id="loginForm"');
    const form = readForm(res.body, res.url);
    res = await ua.post(form.action, { username: 'agent1', password: 'Agent1Pass!' });
    for (let i = 0; i < 5 && res.location && !res.location.startsWith(REDIRECT); i++) res = await ua.get(new URL(res.location, res.url).toString());
    const cb = new URL(res.location!);
    expect(cb.searchParams.get('state')).toBe(state);
    const token = await ua.post(
      `${issuer}/token`,
      { grant_type: 'authorization_code', code: cb.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: verifier },
      { authorization: basicAuth('sample-web', SECRET) },
    );
    expect(token.status).toBe(200);
    expect(JSON.parse(token.body)).toMatchObject({ token_type: 'Bearer' });

    // A second POSTed request is answered silently from the session (no page).
    const again = await ua.post(`${issuer}/auth`, {
      client_id: 'sample-web',
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid',
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(again.status).toBe(303);
    expect(again.location!.startsWith(REDIRECT)).toBe(true);
  });

  it('sets the OP session cookie SameSite=None; Secure over TLS', async () => {
    const fresh = new UserAgent({ ca: lab.state.pki.caPem });
    const { challenge } = pkce();
    let res = await fresh.get(
      `${issuerUrl(lab)}/auth?${new URLSearchParams({ client_id: 'sample-web', response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', state: 's'.repeat(22), code_challenge: challenge, code_challenge_method: 'S256' })}`,
    );
    res = await fresh.follow(res);
    const form = readForm(res.body, res.url);
    res = await fresh.post(form.action, { username: 'agent1', password: 'Agent1Pass!' });
    let session: string | undefined;
    for (let i = 0; i < 5 && res.location; i++) {
      session ??= ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('_session.default='));
      if (res.location.startsWith(REDIRECT)) break;
      res = await fresh.get(new URL(res.location, res.url).toString());
    }
    expect(session).toMatch(/;\s*samesite=none/i);
    expect(session).toMatch(/;\s*secure/i);
  });

  it('a form-POSTed end-session request shows the confirmation page', async () => {
    const res = await ua.post(`${issuerUrl(lab)}/session/end`, { client_id: 'sample-web', post_logout_redirect_uri: 'http://localhost:8080/logged-out' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('op.logoutForm');
  });
});

describe('over plain HTTP the authorization endpoint takes GET only', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startOidcLab();
  });
  afterAll(() => lab.stop());

  it('POST /auth is 404 with an OAuth JSON error', async () => {
    const r = await postForm(`${issuerUrl(lab)}/auth`, { client_id: 'sample-web', response_type: 'code', redirect_uri: REDIRECT, scope: 'openid' });
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ error: 'invalid_request' });
  });
});
