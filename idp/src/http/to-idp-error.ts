import { IdpError } from '../shared/errors.js';

/**
 * Whatever reached an error handler, as an IdpError: body-parser failures (too large, bad
 * encoding, bad JSON) keep their 4xx meaning; anything else is an internal error that the
 * surface's handler answers in its own format (and logs in full), never as a bare 500 page.
 */
export function toIdpError(err: unknown): IdpError {
  if (err instanceof IdpError) return err;
  const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
  if (status === 413) return new IdpError('ERR_HTTP_BODY_TOO_LARGE', 'The request is too large.', { status: 413, cause: err });
  if (status < 500) return new IdpError('ERR_HTTP_BAD_REQUEST', 'The request could not be read.', { status: 400, cause: err });
  return new IdpError('ERR_INTERNAL', 'An error occurred while processing the request.', { status: 500, cause: err });
}
