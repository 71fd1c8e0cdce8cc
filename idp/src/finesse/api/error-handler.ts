import type { NextFunction, Request, Response } from 'express';
import { toIdpError } from '../../http/to-idp-error.js';
import { IdpError, type IdpErrorCode } from '../../shared/errors.js';
import type { FinesseContext } from '../context.js';
import { document, leaf, node } from './xml-writer.js';

type FinesseCode = Extract<IdpErrorCode, `ERR_FINESSE_${string}`>;
type RestCode = Exclude<FinesseCode, `ERR_FINESSE_SSO_${string}`>;

/**
 * Every REST error of the surface: its HTTP status and Finesse `ErrorType` (reference A.2.2, the
 * User API table p.73–74 and the Dialog API additions). The one place a code gets its wire form.
 */
export const FINESSE_ERRORS: Readonly<Record<RestCode, { status: number; type: string }>> = {
  ERR_FINESSE_UNAUTHORIZED: { status: 401, type: 'Authorization Failure' },
  ERR_FINESSE_LOCKED_OUT: { status: 401, type: 'Authorization Failure' },
  ERR_FINESSE_WRONG_USER: { status: 401, type: 'Invalid Authorization User Specified' },
  ERR_FINESSE_INVALID_SUPERVISOR: { status: 401, type: 'Invalid Supervisor' },
  ERR_FINESSE_USER_NOT_FOUND: { status: 404, type: 'User Not Found' },
  ERR_FINESSE_NOT_FOUND: { status: 404, type: 'Not Found' },
  ERR_FINESSE_DIALOG_NOT_FOUND: { status: 404, type: 'Dialog Not Found' },
  ERR_FINESSE_CONTENT_TYPE: { status: 400, type: 'Bad Request' },
  ERR_FINESSE_MALFORMED_XML: { status: 400, type: 'Bad Request' },
  ERR_FINESSE_PARAMETER_MISSING: { status: 400, type: 'Parameter Missing' },
  ERR_FINESSE_REASON_CODE_REQUIRED: { status: 400, type: 'Parameter Missing' },
  ERR_FINESSE_INVALID_INPUT: { status: 400, type: 'Invalid Input' },
  ERR_FINESSE_REASON_CODE_NOT_ALLOWED: { status: 400, type: 'Invalid Input' },
  ERR_FINESSE_INVALID_STATE: { status: 400, type: 'Invalid State' },
  ERR_FINESSE_INVALID_DESTINATION: { status: 400, type: 'Invalid Destination' },
  ERR_FINESSE_NOT_IMPLEMENTED: { status: 501, type: 'Not Implemented' },
};

/** Shared HTTP errors that can reach this surface (body reading); the rest fall back by status. */
const HTTP_ERRORS: Partial<Record<IdpErrorCode, { status: number; type: string }>> = {
  ERR_HTTP_BAD_REQUEST: { status: 400, type: 'Bad Request' },
  ERR_HTTP_BODY_TOO_LARGE: { status: 400, type: 'Bad Request' },
};

/** A Finesse REST error with the status of its row; `errorData` becomes `ErrorData`. */
export function finesseError(code: RestCode, message: string, errorData?: string): IdpError {
  return new IdpError(code, message, { status: FINESSE_ERRORS[code].status, details: errorData === undefined ? {} : { errorData } });
}

function wireForm(e: IdpError): { status: number; type: string } {
  const row = (FINESSE_ERRORS as Partial<Record<IdpErrorCode, { status: number; type: string }>>)[e.code] ?? HTTP_ERRORS[e.code];
  if (row) return row;
  if (e.status >= 500) return { status: 500, type: 'Internal Server Error' };
  if (e.status === 401) return { status: 401, type: 'Authorization Failure' };
  if (e.status === 404) return { status: 404, type: 'Not Found' };
  return { status: 400, type: 'Bad Request' };
}

/**
 * The REST surface's one error handler: every failure becomes Finesse's synchronous error body
 * (reference A.2.2) `<ApiErrors><ApiError><ErrorData/><ErrorMessage/><ErrorType/></ApiError></ApiErrors>`,
 * `application/xml`, with our stable code in `X-Idp-Harness-Error`. A 401 for missing or Basic
 * credentials carries a Basic challenge (RFC 7235 §3.1 wants one on every 401; a Bearer client
 * gets none so that a browser-based desktop never pops a password dialog). Anything unexpected
 * is logged and answered 500 "Internal Server Error" without detail.
 */
export function finesseErrorHandler(ctx: FinesseContext) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const e = toIdpError(err);
    const { status, type } = wireForm(e);
    if (status === 500) ctx.log.error({ svc: 'finesse', err, method: req.method, path: req.originalUrl }, 'unexpected error');
    else ctx.log.info({ svc: 'finesse', event: 'finesse.api.error', code: e.code, path: req.path, debug: e.debug }, e.message);
    if (res.headersSent) return;
    const errorData = typeof e.details['errorData'] === 'string' ? e.details['errorData'] : '';
    const message = status === 500 ? 'Internal Server Error' : e.message;
    res.status(status).set('X-Idp-Harness-Error', e.code).set('Cache-Control', 'no-store');
    const auth = req.headers.authorization;
    if (status === 401 && (e.code === 'ERR_FINESSE_UNAUTHORIZED' || e.code === 'ERR_FINESSE_LOCKED_OUT') && (!auth || /^basic\b/i.test(auth))) {
      res.set('WWW-Authenticate', 'Basic realm="Finesse"');
    }
    res
      .type('application/xml')
      .send(document(node('ApiErrors', [node('ApiError', [leaf('ErrorData', errorData), leaf('ErrorMessage', message), leaf('ErrorType', type)])])));
  };
}
