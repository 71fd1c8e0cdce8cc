import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { startTestLab } from '../../../harness/src/start-lab.js';
import { readForm, UserAgent, type UaResponse } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';

/**
 * Test helpers for CXone as an OpenID provider (reference B.3), driven by openid-client 6 (the
 * independent RP) and the scripted UserAgent for CXone's username and password pages.
 */

export const SAM = { username: 'sam.system@lab.example', password: 'Lab-Entry-42', id: '3d2a9f10-6b7c-4d8e-9f01-a2b3c4d5e6f7' };
export const INTEGRATION = {
  id: '6a5d2c43-9e0f-4a1b-8c34-d5e6f708192a',
  accessKeyId: 'AK7QX4VN2M5LJ3ZP8R6TW',
  accessKeySecret: 'c2VjcmV0LWFjY2Vzcy1rZXktZm9yLXRoZS1sYWItb25seQ====',
};
export const WEB = { clientId: 'cxone-sample-web', secret: 'cxone-sample-web-secret-0123456789', redirectUri: 'http://localhost:8080/cxone/callback', postLogout: 'http://localhost:8080/cxone/' };
export const SPA = { clientId: 'cxone-sample-spa', redirectUri: 'http://localhost:8080/cxone-spa/callback', postLogout: 'http://localhost:8080/cxone-spa/' };
export const BACKEND = { clientId: 'cxone-backend', secret: 'cxone-backend-secret-0123456789' };
export const ADMIN_BASIC = `Basic ${Buffer.from('cxone.admin:CxoneAdmin1!').toString('base64')}`;

export function startCxoneLab(): Promise<Lab> {
  return startTestLab({ services: ['cxone'] });
}

/** openid-client's view of CXone as `clientId`, over the lab's plain HTTP. */
export function discoverCxone(lab: Lab, clientId: string, auth: oidc.ClientAuth = oidc.None(), clientSecret?: string): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(lab.urls.cxone!), clientId, clientSecret ? { client_secret: clientSecret } : {}, auth, { execute: [oidc.allowInsecureRequests] });
}

/**
 * The browser half of a sign-in at CXone: the authorization request, CXone's username page, the
 * System authenticator's password page, until CXone redirects to `redirectUri`. Returns that
 * redirect. Fails the test on any other turn (an error page, a page it does not know).
 */
export async function signInAtCxone(ua: UserAgent, authorizationUrl: string | URL, redirectUri: string, user: { username: string; password: string } = SAM): Promise<URL> {
  let res: UaResponse = await ua.get(String(authorizationUrl));
  for (let step = 0; step < 12; step++) {
    if (res.status >= 300 && res.status < 400 && res.location) {
      const next = new URL(res.location, res.url);
      if (next.toString().startsWith(redirectUri)) return next;
      res = await ua.get(next.toString());
      continue;
    }
    if (res.status !== 200) throw new Error(`unexpected ${res.status} at ${res.url} (${String(res.headers['x-idp-harness-error'])})`);
    if (/id="usernameForm"/.test(res.body)) {
      const form = readForm(res.body, res.url);
      res = await ua.post(form.action, { ...form.fields, username: user.username });
      continue;
    }
    if (/id="passwordForm"/.test(res.body)) {
      const form = readForm(res.body, res.url);
      res = await ua.post(form.action, { ...form.fields, password: user.password });
      continue;
    }
    throw new Error(`unexpected page at ${res.url}: ${res.body.slice(0, 300)}`);
  }
  throw new Error('too many steps');
}

export interface CxoneCodeFlow {
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  ua: UserAgent;
  nonce: string;
  state: string;
}

/** A complete code flow with PKCE S256, state and nonce: signed in at CXone, redeemed by openid-client. */
export async function cxoneCodeFlow(cfg: oidc.Configuration, redirectUri: string, ua = new UserAgent(), user: { username: string; password: string } = SAM): Promise<CxoneCodeFlow> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(cfg, {
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const callback = await signInAtCxone(ua, url, redirectUri, user);
  const tokens = await oidc.authorizationCodeGrant(cfg, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  return { tokens, ua, nonce, state };
}

/** The browser half only, built by hand: the code (and what redeeming it needs). */
export async function obtainCxoneCode(
  lab: Lab,
  o: { clientId: string; redirectUri: string; pkce?: boolean; ua?: UserAgent },
): Promise<{ code: string; verifier: string; ua: UserAgent; state: string }> {
  const ua = o.ua ?? new UserAgent();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = new URL(`${lab.urls.cxone}/auth/authorize`);
  const q: Record<string, string> = { client_id: o.clientId, redirect_uri: o.redirectUri, response_type: 'code', scope: 'openid', state, nonce: oidc.randomNonce() };
  if (o.pkce !== false) Object.assign(q, { code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
  const callback = await signInAtCxone(ua, url, o.redirectUri);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in ${callback.toString()}`);
  return { code, verifier, ua, state };
}

/** Verifies a CXone JWT against `/auth/jwks` with jose, at the lab clock's time. */
export async function verifyWithJwks(lab: Lab, jwt: string): Promise<{ payload: JWTPayload; kid: string | undefined }> {
  const set = (await (await fetch(`${lab.urls.cxone}/auth/jwks`)).json()) as { keys: [] };
  const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(set), { issuer: lab.urls.cxone!, algorithms: ['RS256'], currentDate: new Date(lab.state.clock.now()) });
  return { payload, kid: protectedHeader.kid };
}

/** A raw answer, redirects not followed. */
export interface Raw {
  status: number;
  headers: Headers;
  location: string | null;
  code: string | null;
  json: any;
  text: string;
}

export async function raw(url: string | URL, init: RequestInit = {}): Promise<Raw> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, location: res.headers.get('location'), code: res.headers.get('x-idp-harness-error'), json, text };
}

/** `POST /auth/token` with a form (given as a string to control the exact encoding, or as fields). */
export function tokenRequest(lab: Lab, form: Record<string, string> | string, headers: Record<string, string> = {}): Promise<Raw> {
  return raw(`${lab.urls.cxone}/auth/token`, {
    method: 'POST',
    body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

/** client_secret_basic: id and secret form-urlencoded, then base64 (RFC 6749 §2.3.1). */
export function basic(clientId: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
}

/** The password grant of reference B.3 with the fixture access key, by cxone-backend with Basic. */
export function accessKeyTokens(lab: Lab, key = INTEGRATION): Promise<Raw> {
  const body = `grant_type=password&username=${encodeURIComponent(key.accessKeyId)}&password=${encodeURIComponent(key.accessKeySecret)}`;
  return tokenRequest(lab, body, { authorization: basic(BACKEND.clientId, BACKEND.secret) });
}

/** The claims of a JWT, unverified (for shape assertions after a verified read). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export { oidc, UserAgent };
