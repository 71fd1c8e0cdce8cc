import { readForm, type UaResponse, type UserAgent } from './user-agent.js';

/**
 * Drives the browser side of an OpenID Connect authorization request with the scripted
 * UserAgent: follows the redirects, fills the lab's sign-in page and answers its consent page,
 * until the provider sends the browser back to the client's redirect URI. The client side
 * (building the request, redeeming the code) is openid-client's job in tests.
 */
export interface AuthorizeOptions {
  /** Credentials for the sign-in page, if one is shown. */
  username?: string;
  password?: string;
  /** Answer to a consent page (default approve). */
  consent?: 'approve' | 'deny';
  /** At most this many requests (redirect hops and form posts). */
  maxSteps?: number;
}

export interface AuthorizeResult {
  /** The redirect URI as the browser reached it, with query or fragment parameters. */
  callback: URL;
  /** The parameters, from the query, the fragment, or a `form_post` body. */
  params: Record<string, string>;
  /** For `response_mode=form_post`: the POST the browser would make, as a Request. */
  formPost?: Request;
  /** Which pages were shown, in order (`login`, `consent`). */
  pages: string[];
}

export async function authorize(ua: UserAgent, authorizationUrl: string | URL, redirectUri: string, opts: AuthorizeOptions = {}): Promise<AuthorizeResult> {
  const pages: string[] = [];
  let res: UaResponse = await ua.get(String(authorizationUrl));
  for (let step = 0; step < (opts.maxSteps ?? 20); step++) {
    if (res.status >= 300 && res.status < 400 && res.location) {
      const next = new URL(res.location, res.url);
      if (sameEndpoint(next, redirectUri)) return { callback: next, params: callbackParams(next), pages };
      res = await ua.get(next.toString());
      continue;
    }
    if (res.status !== 200) throw new AuthorizeError(`unexpected ${res.status} at ${res.url}`, res);
    if (/id="loginForm"/.test(res.body)) {
      if (opts.username === undefined) throw new AuthorizeError('the sign-in page was shown and no credentials were given', res);
      pages.push('login');
      const form = readForm(res.body, res.url);
      res = await ua.post(form.action, { ...form.fields, username: opts.username, password: opts.password ?? '' });
      if (res.status === 200 && /id="errorText"/.test(res.body)) throw new AuthorizeError('sign-in refused', res);
      continue;
    }
    if (/id="consentForm"/.test(res.body)) {
      pages.push('consent');
      const form = readForm(res.body, res.url);
      res = await ua.post(form.action, { ...form.fields, decision: opts.consent ?? 'approve' });
      continue;
    }
    // response_mode=form_post (OAuth 2.0 Form Post Response Mode §2): an auto-submitting form.
    const form = /<form\b[^>]*method="post"/i.test(res.body) ? readForm(res.body, res.url) : undefined;
    if (form && sameEndpoint(new URL(form.action), redirectUri)) {
      const body = new URLSearchParams(form.fields);
      return {
        callback: new URL(form.action),
        params: form.fields,
        formPost: new Request(form.action, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
        pages,
      };
    }
    throw new AuthorizeError(`no sign-in, consent or redirect at ${res.url}`, res);
  }
  throw new Error('authorize: too many steps');
}

/**
 * RP-initiated logout: opens the end-session URL, confirms on the provider's page (or declines),
 * and returns where the browser ends: the post-logout redirect, or the provider's own page.
 */
export async function endSession(ua: UserAgent, endSessionUrl: string | URL, opts: { confirm?: boolean } = {}): Promise<UaResponse> {
  let res = await ua.follow(await ua.get(String(endSessionUrl)));
  if (res.status !== 200 || !/op\.logoutForm/.test(res.body)) return res;
  const form = readForm(res.body, res.url);
  const fields = opts.confirm === false ? form.fields : { ...form.fields, logout: 'yes' };
  res = await ua.post(form.action, fields);
  // The post-logout redirect is returned unfollowed (the RP may not be listening); the
  // provider's own "signed out" page is followed to.
  if (res.location && new URL(res.location, res.url).origin === new URL(res.url).origin) return ua.follow(res);
  return res;
}

export class AuthorizeError extends Error {
  constructor(
    message: string,
    readonly response: UaResponse,
  ) {
    super(`${message}: ${response.body.slice(0, 300)}`);
  }
}

function sameEndpoint(u: URL, redirectUri: string): boolean {
  const r = new URL(redirectUri);
  return u.origin === r.origin && u.pathname === r.pathname;
}

function callbackParams(u: URL): Record<string, string> {
  const source = u.hash.length > 1 ? new URLSearchParams(u.hash.slice(1)) : u.searchParams;
  return Object.fromEntries(source);
}
