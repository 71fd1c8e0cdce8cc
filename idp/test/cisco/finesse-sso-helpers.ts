import { expect } from 'vitest';
import { FinesseRestClient } from '../../../harness/src/clients/finesse/rest-client.js';
import { FinesseSsoClient, type FinesseSsoClientOptions } from '../../../harness/src/clients/finesse/sso-token-client.js';
import { readForm, UserAgent, type UaResponse } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';
import { PASSWORD } from '../helpers/adfs-flow.js';

/**
 * Shared plumbing of the Finesse SSO suites (idp/test/cisco/finesse-sso-*.test.ts): the reference
 * clients wired to a running lab, a scripted browser that records every answer it gets, the control
 * API over HTTP, and readers for the `/desktop/sso/*` JSON. Expected values (client id, claims,
 * passwords) are spelled out from the fixtures rather than read from the code under test.
 */

/** The "Finesse" client of fixtures/ids/clients.json. */
export const FINESSE_CLIENT_ID = 'e9a4b7c1d2f3a5b6c7d8e9f0a1b2c3d4e5f6a7b8';

export { PASSWORD };

/** A UserAgent that keeps every request it made and the answer it got, in order. */
export class RecordingUserAgent extends UserAgent {
  readonly seen: Array<{ method: string; url: string; res: UaResponse }> = [];

  override async get(url: string, headers: Record<string, string> = {}): Promise<UaResponse> {
    const res = await super.get(url, headers);
    this.seen.push({ method: 'GET', url, res });
    return res;
  }

  override async post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<UaResponse> {
    const res = await super.post(url, form, headers);
    this.seen.push({ method: 'POST', url, res });
    return res;
  }

  /** Whether any answer since `from` was the IdP's sign-in form (a Password field). */
  sawSignInForm(from = 0): boolean {
    return this.seen.slice(from).some((s) => /<input\b[^>]*name="Password"/i.test(s.res.body));
  }
}

/** The reference SSO client for a fixture user, on the lab clock (so 75% and expiry follow moved time). */
export function ssoClient(lab: Lab, username: string, extra: Partial<FinesseSsoClientOptions> = {}): FinesseSsoClient {
  return new FinesseSsoClient({
    finesseUrl: lab.urls.finesse!,
    username,
    password: PASSWORD[username] ?? 'no-such-password',
    now: () => lab.state.clock.now(),
    ...extra,
  });
}

/** The reference REST client with a fixed or computed Authorization header. */
export function restClient(lab: Lab, authorization: string | (() => Promise<string>), ca?: string): FinesseRestClient {
  return new FinesseRestClient({
    finesseUrl: lab.urls.finesse!,
    authorization: typeof authorization === 'string' ? async () => authorization : authorization,
    ...(ca === undefined ? {} : { ca }),
  });
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** The control API (console `/api`), JSON in and out. */
export async function control(lab: Lab, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${lab.urls.console}/api${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Moves the lab clock through the control API. */
export async function advanceClock(lab: Lab, ms: number): Promise<void> {
  const r = await control(lab, 'POST', '/clock', { advanceMs: ms });
  expect(r.status).toBe(200);
}

/** IdS's token records of a user, as the control API lists them. */
export async function idsTokens(lab: Lab, user: string): Promise<Array<{ kind: string; id: string; status: string }>> {
  const r = await control(lab, 'GET', '/ids/tokens');
  expect(r.status).toBe(200);
  return (r.json as Array<{ kind: string; id: string; userId: string; status: string }>).filter((t) => t.userId === user);
}

/**
 * Carries a started fetch through the chain the way a browser-like client does (reference A.1.5):
 * follow redirects, submit auto-POST forms, fill the IdP's form once. Stops at the first answer
 * that is neither (Finesse's JSON, an error page); bounded, so a loop fails instead of hanging.
 * `stopBefore`: hand back, unfollowed, the redirect whose target matches.
 */
export async function continueSignIn(
  ua: UserAgent,
  first: UaResponse,
  username: string,
  password: string,
  opts: { stopBefore?: RegExp } = {},
): Promise<UaResponse> {
  let res = first;
  let filled = false;
  for (let step = 0; step < 20; step++) {
    if (res.status >= 300 && res.status < 400 && res.location) {
      const next = new URL(res.location, res.url).toString();
      // e.g. IdS's redirect to /desktop/sso/authcode, to replay it elsewhere
      if (opts.stopBefore?.test(next)) return res;
      res = await ua.get(next);
      continue;
    }
    if (res.status !== 200 || !/<form\b/i.test(res.body)) return res;
    const form = readForm(res.body, res.url);
    if ('Password' in form.fields) {
      if (filled) return res; // the form again: the IdP refused the credentials
      filled = true;
      res = await ua.post(form.action, { ...form.fields, UserName: username, Password: password });
    } else {
      res = await ua.post(form.action, form.fields);
    }
  }
  throw new Error('test: no end to the sign-in chain after 20 steps');
}

/** The JSON body of a `/desktop/sso/*` answer (asserting it is JSON). */
export function json(res: UaResponse): Record<string, unknown> {
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  return JSON.parse(res.body) as Record<string, unknown>;
}

/**
 * Asserts a `/desktop/sso/*` error (docs/cisco.md "SSO token API"): the status, our code in
 * `X-Idp-Harness-Error`, the JSON `{"ApiErrors":{"ApiError":{ErrorType, ErrorMessage, ErrorData}}}`
 * with no token in it. Returns ErrorData.
 */
export function expectSsoError(res: UaResponse, status: number, code: string): string {
  expect(res.status, res.body).toBe(status);
  expect(res.headers['x-idp-harness-error']).toBe(code);
  const body = json(res);
  expect(Object.keys(body)).toEqual(['ApiErrors']);
  const e = (body['ApiErrors'] as { ApiError: Record<string, unknown> }).ApiError;
  expect(Object.keys(e).sort()).toEqual(['ErrorData', 'ErrorMessage', 'ErrorType']);
  expect(typeof e['ErrorType']).toBe('string');
  expect(e['ErrorType']).not.toBe('');
  expect(res.body).not.toMatch(/"token"|"refresh_token"/);
  return String(e['ErrorData']);
}

/** `{finesse}/desktop/sso/token` with query parameters. */
export function tokenUrl(lab: Lab, params: Record<string, string>): string {
  const u = new URL('/desktop/sso/token', lab.urls.finesse!);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}
