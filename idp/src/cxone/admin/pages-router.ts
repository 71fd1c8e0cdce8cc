import express, { type Request, type Response, type Router } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import type { Authenticator, CxoneUser } from '../model.js';
import { requireAdmin } from './admin-auth.js';
import {
  createAuthenticator,
  deleteAuthenticator,
  discoverEndpoints,
  findAuthenticator,
  setAuthenticatorActive,
  updateAuthenticator,
} from './authenticator-actions.js';
import type { FieldError } from './field-errors.js';
import type { Notice } from './pages/admin-frame.js';
import { renderAuthenticatorForm } from './pages/authenticator-form-page.js';
import { renderAuthenticatorList } from './pages/authenticator-list-page.js';
import { renderAuthenticatorPage } from './pages/authenticator-page.js';
import { authenticatorBody, authenticatorFormValues, formValues, OIDC_ENDPOINT_FIELDS, userBody, userFormValues, type FormValues } from './pages/form-input.js';
import { renderUserForm, renderUserList } from './pages/user-pages.js';
import { presentAuthenticator } from './present.js';
import { activateUser, createUser, deactivateUser, deleteUser, findUser, resetUserMfa, resetUserPassword, unlockUser, updateUser } from './user-actions.js';

/** What a redirect after a successful change says on the next page (only these; nothing from the query is echoed). */
const DONE: Record<string, string> = {
  created: 'Saved and activated.',
  saved: 'Saved.',
  activated: 'Activated.',
  deactivated: 'Deactivated.',
  deleted: 'Deleted.',
  unlocked: 'Unlocked.',
  'password-reset': 'Password reset.',
  'mfa-reset': 'MFA reset: the user enrols again at the next sign-in.',
};

/**
 * `/admin`: the tenant administrator's pages (seed 002: Admin → Login Authenticators, Users),
 * behind the same HTTP Basic credentials as the admin API. Plain HTML forms; every change goes
 * through the functions the API uses (authenticator-actions.ts, user-actions.ts), so the rules,
 * the field errors and their codes are the API's. A rejected change re-renders the form with
 * what was typed, every field error beside its field, the code in `X-Idp-Harness-Error`, and
 * changes nothing. A successful one redirects (303, POST/redirect/GET).
 */
