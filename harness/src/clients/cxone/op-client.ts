import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { httpCall } from './http-json.js';

/**
 * An application of CXone's OpenID provider (docs/cxone.md "CXone as an OpenID provider",
 * reference B.3): the authorization request with PKCE S256, state and nonce; the code redeemed
 * at `/auth/token`; `/auth/userinfo` with the access token; CXone's JWTs verified against
 * `/auth/jwks`. A refusal is a `CxoneOpError` with the OAuth `error` and CXone's stable code.
 */
export class CxoneOpError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly error: string | undefined,
    message: string,
  ) {
    super(`${code} (${status}${error ? ` ${error}` : ''}): ${message}`);
    this.name = 'CxoneOpError';
  }
}

export interface CxoneApp {
  cxoneUrl: string;
  clientId: string;
  /** Only for confidential applications (sent with client_secret_basic). */
  clientSecret?: string;
  redirectUri: string;
  ca?: string;
}

export interface AuthorizationRequest {
  url: string;
  codeVerifier: string;
  state: string;
  nonce: string;
}

const b64url = (b: Buffer) => b.toString('base64url');

/** RFC 7636 §4.1–4.2: a 43-character verifier and its S256 challenge; state and nonce of 32 random bytes. */
export function authorizationRequest(app: CxoneApp, scope = 'openid'): AuthorizationRequest {
  const codeVerifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(32));
  const nonce = b64url(randomBytes(32));
  const url = new URL(`${app.cxoneUrl.replace(/\/+$/, '')}/auth/authorize`);
  const q = {
    client_id: app.clientId,
    redirect_uri: app.redirectUri,
    response_type: 'code',
    scope,
    state,
    nonce,
    code_challenge: b64url(createHash('sha256').update(codeVerifier).digest()),
    code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
  return { url: url.toString(), codeVerifier, state, nonce };
}

/** The code of the callback CXone redirected to; checks `state` (RFC 6749 §10.12) and surfaces an `error=`. */
export function codeFromCallback(callback: URL, expectedState: string): string {
  const error = callback.searchParams.get('error');
  if (error) throw new CxoneOpError(error, 302, error, callback.searchParams.get('error_description') ?? 'the authorization request was refused');
  if (callback.searchParams.get('state') !== expectedState) throw new CxoneOpError('ERR_STATE_MISMATCH', 302, undefined, 'the callback carries another state');
  const code = callback.searchParams.get('code');
  if (!code) throw new CxoneOpError('ERR_NO_CODE', 302, undefined, 'the callback carries no code');
  return code;
}

export interface CxoneTokens {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  token_type: string;
  expires_in: number;
  [k: string]: unknown;
}

/** `POST /auth/token` grant_type=authorization_code with the PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5). */
export async function redeemCode(app: CxoneApp, code: string, codeVerifier: string): Promise<CxoneTokens> {
  const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, code_verifier: codeVerifier });
  const headers: Record<string, string> = {};
  if (app.clientSecret !== undefined) headers['authorization'] = basic(app.clientId, app.clientSecret);
  else form.set('client_id', app.clientId);
  const res = await httpCall(`${app.cxoneUrl.replace(/\/+$/, '')}/auth/token`, { method: 'POST', headers, body: form.toString(), ...(app.ca && { ca: app.ca }) });
  const body = (res.json ?? {}) as Partial<CxoneTokens> & { error?: string; error_description?: string };
  if (res.status !== 200 || typeof body.access_token !== 'string' || typeof body.id_token !== 'string') {
    throw new CxoneOpError(headerCode(res.headers) ?? 'ERR_TOKEN_REQUEST', res.status, body.error, body.error_description ?? 'no tokens in the answer');
  }
  return body as CxoneTokens;
}

/** `GET /auth/userinfo` with the access token as a Bearer (RFC 6750 §2.1). */
export async function fetchUserinfo(app: Pick<CxoneApp, 'cxoneUrl' | 'ca'>, accessToken: string): Promise<Record<string, unknown>> {
  const res = await httpCall(`${app.cxoneUrl.replace(/\/+$/, '')}/auth/userinfo`, { headers: { authorization: `Bearer ${accessToken}` }, ...(app.ca && { ca: app.ca }) });
  const body = (res.json ?? {}) as Record<string, unknown>;
  if (res.status !== 200) throw new CxoneOpError(headerCode(res.headers) ?? 'ERR_USERINFO', res.status, body['error'] as string | undefined, String(body['error_description'] ?? 'userinfo refused'));
  return body;
}

/**
 * Verifies a CXone JWT with `/auth/jwks` (RS256 only), its issuer (the CXone base URL) and
 * audience, at `now` — the LAB clock's time, which may have been moved away from the host's.
 */
export async function verifyCxoneJwt(app: Pick<CxoneApp, 'cxoneUrl' | 'ca' | 'clientId'>, jwt: string, now: Date): Promise<JWTPayload> {
  const base = app.cxoneUrl.replace(/\/+$/, '');
  const jwks = await httpCall(`${base}/auth/jwks`, { ...(app.ca && { ca: app.ca }) });
  if (jwks.status !== 200) throw new CxoneOpError(headerCode(jwks.headers) ?? 'ERR_JWKS', jwks.status, undefined, '/auth/jwks did not answer');
  const { payload } = await jwtVerify(jwt, createLocalJWKSet(jwks.json as { keys: [] }), { issuer: base, audience: app.clientId, algorithms: ['RS256'], currentDate: now });
  return payload;
}

/** client_secret_basic: id and secret form-urlencoded, then base64 (RFC 6749 §2.3.1). */
function basic(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

function headerCode(h: Record<string, string | string[] | undefined>): string | undefined {
  const v = h['x-idp-harness-error'];
  return typeof v === 'string' ? v : undefined;
}
