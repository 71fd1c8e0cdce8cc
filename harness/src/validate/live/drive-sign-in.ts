import type { Browser, Page } from './browser.js';
import { fieldsOf, readForms, signInForm, titleOf, type HtmlForm } from './html-forms.js';

/** How a scripted sign-in through CXone ended. */
export type SignInOutcome = { ok: true; signedInAs: string } | { ok: false; code: string; message: string };

/** Requests one sign-in may take: redirects, the IdP's form, its answer, CXone's callback or ACS. */
const MAX_STEPS = 25;

/**
 * An SP-initiated sign-in at the lab's CXone, by a scripted browser (cookie jar, no JavaScript):
 * CXone's username page, the redirect to the IdP, the IdP's sign-in form (any form with a password
 * field: the user name goes in its first text or e-mail field), the IdP's answer (an auto-POST
 * form to CXone's ACS for SAML, a redirect to CXone's callback for OIDC), and CXone's home page.
 * Every refusal is a stable code: CXone's own (`X-Idp-Harness-Error`, e.g.
 * ERR_CXONE_EXTERNAL_IDENTITY_UNKNOWN) or the validator's `ERR_VALIDATE_LIVE_…`.
 */
export async function driveSignIn(ua: Browser, cxoneUrl: string, username: string, idpUser: string, password: string): Promise<SignInOutcome> {
  const cxone = new URL(cxoneUrl).origin;
  const page = await ua.get(`${cxoneUrl}/login`);
  const start = readForms(page.body, page.url).find((f) => f.inputs.some((i) => i.name === 'username'));
  if (page.status !== 200 || !start) return refused(page, 'ERR_VALIDATE_LIVE_CXONE_PAGE', `CXone's sign-in page was not served (${page.status} at ${page.url})`);
  let res = await submit(ua, start, { username });
  let credentialsSent = false;
  for (let i = 0; i < MAX_STEPS; i++) {
    const here = new URL(res.url).origin;
    const labCode = header(res, 'x-idp-harness-error');
    if (res.status >= 300 && res.status < 400 && res.location) {
      res = await ua.get(new URL(res.location, res.url).toString());
      continue;
    }
    if (here === cxone) {
      if (labCode) return { ok: false, code: labCode, message: `CXone refused the sign-in (${labCode}): ${cxoneMessage(res.body)}` };
      const who = /<strong id="signedInUser">([^<]*)<\/strong>/.exec(res.body)?.[1];
      if (res.status === 200 && who !== undefined) return { ok: true, signedInAs: who };
      if (res.status !== 200) return refused(res, 'ERR_VALIDATE_LIVE_CXONE_PAGE', `CXone answered ${res.status} at ${res.url}`);
    }
    if (res.status >= 400) {
      const msis = /MSIS\d{4}/.exec(res.body)?.[0];
      return { ok: false, code: labCode ?? 'ERR_VALIDATE_LIVE_IDP_ERROR', message: `The IdP answered ${res.status} at ${res.url}${msis ? ` (${msis})` : ''}: ${titleOf(res.body) || 'no title'}.` };
    }
    const forms = readForms(res.body, res.url);
    const login = signInForm(forms);
    if (login && here !== cxone) {
      // The form again after the credentials went in: the IdP refused them.
      if (credentialsSent) return { ok: false, code: 'ERR_VALIDATE_LIVE_IDP_CREDENTIALS_REFUSED', message: `The IdP showed its sign-in form again after the password was sent: it refused '${idpUser}' / the password.` };
      const userField = login.inputs.find((x) => x.type === 'text' || x.type === 'email');
      const passField = login.inputs.find((x) => x.type === 'password')!;
      credentialsSent = true;
      res = await submit(ua, login, { ...(userField ? { [userField.name]: idpUser } : {}), [passField.name]: password });
      continue;
    }
    // An auto-submitting form (SAML HTTP-POST binding, OAuth form_post) or the lab OP's consent page.
    const autoPost = forms.find((f) => f.method === 'POST' && (f.inputs.some((x) => x.name === 'SAMLResponse' || x.name === 'code') || new URL(f.action).origin === cxone));
    if (autoPost) {
      res = await submit(ua, autoPost, {});
      continue;
    }
    const consent = forms.find((f) => f.id === 'consentForm');
    if (consent) {
      res = await submit(ua, consent, { decision: 'approve' });
      continue;
    }
    const msis = /MSIS\d{4}/.exec(res.body)?.[0];
    const code = labCode ?? /data-error-code="([A-Z0-9_]+)"/.exec(res.body)?.[1];
    if (code || msis) return { ok: false, code: code ?? 'ERR_VALIDATE_LIVE_IDP_ERROR', message: `The IdP showed an error page at ${res.url}${msis ? ` (${msis})` : ''}: has it registered CXone's entity ID / redirect URI?` };
    return {
      ok: false,
      code: 'ERR_VALIDATE_LIVE_IDP_PAGE',
      message: `The IdP showed a page this scripted browser cannot complete ('${titleOf(res.body) || res.url}'; sign-in pages that need JavaScript are not supported): sign in by hand through CXone instead.`,
    };
  }
  return { ok: false, code: 'ERR_VALIDATE_LIVE_TOO_MANY_STEPS', message: `The sign-in did not finish within ${MAX_STEPS} requests (a redirect loop?).` };
}

function submit(ua: Browser, form: HtmlForm, values: Record<string, string>): Promise<Page> {
  const fields = { ...fieldsOf(form), ...values };
  if (form.method === 'POST') return ua.post(form.action, fields);
  const u = new URL(form.action);
  for (const [k, v] of Object.entries(fields)) u.searchParams.set(k, v);
  return ua.get(u.toString());
}

/** The lab's stable error code header (`X-Idp-Harness-Error`), only when it is one: another IdP could send anything. */
function header(res: Page, name: string): string | undefined {
  const raw = res.headers[name];
  const v = Array.isArray(raw) ? raw[0] : raw;
  return v !== undefined && /^ERR_[A-Z0-9_]{1,80}$/.test(v) ? v : undefined;
}

function cxoneMessage(html: string): string {
  const m = /<p[^>]*id="errorText"[^>]*>([^<]*)<\/p>/.exec(html)?.[1] ?? titleOf(html);
  return m.trim() || 'see the lab log';
}

function refused(res: Page, code: string, message: string): SignInOutcome {
  return { ok: false, code: header(res, 'x-idp-harness-error') ?? code, message };
}
