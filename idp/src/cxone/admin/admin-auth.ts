import { sameText } from '../../shared/same-text.js';
import type { Request } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import { verifyAccessToken } from '../op/access-token.js';

/** The CXone security role allowed to administer the tenant with its own access token. */
const ADMIN_ROLE = 'Administrator';

/**
 * The tenant administrator: HTTP Basic with `cxone.admin` credentials (the lab's shortcut, like
 * `/idsadmin`). Anything else is 401 with a Basic challenge. Synchronous and Basic-only, so a
 * caller that forgets to await can never let a request through; `authenticateAdmin` adds Bearer.
 */
export function requireAdmin(ctx: CxoneContext, req: Request): void {
  const header = req.headers.authorization ?? '';
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0 && sameText(decoded.slice(0, i), ctx.config.admin.username) && sameText(decoded.slice(i + 1), ctx.config.admin.password)) return;
  }
  throw new IdpError('ERR_CXONE_ADMIN_UNAUTHORIZED', 'Administrator credentials are required.', { status: 401, details: { challenge: 'Basic realm="CXone Admin"' } });
}

/**
 * The admin API's check: Basic as `requireAdmin`, or `Authorization: Bearer <CXone access token>`
 * (RFC 6750 §2.1) of an active user whose security role is Administrator — how an integration
 * calls CXone's APIs with the token it got from `/auth/token` (reference B.3). An invalid token is
 * 401 with a Bearer challenge (RFC 6750 §3.1); a valid token of another role is 403
 * `ERR_CXONE_ADMIN_FORBIDDEN` (§3.1 insufficient_scope: authenticated, not allowed).
 */
export async function authenticateAdmin(ctx: CxoneContext, req: Request): Promise<void> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!bearer) {
    requireAdmin(ctx, req);
    return;
  }
  let user;
  try {
    ({ user } = await verifyAccessToken(ctx, bearer[1]!));
  } catch (e) {
    const debug = e instanceof IdpError ? e.debug : undefined;
    throw new IdpError('ERR_CXONE_ADMIN_UNAUTHORIZED', 'The access token is not valid.', { status: 401, debug, details: { challenge: 'Bearer realm="CXone Admin", error="invalid_token"' } });
  }
  if (user.role !== ADMIN_ROLE) {
    throw new IdpError('ERR_CXONE_ADMIN_FORBIDDEN', 'Only users with the Administrator role may use the admin API.', { status: 403, debug: `${user.username} has role ${user.role}` });
  }
}
