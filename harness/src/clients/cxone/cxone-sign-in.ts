import type { UaResponse, UserAgent } from '../user-agent.js';
import { errorCodeOf, formIdOf, submitForm } from './cxone-pages.js';

/**
 * CXone's username-first sign-in (docs/cxone.md "Signing in", seed 002 step 6) driven page by
 * page: the username page decides what comes next — the password page of a System
 * authenticator, or a redirect to a SAML / OIDC authenticator's IdP.
 */

/** CXone did not show what the next sign-in step needs; `code` is the stable code it sent, if any. */
export class CxoneSignInError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'CxoneSignInError';
  }
}

/** Opens `start` (CXone's `/login`, or an application's `/auth/authorize` URL) and follows redirects to the username page. */
export async function openUsernamePage(ua: UserAgent, start: string): Promise<UaResponse> {
  const page = await ua.follow(await ua.get(start));
  if (formIdOf(page) !== 'usernameForm') throw new CxoneSignInError(`expected CXone's username page at ${start}, got ${page.status} ${errorCodeOf(page) ?? ''} at ${page.url}`, errorCodeOf(page));
  return page;
}

/** The username typed on the username page: the answer is the next page or the redirect to the IdP. */
export async function enterUsername(ua: UserAgent, start: string, username: string): Promise<UaResponse> {
  return submitForm(ua, await openUsernamePage(ua, start), { username });
}

/** Username then password at a System authenticator: the answer to `POST /login/password`. */
export async function signInWithPassword(ua: UserAgent, start: string, username: string, password: string): Promise<UaResponse> {
  const page = await enterUsername(ua, start, username);
  if (formIdOf(page) !== 'passwordForm') throw new CxoneSignInError(`expected CXone's password page for ${username}, got ${page.status} ${errorCodeOf(page) ?? ''}`, errorCodeOf(page));
  return submitForm(ua, page, { password });
}

/** The absolute URL a redirect answer points to; throws when the answer is not a redirect. */
export function redirectTarget(res: UaResponse): URL {
  if (res.status < 300 || res.status >= 400 || !res.location) {
    throw new CxoneSignInError(`expected a redirect from ${res.url}, got ${res.status} ${errorCodeOf(res) ?? ''}`.trim(), errorCodeOf(res));
  }
  return new URL(res.location, res.url);
}
