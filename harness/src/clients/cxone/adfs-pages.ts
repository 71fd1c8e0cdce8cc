import { readForm, type UaResponse, type UserAgent } from '../user-agent.js';

/**
 * The two AD FS pages a browser meets on the way to a SAML service provider (DESIGN.md F1/F4):
 * the forms sign-in page (`UserName`, `Password`, `AuthMethod=FormsAuthentication`) and the
 * "Working..." page that auto-POSTs the `SAMLResponse` to the SP's ACS.
 */

export function isAdfsLoginPage(page: UaResponse): boolean {
  return page.status === 200 && page.body.includes('id="loginForm"');
}

/** Fills in and posts the forms sign-in page (the served hidden fields and `AuthMethod` kept). */
export function submitAdfsLogin(ua: UserAgent, page: UaResponse, userName: string, password: string): Promise<UaResponse> {
  const form = readForm(page.body, page.url);
  return ua.post(form.action, { ...form.fields, UserName: userName, Password: password });
}

/** What the "Working..." page would post: the ACS URL and the form fields (`SAMLResponse`, maybe `RelayState`). */
export interface AutoPost {
  action: string;
  fields: Record<string, string>;
}

/** AD FS did not answer with the page the flow needs; `code` is the stable code of its error page, if any. */
export class AdfsPageError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'AdfsPageError';
  }
}

/** The auto-POST form of AD FS's "Working..." page; throws with what came instead. */
export function readAutoPost(page: UaResponse): AutoPost {
  if (page.status !== 200 || !page.body.includes('<title>Working...</title>')) {
    const h = page.headers['x-idp-harness-error'];
    const code = typeof h === 'string' ? h : undefined;
    throw new AdfsPageError(`AD FS did not answer with its auto-POST page: ${page.status}${code ? ` ${code}` : ''} at ${page.url}`, code);
  }
  const form = readForm(page.body, page.url);
  if (form.fields['SAMLResponse'] === undefined) throw new AdfsPageError('the AD FS auto-POST page carries no SAMLResponse', undefined);
  return form;
}

/**
 * From AD FS's sign-in URL (where an SP's AuthnRequest or IdpInitiatedSignOn sends the browser)
 * to its answer: the sign-in form when AD FS has no session for this browser, then the auto-POST.
 */
export async function signInAtAdfs(ua: UserAgent, url: string, userName: string, password: string): Promise<AutoPost> {
  let page = await ua.get(url);
  if (isAdfsLoginPage(page)) page = await submitAdfsLogin(ua, page, userName, password);
  return readAutoPost(page);
}

/** The browser's auto-POST of the Working... page's form. */
export function postAutoPost(ua: UserAgent, post: AutoPost): Promise<UaResponse> {
  return ua.post(post.action, post.fields);
}