export function adminPagesRouter(ctx: CxoneContext): Router {
  const r = express.Router();
  r.use((req, res, next) => {
    try {
      requireAdmin(ctx, req);
    } catch (e) {
      // The page surface writes HTML, so the challenge is set here for the browser to prompt (RFC 7617 §2).
      const challenge = e instanceof IdpError ? e.details['challenge'] : undefined;
      if (typeof challenge === 'string') res.set('WWW-Authenticate', challenge);
      throw e;
    }
    // Browsers resend Basic credentials on their own, so a page elsewhere could post these forms
    // (CSRF): a change must come from a page of this CXone (Origin, or Referer when Origin is absent).
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const referer = req.get('referer');
      const from = req.get('origin') ?? (referer ? (URL.parse(referer)?.origin ?? 'null') : undefined);
      if (from !== undefined && from !== new URL(ctx.urls.base).origin) {
        throw new IdpError('ERR_CXONE_ADMIN_FORBIDDEN', 'The change comes from a page outside CXone administration.', { status: 403, debug: `origin ${from}` });
      }
    }
    res.set('Cache-Control', 'no-store');
    next();
  });

  const html = (res: Response, page: string, status = 200) => res.status(status).type('html').send(page);
  const done = (req: Request): Notice | undefined => {
    const key = req.query['notice'];
    return typeof key === 'string' && DONE[key] ? { ok: true, text: DONE[key] } : undefined;
  };
  /** A refusal of the admin rules: the page to show again, with the error's status and code. */
  const refused = (res: Response, e: unknown, render: (errors: FieldError[], notice: Notice) => string) => {
    if (!(e instanceof IdpError) || e.status >= 500) throw e;
    res.set('X-Idp-Harness-Error', e.code);
    const errors = (e.details['fieldErrors'] as FieldError[] | undefined) ?? [];
    html(res, render(errors, { ok: false, text: e.message, code: e.code }), e.status);
  };
  const authenticator = (req: Request): Authenticator => findAuthenticator(ctx, String(req.params['id']));
  const user = (req: Request): CxoneUser => findUser(ctx, String(req.params['id']));
  const authenticatorUrl = (a: Authenticator, notice: string) => `/admin/login-authenticators/${encodeURIComponent(a.id)}?notice=${notice}`;
  const userUrl = (u: CxoneUser, notice: string) => `/admin/users/${encodeURIComponent(u.id)}?notice=${notice}`;

  r.get('/', (_req, res) => res.redirect(303, '/admin/login-authenticators'));

  // ----- login authenticators
  r.get('/login-authenticators', (req, res) => html(res, renderAuthenticatorList(ctx, done(req))));
  r.get('/login-authenticators/new', (req, res) => {
    const type = typeof req.query['type'] === 'string' && ['System', 'SAML', 'OIDC'].includes(req.query['type']) ? req.query['type'] : 'System';
    html(res, renderAuthenticatorForm({ existing: undefined, values: authenticatorFormValues(undefined, type) }));
  });

  /** "Discover settings": the endpoints found are written into the form, which is shown again, filled, for review. */
  const discover = async (res: Response, f: FormValues, existing: Authenticator | undefined) => {
    try {
      const found = await discoverEndpoints(ctx, (f['oidc.discoveryUrl'] ?? '').trim(), 'oidc.discoveryUrl');
      const values = { ...f };
      for (const k of OIDC_ENDPOINT_FIELDS) values[`oidc.${k}`] = found[k] ?? '';
      html(res, renderAuthenticatorForm({ existing, values, notice: { ok: true, text: `Settings discovered from ${f['oidc.discoveryUrl']?.trim()}.` } }));
    } catch (e) {
      refused(res, e, (errors, notice) => renderAuthenticatorForm({ existing, values: f, errors, notice }));
    }
  };
  const saveAuthenticator = async (req: Request, res: Response, existing: Authenticator | undefined) => {
    const f = formValues(req.body);
    if (f['action'] === 'discover') return discover(res, f, existing);
    try {
      const body = authenticatorBody(f, existing);
      const a = existing ? await updateAuthenticator(ctx, existing, body, false) : await createAuthenticator(ctx, body);
      res.redirect(303, authenticatorUrl(a, existing ? 'saved' : 'created'));
    } catch (e) {
      // The secrets and the certificate text are not typed again by the browser: keep what was sent.
      refused(res, e, (errors, notice) => renderAuthenticatorForm({ existing, values: f, errors, notice, certificateSummary: summaryOf(ctx, existing) }));
    }
  };
  r.post('/login-authenticators', (req, res) => saveAuthenticator(req, res, undefined));
  r.get('/login-authenticators/:id', (req, res) => html(res, renderAuthenticatorPage(ctx, authenticator(req), done(req))));
  r.get('/login-authenticators/:id/edit', (req, res) => {
    const a = authenticator(req);
    html(res, renderAuthenticatorForm({ existing: a, values: authenticatorFormValues(a), certificateSummary: summaryOf(ctx, a) }));
  });
  r.post('/login-authenticators/:id', (req, res) => saveAuthenticator(req, res, authenticator(req)));
  const authenticatorAction = (change: (a: Authenticator) => void, notice: string, toList = false) => (req: Request, res: Response) => {
    const a = authenticator(req);
    try {
      change(a);
      res.redirect(303, toList ? `/admin/login-authenticators?notice=${notice}` : authenticatorUrl(a, notice));
    } catch (e) {
      refused(res, e, (_errors, n) => renderAuthenticatorList(ctx, n));
    }
  };
  r.post('/login-authenticators/:id/activate', authenticatorAction((a) => setAuthenticatorActive(ctx, a, true), 'activated'));
  r.post('/login-authenticators/:id/deactivate', authenticatorAction((a) => setAuthenticatorActive(ctx, a, false), 'deactivated'));
  r.post('/login-authenticators/:id/delete', authenticatorAction((a) => deleteAuthenticator(ctx, a), 'deleted', true));

  // ----- users
  r.get('/users', (req, res) => html(res, renderUserList(ctx, done(req))));
  r.get('/users/new', (_req, res) => html(res, renderUserForm(ctx, { existing: undefined, values: userFormValues(undefined, ctx.store.defaultAuthenticator()?.id) })));
  r.post('/users', (req, res) => {
    const f = formValues(req.body);
    try {
      const u = createUser(ctx, userBody(f, undefined));
      res.redirect(303, userUrl(u, 'saved'));
    } catch (e) {
      refused(res, e, (errors, notice) => renderUserForm(ctx, { existing: undefined, values: f, errors, notice }));
    }
  });
  r.get('/users/:id', (req, res) => {
    const u = user(req);
    html(res, renderUserForm(ctx, { existing: u, values: userFormValues(u, undefined), notice: done(req) }));
  });
  r.post('/users/:id', (req, res) => {
    const u = user(req);
    const f = formValues(req.body);
    try {
      updateUser(ctx, u, userBody(f, u), false);
      res.redirect(303, userUrl(u, 'saved'));
    } catch (e) {
      refused(res, e, (errors, notice) => renderUserForm(ctx, { existing: u, values: f, errors, notice }));
    }
  });
  const userAction = (change: (u: CxoneUser, f: FormValues) => void, notice: string, resetForm = false) => (req: Request, res: Response) => {
    const u = user(req);
    try {
      change(u, formValues(req.body));
      res.redirect(303, userUrl(u, notice));
    } catch (e) {
      refused(res, e, (errors, n) => renderUserForm(ctx, { existing: u, values: userFormValues(u, undefined), notice: n, ...(resetForm ? { resetErrors: errors } : { errors }) }));
    }
  };
  r.post('/users/:id/activate', userAction((u) => activateUser(ctx, u, {}), 'activated'));
  r.post('/users/:id/deactivate', userAction((u) => deactivateUser(ctx, u), 'deactivated'));
  r.post('/users/:id/unlock', userAction((u) => unlockUser(ctx, u), 'unlocked'));
  r.post('/users/:id/mfa/reset', userAction((u) => resetUserMfa(ctx, u), 'mfa-reset'));
  r.post(
    '/users/:id/password',
    userAction((u, f) => resetUserPassword(ctx, u, { password: f['password'] ?? '', mustChangePassword: f['mustChangePassword'] === 'true' }), 'password-reset', true),
  );
  r.post('/users/:id/delete', (req, res) => {
    deleteUser(ctx, user(req));
    res.redirect(303, '/admin/users?notice=deleted');
  });
  return r;
}

/** One line about the stored certificate, shown on the edit form (the PEM itself is not sent back into the form). */
function summaryOf(ctx: CxoneContext, a: Authenticator | undefined): string | undefined {
  if (!a?.saml) return undefined;
  const info = presentAuthenticator(ctx, a).saml!.certificateInfo;
  return info.valid ? `${info.subject}, valid until ${info.notAfter}` : info.problem;
}
