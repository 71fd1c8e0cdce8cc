import type { Request, Response } from 'express';
import type { CxoneContext } from '../context.js';
import type { Authenticator, CxoneUser } from '../model.js';
import { redirectWithCode } from '../op/authorize.js';
import type { AuthorizeRequest } from '../op/authorize-request.js';
import type { ExternalSignIn } from './sessions.js';
import type { LoginTransaction } from './transactions.js';

export interface SignedIn {
  /** The sign-in's transaction; undefined for an IdP-initiated SAML login. */
  tx: LoginTransaction | undefined;
  user: CxoneUser;
  authenticator: Authenticator;
  /** RFC 8176 methods: `pwd`, `otp`, `mfa`, `fed`. */
  amr: string[];
  acr?: string | undefined;
  external?: ExternalSignIn | undefined;
}

/**
 * The end of every sign-in, whatever the authenticator: the user's failure count is cleared, a new
 * session replaces any earlier one of this browser (no session fixation), and the browser goes to
 * the application that asked (with a code) or to CXone's home page.
 */
export function completeSignIn(ctx: CxoneContext, req: Request, res: Response, s: SignedIn): void {
  ctx.sessions.end(res, ctx.sessions.current(req));
  if (s.user.failedLogins !== 0 || s.user.lockedUntil !== undefined) {
    s.user.failedLogins = 0;
    s.user.lockedUntil = undefined;
    ctx.store.commit();
  }
  const session = ctx.sessions.create(res, {
    userId: s.user.id,
    authenticatorId: s.authenticator.id,
    authTime: Math.floor(ctx.clock.now() / 1000),
    amr: s.amr,
    acr: s.acr,
    external: s.external,
  });
  const authorize: AuthorizeRequest | undefined = s.tx?.authorize;
  if (s.tx) ctx.logins.finish(s.tx);
  ctx.log.info({ svc: 'cxone', event: 'login.completed', userId: s.user.id, authenticator: s.authenticator.name, amr: s.amr }, 'signed in');
  if (authorize) {
    redirectWithCode(ctx, res, authorize, session);
    return;
  }
  res.set('Cache-Control', 'no-store');
  res.redirect(303, '/');
}
