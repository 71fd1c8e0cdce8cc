import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { findUserBySignInName } from '../directory/users.js';
import { IdpError } from '../shared/errors.js';
import type { AdfsContext } from './context.js';
import { BAD_CREDENTIALS_TEXT, renderLoginPage } from './pages/login-page.js';
import { setSessionCookie } from './respond.js';
import { SESSION_COOKIE } from './sessions.js';
import { completeSignIn, withStatusResponses } from './sso.js';

/**
 * The forms sign-in POST (`UserName`, `Password`, `AuthMethod=FormsAuthentication`). AD FS
 * accepts `user`, `DOMAIN\user` or the UPN. A wrong password shows the form again with AD FS's
 * message; a correct one starts the SSO session and answers the waiting request.
 */
export function handleLoginSubmit(ctx: AdfsContext, req: Request, res: Response): void {
  const requestId = typeof req.query['client-request-id'] === 'string' ? req.query['client-request-id'] : '';
  const pending = ctx.pending.get(requestId);
  const rp = pending ? ctx.relyingParties.get(pending.rpName) : undefined;
  if (!pending || !rp) {
    throw new IdpError('ERR_SAML_LOGIN_FAILED', 'The sign-in request is unknown or has expired. Start again from the application.');
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  const userName = typeof body['UserName'] === 'string' ? body['UserName'] : '';
  const password = typeof body['Password'] === 'string' ? body['Password'] : '';
  const user = findUserBySignInName(ctx.users, userName);
  const ok = body['AuthMethod'] === 'FormsAuthentication' && user !== undefined && samePassword(user.password, password);
  if (!ok) {
    ctx.log.info({ svc: 'adfs', event: 'adfs.login.failed', userName }, 'forms sign-in failed');
    res
      .status(200)
      .type('html')
      .set('X-Idp-Harness-Error', 'ERR_SAML_LOGIN_FAILED')
      .send(
        renderLoginPage({
          serviceName: ctx.config.displayName,
          action: `${ctx.urls.ls}?client-request-id=${requestId}`,
          userName,
          error: BAD_CREDENTIALS_TEXT,
        }),
      );
    return;
  }
  const previous = parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE];
  if (previous) ctx.sessions.end(previous);
  const session = ctx.sessions.create(user.username, 'forms');
  ctx.pending.delete(requestId);
  setSessionCookie(ctx, res, session);
  session.labSsoId = ctx.labSso.signIn(req, res, ctx.tls, user.username, 'forms', session.authnInstant)?.id;
  ctx.log.info({ svc: 'adfs', event: 'adfs.login.succeeded', user: user.username }, 'forms sign-in');
  withStatusResponses(ctx, res, rp, pending.target, () => completeSignIn(ctx, res, rp, session, pending.target, pending));
}

/** Constant-time comparison, so the lab does not teach timing side channels by example. */
function samePassword(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
