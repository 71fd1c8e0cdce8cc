import { expect } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import { authorize } from '../../../harness/src/clients/oidc-browser.js';
import { readForm, UserAgent, type UaResponse } from '../../../harness/src/clients/user-agent.js';
import { httpCall, type HttpResponse } from '../../src/cxone/oidc-rp/http-client.js';
import type { Lab } from '../../src/lab.js';
import { addClient } from '../helpers/oidc-rp.js';

/**
 * Test helpers for CXone's OIDC authenticators (F5): a lab with the `oidc` OpenID provider and
 * `cxone`, the admin API, the lab OP's client registration, and a scripted sign-in from CXone's
 * username page through the lab OP's login page back to CXone's callback.
 */

/** fixtures/cxone/authenticators.json "Lab OIDC" and fixtures/cxone/users.json agent2. */
export const LAB_OIDC_ID = '9c3d7e5f-1a2b-4c8d-9e0f-1a2b3c4d5e61';
export const AGENT2_ID = '5f4c1b32-8d9e-4f0a-9b23-c4d5e6f70819';
export const AGENT2_EMAIL = 'agent2@lab.example';
/** The lab OP's users (fixtures/users.json). */
export const IDP_AGENT2 = { username: 'agent2', password: 'Agent2Pass!' };
export const IDP_AGENT1 = { username: 'agent1', password: 'Agent1Pass!' };

const ADMIN_AUTH = `Basic ${Buffer.from('cxone.admin:CxoneAdmin1!').toString('base64')}`;

export async function startCxoneOidcLab(opts: { tls?: boolean } = {}): Promise<Lab> {
  return startTestLab({ services: ['oidc', 'cxone', 'console'], tls: opts.tls ?? false });
}

/** A scripted browser that trusts the lab CA when the lab runs TLS. */
export function browser(lab: Lab): UserAgent {
  return new UserAgent(lab.config.tls.enabled ? { ca: lab.state.pki.caPem } : {});
}

export interface Json {
  status: number;
  headers: HttpResponse['headers'];
  body: any;
}

/** The CXone admin API (`/api/v1`), HTTP Basic as the tenant administrator. */
export async function admin(lab: Lab, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> {
  const res = await httpCall(`${lab.urls.cxone}/api/v1${path}`, {
    method,
    headers: { authorization: ADMIN_AUTH, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ca: [lab.state.pki.caPem],
  });
  return { status: res.status, headers: res.headers, body: res.body ? JSON.parse(res.body) : undefined };
}

/** Creates an OIDC login authenticator and returns it as the API shows it (generated URIs and keys included). */
export async function createOidcAuthenticator(lab: Lab, name: string, oidc: Record<string, unknown>): Promise<any> {
  const r = await admin(lab, 'POST', '/login-authenticators', { name, type: 'OIDC', oidc });
  if (r.status !== 201) throw new Error(`authenticator refused: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Creates an active CXone user of `authenticatorId` with the given external identity. */
export async function createUser(lab: Lab, username: string, authenticatorId: string, externalIdentity: string): Promise<any> {
  const r = await admin(lab, 'POST', '/users', {
    username,
    email: username,
    firstName: 'Test',
    lastName: 'User',
    active: true,
    loginAuthenticatorId: authenticatorId,
    externalIdentity,
  });
  if (r.status !== 201) throw new Error(`user refused: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * The lab OP's client for an authenticator, from what CXone shows after creation: its login and
 * logout redirect URIs, and for private_key_jwt / encryption the generated public keys (inline
 * `jwks`, or `jwks_uri` = the authenticator's public-keys URL when `byUri`).
 */
export function clientFor(a: any, extra: Record<string, unknown> = {}, opts: { secret?: string; byUri?: boolean } = {}): Record<string, unknown> {
  const o = a.oidc;
  const keys = [o.clientAssertionKey?.jwk, o.useEncryption ? o.encryptionKey?.jwk : undefined].filter(Boolean);
  return {
    client_id: o.clientId,
    client_name: a.name,
    token_endpoint_auth_method: o.clientAuthMethod,
    ...(o.clientAuthMethod === 'private_key_jwt' ? { token_endpoint_auth_signing_alg: 'RS256' } : { client_secret: opts.secret }),
    ...(keys.length > 0 ? (opts.byUri ? { jwks_uri: o.publicKeysUri } : { jwks: { keys } }) : {}),
    ...(o.useEncryption ? { id_token_encrypted_response_alg: 'RSA-OAEP-256', id_token_encrypted_response_enc: 'A256GCM' } : {}),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [o.loginRedirectUri],
    post_logout_redirect_uris: [o.logoutRedirectUri],
    ...extra,
  };
}

export async function registerAtLabOp(lab: Lab, client: Record<string, unknown>): Promise<void> {
  await addClient(lab, client);
}

/** CXone's username page, then the username: the answer is the redirect to the IdP (or a refusal). */
export async function enterUsername(lab: Lab, ua: UserAgent, username: string): Promise<UaResponse> {
  const page = await ua.get(`${lab.urls.cxone}/login`);
  expect(page.status).toBe(200);
  const form = readForm(page.body, page.url);
  return ua.post(form.action, { ...form.fields, username });
}

export interface OidcSignIn {
  ua: UserAgent;
  /** Where the lab OP sent the browser back (CXone's login redirect URI with code, state, iss). */
  callback: URL;
  /** CXone's answer at its callback: 303 to `/` on success, else the error page. */
  response: UaResponse;
}

/**
 * A whole SP-initiated sign-in: the username at CXone, the lab OP's login page (or its SSO
 * session), CXone's callback. `before` runs between the OP's answer and CXone's callback (to move
 * the clock, or to tamper with the callback).
 */
export async function signIn(
  lab: Lab,
  username: string,
  authenticatorId: string,
  opts: { ua?: UserAgent; idpUser?: { username: string; password: string }; before?: (callback: URL) => void | Promise<void> } = {},
): Promise<OidcSignIn> {
  const ua = opts.ua ?? browser(lab);
  const start = await enterUsername(lab, ua, username);
  if (start.status !== 302 || !start.location) throw new Error(`CXone did not send the browser to the IdP: ${start.status} ${start.headers['x-idp-harness-error']} ${start.body.slice(0, 200)}`);
  const redirectUri = `${lab.urls.cxone}/auth/oidc/callback/${authenticatorId}`;
  const idp = opts.idpUser ?? IDP_AGENT2;
  const auth = await authorize(ua, new URL(start.location, start.url), redirectUri, { username: idp.username, password: idp.password });
  await opts.before?.(auth.callback);
  const response = await ua.get(auth.callback.toString());
  return { ua, callback: auth.callback, response };
}

/** The refusal code CXone sent (header `X-Idp-Harness-Error`). */
export function errorCode(r: { headers: Record<string, unknown> }): unknown {
  return r.headers['x-idp-harness-error'];
}

/** A compact JWS's payload (tests only read it; CXone verified it). */
export function jwtPayload(jws: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** CXone's home page for this browser (the signed-in user's name is in #signedInUser). */
export async function home(lab: Lab, ua: UserAgent): Promise<UaResponse> {
  return ua.get(`${lab.urls.cxone}/`);
}
