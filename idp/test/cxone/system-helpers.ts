import { readForm, UserAgent, type UaResponse } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';

/**
 * Shared steps of the system-authenticator tests: the admin API with the tenant administrator's
 * Basic credentials, and a scripted browser walking the sign-in pages by their forms.
 */
export const ADMIN_AUTH = `Basic ${Buffer.from('cxone.admin:CxoneAdmin1!').toString('base64')}`;

export interface ApiResult {
  status: number;
  body: Record<string, any>;
}

export async function api(lab: Lab, method: string, path: string, body?: unknown): Promise<ApiResult> {
  const r = await fetch(`${lab.urls.cxone}/api/v1${path}`, {
    method,
    headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

/** The codes of an admin API error's field errors. */
export const fieldCodes = (r: ApiResult): string[] => ((r.body['fieldErrors'] ?? []) as Array<{ code: string }>).map((f) => f.code);

/** The stable error code of a page (header X-Idp-Harness-Error). */
export const errorOf = (r: UaResponse): string | undefined => r.headers['x-idp-harness-error'] as string | undefined;

const decode = (s: string) =>
  s.replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The text of the element with `id` (decoded), or undefined. */
export function textOf(page: UaResponse, id: string): string | undefined {
  const m = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(page.body);
  return m ? decode(m[1]!) : undefined;
}

/** The `id` of the page's first form (which step this is). */
export function formId(page: UaResponse): string | undefined {
  return /<form\b[^>]*\bid="([^"]*)"/.exec(page.body)?.[1];
}

/** Every `data-code` on the page (the broken rules of a change-password refusal). */
export function pageCodes(page: UaResponse): string[] {
  return [...page.body.matchAll(/data-code="([^"]*)"/g)].map((m) => m[1]!);
}

/** Posts the page's first form with `fields` over its own (hidden `tx`). */
export async function submit(ua: UserAgent, page: UaResponse, fields: Record<string, string>): Promise<UaResponse> {
  const form = readForm(page.body, page.url);
  return ua.post(form.action, { ...form.fields, ...fields });
}

/** From the username page to the page the user's authenticator shows next. */
export async function enterUsername(ua: UserAgent, lab: Lab, username: string, start?: UaResponse): Promise<UaResponse> {
  const login = start ?? (await ua.get(`${lab.urls.cxone}/login`));
  return submit(ua, login, { username });
}

/** Username then password: the answer to `POST /login/password`. */
export async function signIn(ua: UserAgent, lab: Lab, username: string, password: string): Promise<UaResponse> {
  const page = await enterUsername(ua, lab, username);
  if (formId(page) !== 'passwordForm') throw new Error(`expected the password page, got ${page.status} ${errorOf(page)}`);
  return submit(ua, page, { password });
}

/** Whether this browser is signed in to CXone as `username` (the home page says so). */
export async function signedInAs(ua: UserAgent, lab: Lab): Promise<string | undefined> {
  const home = await ua.get(`${lab.urls.cxone}/`);
  return home.status === 200 ? textOf(home, 'signedInUser') : undefined;
}

/** A System authenticator with `password` policy and `mfa` settings, and an active user of it with `password`. */
export async function systemUser(
  lab: Lab,
  name: string,
  opts: { password?: Record<string, unknown>; mfa?: { required: boolean; type: 'HOTP' | 'TOTP' }; userPassword: string; firstName?: string; lastName?: string },
): Promise<{ authenticatorId: string; userId: string; username: string }> {
  const a = await api(lab, 'POST', '/login-authenticators', {
    name: `System ${name}`,
    type: 'System',
    system: { ...(opts.password && { password: opts.password }), ...(opts.mfa && { mfa: opts.mfa }) },
  });
  if (a.status !== 201) throw new Error(`authenticator: ${a.status} ${JSON.stringify(a.body)}`);
  const username = `${name}@corp.example`;
  const u = await api(lab, 'POST', '/users', {
    username,
    email: username,
    firstName: opts.firstName ?? 'Quinn',
    lastName: opts.lastName ?? 'Tester',
    loginAuthenticatorId: a.body['id'],
    password: opts.userPassword,
    active: true,
  });
  if (u.status !== 201) throw new Error(`user: ${u.status} ${JSON.stringify(u.body)}`);
  return { authenticatorId: a.body['id'] as string, userId: u.body['id'] as string, username };
}

export { UserAgent };
