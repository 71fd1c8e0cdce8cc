import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { IdpError } from '../shared/errors.js';
import type { AdfsContext } from './context.js';
import { msisFor } from './msis.js';
import { renderErrorPage } from './pages/error-page.js';

/**
 * The AD FS surface's one error handler. Errors that were answered with a SAML status response
 * never get here (sso.ts sends those); everything else is AD FS's HTML error page with its MSIS
 * code and an activity ID, our stable code in `X-Idp-Harness-Error` and `data-error-code`.
 * Unexpected exceptions are logged in full and shown as MSIS7012, never as a bare 500 page.
 */
export function adfsErrorHandler(ctx: AdfsContext) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const e = toIdpError(err);
    const activityId = randomUUID();
    const msis = msisFor(e.code, e.details['msis']);
    if (e.status >= 500) ctx.log.error({ svc: 'adfs', err, activityId }, 'unexpected error');
    else ctx.log.info({ svc: 'adfs', event: 'adfs.error', code: e.code, msis, activityId, debug: e.debug }, e.message);
    if (res.headersSent) return;
    res
      .status(e.status === 404 ? 404 : 200)
      .type('html')
      .set('X-Idp-Harness-Error', e.code)
      .set('Cache-Control', 'no-cache, no-store')
      .send(
        renderErrorPage({
          serviceName: ctx.config.displayName,
          activityId,
          msis,
          message: e.expose ? e.message : 'An error occurred while processing the request. Contact your administrator for details.',
          code: e.code,
          relyingParty: typeof e.details['relyingParty'] === 'string' ? e.details['relyingParty'] : undefined,
          userAgent: req.get('user-agent'),
          time: ctx.clock.date(),
        }),
      );
  };
}

function toIdpError(err: unknown): IdpError {
  if (err instanceof IdpError) return err;
  // body-parser errors (too large, bad encoding) carry a 4xx status.
  const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
  if (status === 413) return new IdpError('ERR_HTTP_BODY_TOO_LARGE', 'The request is too large.', { status: 200 });
  if (status < 500) return new IdpError('ERR_HTTP_BAD_REQUEST', 'The request could not be read.', { cause: err });
  return new IdpError('ERR_INTERNAL', 'An error occurred while processing the request.', { status: 500, cause: err });
}
