import type { JWTPayload } from 'jose';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import type { CxoneUser } from '../model.js';
import { verifyOwnJwt } from './jwt.js';
import type { AccessRecord } from './op-state.js';
import { subjectOf } from './user-claims.js';

export interface VerifiedAccessToken {
  user: CxoneUser;
  claims: JWTPayload;
  record: AccessRecord;
}

/**
 * A CXone access token presented as a Bearer credential (RFC 6750), for userinfo and the admin
 * API. Valid when CXone signed it, it has not expired on the lab clock, it is an access token CXone
 * issued (its `jti`: ID and refresh tokens are not accepted) and not revoked (logout, a reused
 * code or refresh token), and its user still exists and is active. Anything else is
 * `ERR_CXONE_OP_INVALID_TOKEN` (RFC 6750 §3.1 invalid_token, 401).
 */
export async function verifyAccessToken(ctx: CxoneContext, token: string): Promise<VerifiedAccessToken> {
  const invalid = (message: string, debug?: string) => new IdpError('ERR_CXONE_OP_INVALID_TOKEN', message, { status: 401, debug });
  let claims: JWTPayload;
  try {
    claims = await verifyOwnJwt(ctx, token);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw invalid(code === 'ERR_JWT_EXPIRED' ? 'The access token has expired.' : 'The access token is not valid.', code ?? 'not a JWT');
  }
  const record = typeof claims.jti === 'string' ? ctx.op.accessTokens.get(claims.jti) : undefined;
  if (!record) throw invalid('The access token is not valid.', 'not an access token CXone issued');
  if (record.revoked) throw invalid('The access token has been revoked.', 'revoked');
  const user = ctx.store.users.get(record.userId);
  if (!user || claims.sub !== subjectOf(user)) throw invalid("The access token's user no longer exists.", 'user deleted');
  if (!user.active) throw invalid("The access token's user is not active.", 'user inactive');
  return { user, claims, record };
}

/**
 * The Bearer token of a request: the Authorization header (RFC 6750 §2.1) or, for a form POST,
 * `access_token` in the body (§2.2). §2: a client MUST NOT use more than one method.
 */
export function bearerTokenOf(req: { headers: { authorization?: string | undefined }; body?: unknown; method: string }): string {
  const header = req.headers.authorization;
  const fromHeader = header !== undefined ? /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header)?.[1] : undefined;
  const body = req.method === 'POST' ? ((req.body ?? {}) as Record<string, unknown>)['access_token'] : undefined;
  if (header !== undefined && fromHeader === undefined) throw new IdpError('ERR_CXONE_OP_INVALID_TOKEN', 'The Authorization header is not a Bearer token.', { status: 401 });
  if (fromHeader !== undefined && body !== undefined) throw new IdpError('ERR_CXONE_OP_INVALID_REQUEST', 'Send the access token once: header or body (RFC 6750 §2).');
  if (fromHeader !== undefined) return fromHeader;
  if (typeof body === 'string' && body !== '') return body;
  if (body !== undefined) throw new IdpError('ERR_CXONE_OP_INVALID_REQUEST', 'access_token must be sent once.');
  throw new IdpError('ERR_CXONE_OP_INVALID_TOKEN', 'An access token is required (Authorization: Bearer).', { status: 401 });
}
