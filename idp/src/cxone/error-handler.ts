import type { NextFunction, Request, Response } from 'express';
import { toIdpError } from '../http/to-idp-error.js';
import type { CxoneContext } from './context.js';
import { RedirectableError } from './op/authorize-request.js';
import { renderCxoneError } from './pages/frame.js';

/** RFC 6749 §5.2 / RFC 6750 §3.1 error names for the JSON endpoints of CXone's OpenID provider. */
const OAUTH_ERROR: Record<string, string> = {
  ERR_CXONE_OP_INVALID_REQUEST: 'invalid_request',
  ERR_CXONE_OP_INVALID_CLIENT: 'invalid_client',
  ERR_CXONE_OP_INVALID_GRANT: 'invalid_grant',
  ERR_CXONE_OP_UNAUTHORIZED_CLIENT: 'unauthorized_client',
  ERR_CXONE_OP_UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  ERR_CXONE_OP_INVALID_SCOPE: 'invalid_scope',
  ERR_CXONE_OP_PKCE: 'invalid_grant',
  ERR_CXONE_OP_REDIRECT_URI: 'invalid_grant',
  ERR_CXONE_OP_INVALID_TOKEN: 'invalid_token',
  ERR_HTTP_BAD_REQUEST: 'invalid_request',
  ERR_HTTP_BODY_TOO_LARGE: 'invalid_request',
};

const OAUTH_JSON_PATHS = /^\/auth\/(token|userinfo|revoke)\/?$/i;

/**
 * The CXone surface's one error handler. Three formats, by where the request went:
 *  - the admin API (`/api/v1`): CXone JSON `{ code, message, fieldErrors }`;
 *  - the OP's token and userinfo endpoints: RFC 6749 §5.2 / RFC 6750 JSON;
 *  - everything a browser sees: an authorization error the application can receive goes back to
 *    its redirect URI; the rest is CXone's error page.
 * The stable code is in `X-Idp-Harness-Error` on all of them.
 */
export function cxoneErrorHandler(ctx: CxoneContext) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const e = toIdpError(err);
    if (e.status >= 500) ctx.log.error({ svc: 'cxone', err, path: req.path }, 'unexpected error');
    else ctx.log.info({ svc: 'cxone', event: 'cxone.error', code: e.code, path: req.path, debug: e.debug }, e.message);
    if (res.headersSent) return;
    res.set('X-Idp-Harness-Error', e.code).set('Cache-Control', 'no-store');
    const message = e.expose ? e.message : 'An unexpected error occurred.';
    if (e instanceof RedirectableError) {
      const to = new URL(e.redirectUri);
      to.searchParams.set('error', e.oauthError);
      to.searchParams.set('error_description', e.message);
      if (e.state !== undefined) to.searchParams.set('state', e.state);
      res.redirect(302, to.toString());
      return;
    }
    // The admin API and the JSON discovery documents (cxone-configuration's unknown tenant is a JSON 404).
    if (req.originalUrl.startsWith('/api/') || req.path.startsWith('/.well-known/')) {
      const challenge = e.details['challenge'];
      if (e.status === 401 && typeof challenge === 'string') res.set('WWW-Authenticate', challenge);
      res.status(e.status).json({ code: e.code, message, ...(e.details['fieldErrors'] ? { fieldErrors: e.details['fieldErrors'] } : {}) });
      return;
    }
    if (OAUTH_JSON_PATHS.test(req.path)) {
      const error = OAUTH_ERROR[e.code] ?? (e.status >= 500 ? 'server_error' : 'invalid_request');
      let status = e.status >= 500 ? 500 : 400;
      if (error === 'invalid_client' || error === 'invalid_token') status = 401;
      if (error === 'invalid_client' && /^basic\b/i.test(req.headers.authorization ?? '')) res.set('WWW-Authenticate', 'Basic realm="CXone"');
      if (error === 'invalid_token') res.set('WWW-Authenticate', `Bearer error="invalid_token", error_description="${message.replace(/["\\]/g, "'")}"`);
      res.status(status).json({ error, error_description: message });
      return;
    }
    res.status(e.status).type('html').send(renderCxoneError(message, e.code));
  };
}
