import { readForm, type UaResponse, type UserAgent } from '../user-agent.js';

/**
 * Reading CXone's sign-in pages the way a browser user would (docs/cxone.md "Sign-in pages"):
 * which step a page is (its form id), the stable code of a refusal (header
 * `X-Idp-Harness-Error`), the text of an element, and posting a page's form with the hidden
 * transaction fields kept.
 */

/** The stable error code a CXone page or redirect carries, if any. */
export function errorCodeOf(res: UaResponse): string | undefined {
  const v = res.headers['x-idp-harness-error'];
  return typeof v === 'string' ? v : undefined;
}

/** The id of the page's first form: `usernameForm`, `passwordForm`, `mfaEnrollForm`, `mfaForm`, `changePasswordForm`… */
export function formIdOf(page: UaResponse): string | undefined {
  return /<form\b[^>]*\bid="([^"]*)"/.exec(page.body)?.[1];
}

const decode = (s: string) =>
  s.replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The decoded text of the element with `id`, or undefined. */
export function textById(page: UaResponse, id: string): string | undefined {
  const m = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(page.body);
  return m ? decode(m[1]!) : undefined;
}

/** Posts the page's first form with `fields` over its own (the hidden `tx` stays). */
export function submitForm(ua: UserAgent, page: UaResponse, fields: Record<string, string>): Promise<UaResponse> {
  const form = readForm(page.body, page.url);
  return ua.post(form.action, { ...form.fields, ...fields });
}

/** Who CXone's home page says is signed in on this browser, or undefined when nobody is. */
export interface CxoneHome {
  username: string;
  authenticator: string | undefined;
  amr: string[];
}

export async function cxoneHome(ua: UserAgent, cxoneUrl: string): Promise<CxoneHome | undefined> {
  const home = await ua.get(`${cxoneUrl}/`);
  const username = home.status === 200 ? textById(home, 'signedInUser') : undefined;
  if (username === undefined) return undefined;
  const amr = textById(home, 'amr') ?? '';
  return { username, authenticator: textById(home, 'authenticator'), amr: amr.split(',').map((s) => s.trim()).filter(Boolean) };
}
