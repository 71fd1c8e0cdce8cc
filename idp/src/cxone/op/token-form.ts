import type { Request } from 'express';
import { IdpError } from '../../shared/errors.js';

/** A token-endpoint form: every parameter at most once, as a string. */
export type TokenForm = Record<string, string | undefined>;

/**
 * The body of `POST /auth/token`. RFC 6749 §3.2: the request is
 * application/x-www-form-urlencoded, and "parameters MUST NOT be included more than once".
 */
export function readTokenForm(req: Request): TokenForm {
  if (!req.is('application/x-www-form-urlencoded')) {
    throw new IdpError('ERR_CXONE_OP_INVALID_REQUEST', 'The token endpoint takes application/x-www-form-urlencoded (RFC 6749 §3.2).', { debug: `content-type ${req.headers['content-type'] ?? '(none)'}` });
  }
  const out: TokenForm = {};
  for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new IdpError('ERR_CXONE_OP_INVALID_REQUEST', `The ${k} parameter must be sent once.`);
    out[k] = v;
  }
  return out;
}
