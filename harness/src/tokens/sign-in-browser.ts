import { readForm, type UaResponse, type UserAgent } from '../clients/user-agent.js';

/** Who signs in, at which page. */
export interface SignInCredentials {
  /** At the IdP's sign-in page (AD FS `UserName`, the lab OP's `username`). */
  idp?: { username: string; password: string };
  /** At CXone's username and password pages. */
  cxone?: { username: string; password?: string };
}

/** A sign-in that did not reach the redirect URI: where it stopped, and the lab's error code. */
export class SignInError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The lab's stable error code (`X-Idp-Harness-Error`), when the page had one. */
    readonly code: string | undefined,
  ) {
    super(code ? `${code}: ${message}` : message);
    this.name = 'SignInError';
  }
}

/** Redirect hops and forms one sign-in may pass through: a loop is a failure, not a hang. */
const MAX_STEPS = 25;

/**
 * The browser half of a sign-in, scripted: from `start` through every page the lab shows (CXone's
 * username and password pages, AD FS's forms page, the OpenID Provider's sign-in and consent
 * pages, the auto-POST pages that carry SAML messages) until a redirect to `redirectUri`, which is
 * returned. Nothing needs to listen there: the redirect is read, not followed.
 */
export async function signInUntil(ua: UserAgent, start: string, redirectUri: string, who: SignInCredentials): Promise<URL> {
  let res: UaResponse = await ua.get(start);
  let last: string | undefined;
  for (let step = 0; step < MAX_STEPS; step++) {
    if (res.status >= 300 && res.status < 400 && res.location) {
      const next = new URL(res.location, res.url);
      if (sameEndpoint(next, redirectUri)) return next;
      res = await ua.get(next.toString());
      continue;
    }
    if (res.status !== 200 || !/<form\b/i.test(res.body)) throw stopped(res, res.status === 200 ? 'the sign-in stopped on a page without a form' : `unexpected ${res.status}`);
    const form = readForm(res.body, res.url);
    const id = /<form\b[^>]*\bid="([^"]*)"/i.exec(res.body)?.[1];
    const page = 'UserName' in form.fields && 'Password' in form.fields ? 'adfs-login' : id === 'loginForm' ? 'op-login' : id;
    // The same credentials page twice in a row: what was typed was refused.
    if (page === last && (page === 'adfs-login' || page === 'op-login' || page === 'passwordForm' || page === 'usernameForm')) {
      throw stopped(res, page === 'usernameForm' ? 'CXone refused the user name' : 'the user name or password was refused');
    }
    last = page;
    switch (page) {
      case 'adfs-login':
        res = await ua.post(form.action, { ...form.fields, UserName: need(who.idp, res).username, Password: need(who.idp, res).password });
        break;
      case 'op-login':
        res = await ua.post(form.action, { ...form.fields, username: need(who.idp, res).username, password: need(who.idp, res).password });
        break;
      case 'consentForm':
        res = await ua.post(form.action, { ...form.fields, decision: 'approve' });
        break;
      case 'usernameForm':
        res = await ua.post(form.action, { ...form.fields, username: need(who.cxone, res).username });
        break;
      case 'passwordForm': {
        const password = need(who.cxone, res).password;
        if (password === undefined) throw stopped(res, 'CXone asks for a password: pass --password');
        res = await ua.post(form.action, { ...form.fields, password });
        break;
      }
      default:
        // An auto-POST page (AuthnRequest, SAMLResponse, IdS relay): hidden fields only, submitted as is.
        if (hasVisibleField(res.body)) {
          throw stopped(res, `the sign-in needs a step this command cannot do (${id ?? 'a form'}, e.g. a password change or MFA): sign in once in a browser first`);
        }
        res = await ua.post(form.action, form.fields);
    }
  }
  throw stopped(res, `no redirect to ${redirectUri} after ${MAX_STEPS} steps`);
}

/** Whether the page's first form asks for something (a named input that is not hidden). */
function hasVisibleField(html: string): boolean {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html)?.[1] ?? '';
  return [...form.matchAll(/<(input|select|textarea)\b([^>]*)>/gi)].some(([, tag, attrs]) => /\bname="/i.test(attrs!) && !(tag!.toLowerCase() === 'input' && /\btype="hidden"/i.test(attrs!)));
}

function need<T>(v: T | undefined, res: UaResponse): T {
  if (v === undefined) throw stopped(res, 'a sign-in page was shown and no credentials were given for it');
  return v;
}

function stopped(res: UaResponse, why: string): SignInError {
  const code = res.headers['x-idp-harness-error'];
  return new SignInError(`${why} at ${res.url.split('?')[0]}`, res.status, typeof code === 'string' ? code : undefined);
}

/** Same scheme, host, port and path: where the browser would land (query and fragment aside). */
function sameEndpoint(url: URL, redirectUri: string): boolean {
  const r = new URL(redirectUri);
  return url.origin === r.origin && url.pathname === r.pathname;
}
