import type { Request, Response } from 'express';
import type { CxoneContext } from '../context.js';
import { bearerTokenOf, verifyAccessToken } from './access-token.js';
import { userinfoClaims } from './user-claims.js';

/**
 * `GET|POST /auth/userinfo` (OIDC Core §5.3): the profile of the access token's user. An invalid,
 * expired or revoked token, or one of a deactivated or deleted user, is 401 invalid_token with a
 * `WWW-Authenticate: Bearer` challenge (RFC 6750 §3.1), written by the error handler.
 */
export async function handleUserinfo(ctx: CxoneContext, req: Request, res: Response): Promise<void> {
  const { user } = await verifyAccessToken(ctx, bearerTokenOf(req));
  res.set('Cache-Control', 'no-store').json(userinfoClaims(ctx, user));
}
