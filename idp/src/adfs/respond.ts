import type { Response } from 'express';
import { serialize } from 'cookie';
import type { AdfsContext } from './context.js';
import { renderPostForm } from './pages/post-form.js';
import { SESSION_COOKIE, type SsoSession } from './sessions.js';

/** Sends a SAML message to `action` through the browser with AD FS's auto-POST page. */
export function sendPostForm(res: Response, action: string, field: 'SAMLResponse' | 'SAMLRequest', xml: string, relayState?: string): void {
  // Written directly rather than through express's send(): this page is the hot path of every
  // sign-in, and send()'s ETag hashing and freshness checks buy nothing for a one-time POST page.
  const body = renderPostForm(action, field, Buffer.from(xml, 'utf8').toString('base64'), relayState);
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-cache, no-store',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * The SSO cookie. Over TLS it is `SameSite=None; Secure` because SPs reach /adfs/ls/ with a
 * cross-site POST (HTTP-POST binding) that must carry it; plain HTTP cannot use None, so Lax.
 */
export function setSessionCookie(ctx: AdfsContext, res: Response, s: SsoSession): void {
  const maxAge = Math.max(1, Math.floor((s.expiresAt - ctx.clock.now()) / 1000));
  res.append('Set-Cookie', serialize(SESSION_COOKIE, s.id, cookieOptions(ctx, maxAge)));
  // AD FS also marks the browser as authenticated with the sign-in time.
  res.append('Set-Cookie', serialize('MSISAuthenticated', Buffer.from(new Date(s.authnInstant).toISOString()).toString('base64'), cookieOptions(ctx, maxAge)));
}

export function clearSessionCookie(ctx: AdfsContext, res: Response): void {
  res.append('Set-Cookie', serialize(SESSION_COOKIE, '', cookieOptions(ctx, 0)));
  res.append('Set-Cookie', serialize('MSISAuthenticated', '', cookieOptions(ctx, 0)));
}

function cookieOptions(ctx: AdfsContext, maxAge: number) {
  return ctx.tls
    ? ({ path: '/adfs', httpOnly: true, secure: true, sameSite: 'none', maxAge } as const)
    : ({ path: '/adfs', httpOnly: true, sameSite: 'lax', maxAge } as const);
}
