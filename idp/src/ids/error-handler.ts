import type { NextFunction, Request, Response } from 'express';
import type { IdpErrorCode } from '../shared/errors.js';
import { toIdpError } from '../http/to-idp-error.js';
import type { IdsContext } from './context.js';
import { renderIdsError } from './pages/pages.js';

/** RFC 6749 §5.2 error codes for the token and revocation endpoints. */
const OAUTH_ERROR: Partial<Record<IdpErrorCode, string>> = {
  ERR_IDS_INVALID_REQUEST: 'invalid_request',
  ERR_IDS_INVALID_CLIENT: 'invalid_client',
  ERR_IDS_UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  ERR_IDS_CODE_INVALID: 'invalid_grant',
  ERR_IDS_CODE_EXPIRED: 'invalid_grant',
  ERR_IDS_TOKEN_INVALID: 'invalid_grant',
  ERR_IDS_TOKEN_EXPIRED: 'invalid_grant',
  ERR_IDS_TOKEN_REVOKED: 'invalid_grant',
  ERR_IDS_REFRESH_TOKEN_INVALID: 'invalid_grant',
  ERR_IDS_REFRESH_TOKEN_EXPIRED: 'invalid_grant',
  ERR_HTTP_BAD_REQUEST: 'invalid_request',
  ERR_HTTP_BODY_TOO_LARGE: 'invalid_request',
};

/**
 * The IdS surface's one error handler: JSON (RFC 6749 §5.2) on the OAuth endpoints a client calls
 * directly, the IdS error page everywhere a browser is. Our stable code is in
 * `X-Idp-Harness-Error` on both. Unexpected exceptions are logged and answered as an error page.
 */
export function idsErrorHandler(ctx: IdsContext) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const e = toIdpError(err);
    if (e.status >= 500) ctx.log.error({ svc: 'ids', err, path: req.path }, 'unexpected error');
    else ctx.log.info({ svc: 'ids', event: 'ids.error', code: e.code, path: req.path, debug: e.debug }, e.message);
    if (res.headersSent) return;
    res.set('X-Idp-Harness-Error', e.code).set('Cache-Control', 'no-store');
    if (/^\/ids\/v1\/oauth\/(token|revoke)\/?$/i.test(req.path)) {
      const error = OAUTH_ERROR[e.code] ?? (e.status >= 500 ? 'server_error' : 'invalid_request');
      // RFC 6749 §5.2: 400, or 401 for a failed client authentication.
      const status = error === 'invalid_client' ? 401 : e.status >= 500 ? 500 : 400;
      // §5.2: a client that tried the Authorization header gets a challenge of its scheme.
      if (error === 'invalid_client' && /^basic\b/i.test(req.headers.authorization ?? '')) res.set('WWW-Authenticate', 'Basic realm="Cisco Identity Service"');
      res.status(status).json({ error, error_description: e.expose ? e.message : 'internal error' });
      return;
    }
    res.status(e.status).type('html').send(renderIdsError(e.expose ? e.message : 'An unexpected error occurred.', e.code));
  };
}
