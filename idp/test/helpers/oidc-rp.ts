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
