import { readForm, UserAgent, type UaResponse } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';
import { isLoginPage, PASSWORD, submitLogin } from './adfs-flow.js';

/**
 * Test-side plumbing for the Cisco IdS OAuth suites (idp/test/cisco/ids-*): the browser leg of
 * reference A.1.5 (authorize → AD FS sign-in → IdS ACS → `/ids/relay`) for any IdS client, stopped
 * at the relay's 302 so the suites can read the `code` themselves, plus small HTTP helpers for the
 * token endpoint and the control API. Client IDs and URLs are spelled out from the fixture files
 * (fixtures/ids/clients.json), not imported from idp/src.
 */

/** fixtures/ids/clients.json "Sample third-party desktop". */
export const SAMPLE = {
  clientId: '3c5e7a9b1d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c',
  redirectUri: 'http://127.0.0.1:8765/callback',
} as const;

/** fixtures/ids/clients.json "Finesse" (redirect `${finesse}/desktop/sso/authcode`). */
export const FINESSE_CLIENT_ID = 'e9a4b7c1d2f3a5b6c7d8e9f0a1b2c3d4e5f6a7b8';

/** The IdS administrator's default Basic credentials (config `ids.admin`). */
export const IDS_ADMIN = { username: 'administrator', password: 'IdsAdmin1!' } as const;

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export const ADMIN_AUTH = basic(IDS_ADMIN.username, IDS_ADMIN.password);

export const HEX40 = /^[0-9a-f]{40}$/;

export function idsUrl(lab: Lab): string {
  const u = lab.urls.ids;
  if (!u) throw new Error('the ids service is not running in this lab');
  return u;
}

/** `GET /ids/v1/oauth/authorize` URL; parameters left undefined are omitted. */
export function authorizeUrl(lab: Lab, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.append(k, v);
  return `${idsUrl(lab)}/ids/v1/oauth/authorize?${q.toString()}`;
}

export interface FlowOptions {
  clientId?: string;
  /** The redirect_uri sent to authorize; `null` omits it. Default: the sample client's callback. */
  redirectUri?: string | null;
  state?: string;
  user?: string;
  password?: string;
  ua?: UserAgent;
}

/** The IdS ACS page's hidden `uniqueId` form, ready to be posted to `/ids/relay`. */
export interface RelayForm {
  ua: UserAgent;
  action: string;
  uniqueId: string;
}

/**
 * authorize → the auto-POST AuthnRequest to AD FS → the forms sign-in → the auto-POST SAMLResponse
 * to IdS → IdS's page with the `uniqueId` (reference A.1.5 steps 2–5). Throws with the page when a
 * step does not answer as expected.
 */
export async function signInToRelay(lab: Lab, o: FlowOptions = {}): Promise<RelayForm> {
  const ua = o.ua ?? new UserAgent();
  const user = o.user ?? 'agent1';
  const redirectUri = o.redirectUri === null ? undefined : (o.redirectUri ?? SAMPLE.redirectUri);
  const start = await ua.get(authorizeUrl(lab, { client_id: o.clientId ?? SAMPLE.clientId, redirect_uri: redirectUri, response_type: 'code', state: o.state }));
  const toIdp = expectAutoPost(start, 'SAMLRequest');
  let page = await ua.post(toIdp.action, toIdp.fields);
  if (isLoginPage(page)) page = await submitLogin(ua, page, user, o.password ?? PASSWORD[user] ?? '');
  const toAcs = expectAutoPost(page, 'SAMLResponse');
  const acs = await ua.post(toAcs.action, toAcs.fields);
  const relay = expectAutoPost(acs, 'uniqueId');
  return { ua, action: relay.action, uniqueId: relay.fields['uniqueId']! };
}

/** Posts the relay form (or any uniqueId) to `/ids/relay`, without following the answer. */
export function postRelay(form: RelayForm, uniqueId: string = form.uniqueId): Promise<UaResponse> {
  return form.ua.post(form.action, { uniqueId });
}

