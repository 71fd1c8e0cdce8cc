import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { CxoneContext } from '../context.js';
import type { CxoneSession } from '../login/sessions.js';
import { readAuthorizeRequest, RedirectableError, type AuthorizeRequest } from './authorize-request.js';

/**
 * `GET|POST /auth/authorize` as CXone's OpenID provider (reference B.3): a signed-in browser gets
 * its code at once; otherwise the sign-in starts at the username page and comes back here through
 * the login transaction. `prompt=login` forces a new sign-in; `prompt=none` never shows a page.
 */
export function handleAuthorize(ctx: CxoneContext, req: Request, res: Response): void {
  const params = (req.method === 'POST' ? req.body : req.query) as Record<string, unknown>;
  const a = readAuthorizeRequest(params ?? {}, (id) => ctx.store.applications.get(id));
  const session = ctx.sessions.current(req);
  const user = session ? ctx.store.users.get(session.userId) : undefined;
  // A session whose user or login authenticator has since been deactivated no longer counts.
  const authenticator = session ? ctx.store.authenticators.get(session.authenticatorId) : undefined;
  if (session && user?.active && authenticator?.active && a.prompt !== 'login') {
    redirectWithCode(ctx, res, a, session);
    return;
  }
  // OIDC Core §3.1.2.6: prompt=none without a session is login_required, sent to the client.
  if (a.prompt === 'none') throw new RedirectableError('login_required', 'The user is not signed in to CXone.', a.redirectUri, a.state);
  const tx = ctx.logins.start(a);
  res.set('Cache-Control', 'no-store');
  res.redirect(302, `/login?tx=${encodeURIComponent(tx.id)}`);
}

/** Issues an authorization code for `session` and sends the browser back to the application (RFC 6749 §4.1.2). */
export function redirectWithCode(ctx: CxoneContext, res: Response, a: AuthorizeRequest, session: CxoneSession): void {
  const code = randomBytes(32).toString('base64url');
  ctx.op.codes.put(
    code,
    {
      clientId: a.clientId,
      redirectUri: a.redirectUri,
      userId: session.userId,
      sessionId: session.id,
      scope: a.scope,
      nonce: a.nonce,
      codeChallenge: a.codeChallenge,
      authTime: session.authTime,
      amr: session.amr,
      acr: session.acr,
    },
    ctx.config.tokens.authorizationCodeSeconds * 1000,
  );
  const to = new URL(a.redirectUri);
  to.searchParams.set('code', code);
  if (a.state !== undefined) to.searchParams.set('state', a.state);
  ctx.log.info({ svc: 'cxone', event: 'op.code.issued', clientId: a.clientId, userId: session.userId }, 'authorization code issued');
  res.set('Cache-Control', 'no-store');
  res.redirect(302, to.toString());
}
