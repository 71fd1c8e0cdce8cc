import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { startTestLab, type StartTestLabOptions } from '../../../harness/src/start-lab.js';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { authorize, type AuthorizeOptions, type AuthorizeResult } from '../../../harness/src/clients/oidc-browser.js';
import type { Lab } from '../../src/lab.js';
import { projectRoot } from '../../src/shared/paths.js';

/**
 * Test helpers for the OpenID Providers, driven by openid-client 6 (the independent RP): start a
 * lab with the oidc service, discover an issuer as a client, run the browser part of a code flow
 * with the scripted UserAgent, and call the control API.
 */

export async function startOidcLab(opts: StartTestLabOptions = {}): Promise<Lab> {
  return startTestLab({ services: ['oidc', 'console'], ...opts });
}

/** The issuer URL of `issuerId` ('default' is the root). */
export function issuerUrl(lab: Lab, issuerId = 'default'): string {
  const rt = lab.state.oidc!.issuers.get(issuerId);
  if (!rt) throw new Error(`no issuer ${issuerId}`);
  return rt.issuer;
}

/** A fixture client's private JWK (fixtures/oidc/keys/<name>.private.jwk.json), TEST ONLY. */
export function fixturePrivateJwk(name: string): JsonWebKey & { kid: string; alg: string } {
  return JSON.parse(readFileSync(join(projectRoot, 'fixtures', 'oidc', 'keys', `${name}.private.jwk.json`), 'utf8')) as JsonWebKey & { kid: string; alg: string };
}

const IMPORT: Record<string, RsaHashedImportParams | EcKeyImportParams | Algorithm> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  EdDSA: { name: 'Ed25519' },
};

/** A signing CryptoKey from a private JWK, for oidc.PrivateKeyJwt. */
export async function signingKey(jwk: JsonWebKey & { alg: string }): Promise<CryptoKey> {
  const { alg, ...rest } = jwk as JsonWebKey & { alg: string; kid?: string; use?: string };
  delete (rest as { kid?: string }).kid;
  delete (rest as { use?: string }).use;
  return crypto.subtle.importKey('jwk', rest, IMPORT[alg]!, false, ['sign']);
}

/** openid-client's view of an issuer as `clientId`, over the lab's plain HTTP. */
export async function discover(
  lab: Lab,
  clientId: string,
  auth: oidc.ClientAuth = oidc.None(),
  opts: { issuer?: string; metadata?: Partial<oidc.ClientMetadata>; clientSecret?: string } = {},
): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuerUrl(lab, opts.issuer)), clientId, { ...opts.metadata, ...(opts.clientSecret ? { client_secret: opts.clientSecret } : {}) }, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

export interface CodeFlowOptions extends AuthorizeOptions {
  redirectUri: string;
  scope?: string;
  /** Extra authorization parameters (acr_values, login_hint, claims, prompt, resource…). */
  params?: Record<string, string>;
  /** Reuse a browser (its cookies: SSO sessions). */
  ua?: UserAgent;
}

export interface CodeFlowResult {
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  ua: UserAgent;
  auth: AuthorizeResult;
  verifier: string;
  nonce: string;
  state: string;
}