export interface CodeResult {
  code: string;
  /** The `state` on the redirect, when there was one. */
  state: string | null;
  /** The relay's Location header, as sent. */
  location: string;
  ua: UserAgent;
}

/**
 * The whole browser leg for an IdS client: returns the `code` from the relay's 302 to the
 * client's redirect URL, which is not followed (nothing listens on the sample's callback).
 */
export async function getCode(lab: Lab, o: FlowOptions = {}): Promise<CodeResult> {
  const form = await signInToRelay(lab, o);
  const res = await postRelay(form);
  if (res.status !== 302 || !res.location) throw new Error(`expected the relay's 302, got ${res.status}: ${res.body.slice(0, 400)}`);
  const to = new URL(res.location);
  const code = to.searchParams.get('code');
  if (!code) throw new Error(`no code in ${res.location}`);
  return { code, state: to.searchParams.get('state'), location: res.location, ua: form.ua };
}

function expectAutoPost(page: UaResponse, field: string): { action: string; fields: Record<string, string> } {
  if (page.status !== 200 || !page.body.includes(`name="${field}"`)) {
    throw new Error(`expected an auto-POST page with ${field}, got ${page.status} ${String(page.headers['x-idp-harness-error'] ?? '')}: ${page.body.slice(0, 600)}`);
  }
  return readForm(page.body, page.url);
}

// ---- plain HTTP ---------------------------------------------------------------------------------

export interface JsonAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined when the body was not JSON. */
  json: Record<string, unknown> | undefined;
  text: string;
}

async function answer(res: Response): Promise<JsonAnswer> {
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** `POST /ids/v1/oauth/token` with a form body (RFC 6749 §3.2). */
export async function tokenRequest(lab: Lab, form: Record<string, string>, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  return answer(
    await fetch(`${idsUrl(lab)}/ids/v1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    }),
  );
}

/** Redeems a code of the sample client (RFC 6749 §4.1.3). */
export function redeem(lab: Lab, code: string, over: Record<string, string> = {}): Promise<JsonAnswer> {
  return tokenRequest(lab, { grant_type: 'authorization_code', code, redirect_uri: SAMPLE.redirectUri, client_id: SAMPLE.clientId, ...over });
}

/** The IdS SDK's refreshAccessToken(access, refresh) as a token request of the sample client. */
export function refreshGrant(lab: Lab, refreshToken: string, accessToken?: string): Promise<JsonAnswer> {
  const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: SAMPLE.clientId };
  if (accessToken !== undefined) form['access_token'] = accessToken;
  return tokenRequest(lab, form);
}

/** The sample client's code, redeemed: `{access_token, refresh_token, …}` (throws unless 200). */
export async function sampleTokens(lab: Lab, o: FlowOptions = {}): Promise<{ access: string; refresh: string; json: Record<string, unknown> }> {
  const { code } = await getCode(lab, o);
  const r = await redeem(lab, code);
  if (r.status !== 200 || !r.json) throw new Error(`code redemption failed: ${r.status} ${r.text}`);
  return { access: String(r.json['access_token']), refresh: String(r.json['refresh_token']), json: r.json };
}

/** A call of the control API (`{console}/api…`, JSON). */
export async function api(lab: Lab, method: string, path: string, body?: unknown): Promise<JsonAnswer> {
  const base = lab.urls.console;
  if (!base) throw new Error('the console service is not running in this lab');
  return answer(
    await fetch(`${base}/api${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

/** Finesse REST `GET /finesse/api/User/{id}` with a Bearer token: status, body and our code. */
export async function finesseUser(lab: Lab, token: string, id = '1001'): Promise<{ status: number; body: string; code: string | null }> {
  const res = await fetch(`${lab.urls.finesse}/finesse/api/User/${id}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.text(), code: res.headers.get('x-idp-harness-error') };
}

/** `<ErrorData>` of a Finesse `<ApiErrors>` body (reference A.2.2). */
export function errorData(xml: string): string | undefined {
  return /<ErrorData>([^<]*)<\/ErrorData>/.exec(xml)?.[1];
}
