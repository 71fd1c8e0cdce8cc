import type { NextFunction, Request, Response } from 'express';
import { toIdpError } from '../../http/to-idp-error.js';
import type { FinesseContext } from '../context.js';

/** ErrorType per status, the names of Finesse's REST errors (reference A.2.2). */
const ERROR_TYPE: Record<number, string> = { 400: 'Bad Request', 401: 'Authorization Failure', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/**
 * The `/desktop/sso/*` error handler. Cisco documents only the status codes (200/400/401/500) of
 * these JSON endpoints; the body is NOT FOUND, so the lab answers with the JSON rendering of
 * Finesse's ApiErrors (`{"ApiErrors":{"ApiError":{ErrorType, ErrorMessage, ErrorData}}}`),
 * ErrorData holding our stable code, also in `X-Idp-Harness-Error` (docs/cisco.md).
 */
export function ssoErrorHandler(ctx: FinesseContext) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const e = toIdpError(err);
    if (e.status >= 500 && e.code === 'ERR_INTERNAL') ctx.log.error({ svc: 'finesse', err, path: req.path }, 'unexpected error');
    else ctx.log.info({ svc: 'finesse', event: 'finesse.sso.error', code: e.code, debug: e.debug }, e.message);
    if (res.headersSent) return;
    const errorData = typeof e.details['errorData'] === 'string' ? e.details['errorData'] : e.code;
    res
      .status(e.status)
      .set('X-Idp-Harness-Error', e.code)
      .set('Cache-Control', 'no-store')
      .json({ ApiErrors: { ApiError: { ErrorType: ERROR_TYPE[e.status] ?? 'Bad Request', ErrorMessage: e.expose ? e.message : 'Internal Server Error', ErrorData: errorData } } });
  };
}