/** A complete authorization code flow with PKCE S256, state and nonce, redeemed by openid-client. */
export async function codeFlow(cfg: oidc.Configuration, o: CodeFlowOptions): Promise<CodeFlowResult> {
  const ua = o.ua ?? new UserAgent();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(cfg, {
    redirect_uri: o.redirectUri,
    scope: o.scope ?? 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...o.params,
  });
  const auth = await authorize(ua, url, o.redirectUri, { username: 'agent1', password: 'Agent1Pass!', ...o });
  const tokens = await oidc.authorizationCodeGrant(cfg, auth.formPost ?? auth.callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  return { tokens, ua, auth, verifier, nonce, state };
}

/** The control API (`/api/...` on the console) as JSON. */
export async function control(lab: Lab, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${lab.urls.console}/api${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Adds a client through the control API and fails the test when it is refused. */
export async function addClient(lab: Lab, client: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await control(lab, 'POST', '/oidc/clients', client);
  if (r.status !== 201) throw new Error(`client refused: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Record<string, unknown>;
}

/** A fresh key pair for a test client: the private CryptoKey and the public JWK to register. */
export async function clientKeyPair(alg: 'RS256' | 'PS256' | 'ES256' | 'EdDSA', kid = `test-${alg.toLowerCase()}`): Promise<{ key: CryptoKey; publicJwk: JsonWebKey & { kid: string; alg: string; use: string }; privateJwk: JsonWebKey }> {
  const gen: Record<string, RsaHashedKeyGenParams | EcKeyGenParams | Algorithm> = {
    RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    PS256: { name: 'RSA-PSS', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    ES256: { name: 'ECDSA', namedCurve: 'P-256' },
    EdDSA: { name: 'Ed25519' },
  };
  const pair = (await crypto.subtle.generateKey(gen[alg]!, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pub = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const priv = await crypto.subtle.exportKey('jwk', pair.privateKey);
  delete pub.key_ops;
  delete pub.ext;
  return { key: pair.privateKey, publicJwk: { ...pub, kid, alg, use: 'sig' }, privateJwk: priv };
}

export { oidc, UserAgent };

/** Where an authorization request that should fail ended, and the OAuth error it got. */
export interface AuthorizationFailure {
  /** `redirect`: the error went back to the client's redirect URI; `provider`: the OP refused to redirect (its own JSON). */
  at: 'redirect' | 'provider';
  error: string;
  error_description?: string | undefined;
  /** The HTTP status of the OP's own answer (`provider` only). */
  status?: number;
  /** Pages shown before the error (`login`, `consent`). */
  pages: string[];
}

/**
 * Drives an authorization request expected to fail (OAuth 2.0 §4.1.2.1): the error parameters at
 * the redirect URI, or the provider's JSON error when the client or redirect URI is not to be
 * trusted. A sign-in page, if shown, is answered as agent1 unless `opts` names another user.
 * Fails the test when the request succeeds instead.
 */
export async function authorizationFailure(url: string | URL, redirectUri: string, opts: AuthorizeOptions & { ua?: UserAgent } = {}): Promise<AuthorizationFailure> {
  let result: AuthorizeResult;
  try {
    result = await authorize(opts.ua ?? new UserAgent(), url, redirectUri, { username: 'agent1', password: 'Agent1Pass!', ...opts });
  } catch (e) {
    const res = (e as { response?: { status: number; body: string } }).response;
    if (!res) throw e;
    const body = JSON.parse(res.body) as { error: string; error_description?: string };
    return { at: 'provider', status: res.status, error: body.error, error_description: body.error_description, pages: [] };
  }
  if (!result.params['error']) throw new Error(`the authorization request succeeded: ${result.callback.toString()}`);
  return { at: 'redirect', error: result.params['error'], error_description: result.params['error_description'], pages: result.pages };
}

/** A raw HTTP answer, redirects not followed: for asserting exact status, Location and error codes. */
export interface RawResponse {
  status: number;
  headers: Headers;
  location: string | null;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

/** `fetch` without following redirects, the body read as text and (when JSON) parsed. */
export async function rawFetch(url: string | URL, init: RequestInit = {}): Promise<RawResponse> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let json: unknown;
  if (/json/i.test(res.headers.get('content-type') ?? '')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, headers: res.headers, location: res.headers.get('location'), text, json };
}

/** A form POST (application/x-www-form-urlencoded), as RPs call the token/introspection/revocation endpoints. */
export function postForm(url: string | URL, form: Record<string, string>, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawFetch(url, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

/** client_secret_basic: id and secret form-urlencoded, then base64 (RFC 6749 §2.3.1). */
export function basicAuth(clientId: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
}

export interface ObtainedCode {
  code: string;
  verifier: string;
  state: string;
  nonce: string;
  ua: UserAgent;
  params: Record<string, string>;
}

/**
 * The browser half of a code flow, built by hand (no openid-client configuration needed): an
 * authorization request with PKCE S256 (unless `pkce: false`), state and nonce, the sign-in page
 * answered, and the code taken from the redirect. Fails when the redirect carries an error.
 */
export async function obtainCode(
  lab: Lab,
  o: { clientId: string; redirectUri: string; issuer?: string; scope?: string; params?: Record<string, string>; pkce?: boolean; ua?: UserAgent; username?: string; password?: string },
): Promise<ObtainedCode> {
  const ua = o.ua ?? new UserAgent();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = new URL(`${issuerUrl(lab, o.issuer)}/auth`);
  const q: Record<string, string> = { client_id: o.clientId, redirect_uri: o.redirectUri, response_type: 'code', scope: o.scope ?? 'openid', state, nonce, ...o.params };
  if (o.pkce !== false) Object.assign(q, { code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
  const auth = await authorize(ua, url, o.redirectUri, { username: o.username ?? 'agent1', password: o.password ?? 'Agent1Pass!' });
  const code = auth.params['code'];
  if (!code) throw new Error(`no code in the redirect: ${JSON.stringify(auth.params)}`);
  return { code, verifier, state, nonce, ua, params: auth.params };
}

/**
 * A fresh encryption key pair for a test client (ID token / userinfo encryption, OIDC Core §10.2):
 * the private CryptoKey for `oidc.enableDecryptingResponses` and the public JWK (`use: enc`) to
 * register in the client's `jwks`.
 */
export async function clientEncryptionKeyPair(
  alg: 'RSA-OAEP' | 'RSA-OAEP-256' | 'ECDH-ES',
  kid = `test-enc-${alg.toLowerCase()}`,
): Promise<{ key: CryptoKey; publicJwk: JsonWebKey & { kid: string; alg: string; use: string } }> {
  const gen: RsaHashedKeyGenParams | EcKeyGenParams =
    alg === 'ECDH-ES'
      ? { name: 'ECDH', namedCurve: 'P-256' }
      : { name: 'RSA-OAEP', hash: alg === 'RSA-OAEP' ? 'SHA-1' : 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
  const usages: KeyUsage[] = alg === 'ECDH-ES' ? ['deriveBits'] : ['encrypt', 'decrypt'];
  const pair = (await crypto.subtle.generateKey(gen, true, usages)) as CryptoKeyPair;
  const pub = await crypto.subtle.exportKey('jwk', pair.publicKey);
  delete pub.key_ops;
  delete pub.ext;
  return { key: pair.privateKey, publicJwk: { ...pub, kid, alg, use: 'enc' } };
}

/**
 * The OAuth error of an openid-client call that must fail: a token/introspection error body
 * (`ResponseBodyError`), an authorization response error, or a `WWW-Authenticate` challenge
 * (RFC 6750 §3). Fails the test when the call succeeds.
 */
export async function oauthErrorOf(p: Promise<unknown>): Promise<{ error: string; error_description?: string | undefined; status?: number | undefined }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof oidc.ResponseBodyError) return { error: e.error, error_description: e.error_description, status: e.status };
    if (e instanceof oidc.AuthorizationResponseError) return { error: e.error, error_description: e.error_description };
    if (e instanceof oidc.WWWAuthenticateChallengeError) {
      const params = e.cause[0]?.parameters ?? {};
      return { error: String(params.error ?? ''), error_description: params.error_description, status: e.status };
    }
    throw e;
  }
  throw new Error('the call succeeded; an OAuth error was expected');
}
