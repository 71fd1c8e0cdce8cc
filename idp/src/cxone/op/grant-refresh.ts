import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import type { AuthenticatedClient } from './client-auth.js';
import { issueTokens, type TokenResponse } from './issue-tokens.js';
import { verifyOwnJwt } from './jwt.js';
import type { TokenForm } from './token-form.js';

function invalidGrant(message: string, debug?: string): IdpError {
  return new IdpError('ERR_CXONE_OP_INVALID_GRANT', message, { debug });
}

/**
 * `grant_type=refresh_token` (RFC 6749 §6; reference B.3: the request format is NOT FOUND, [INF]
 * the standard one with the same client authentication). The refresh token is a CXone JWT
 * (`aud`, `iss`, `id`, `sessionId`, `iat`, `exp`): signature, issuer and expiry on the lab clock,
 * then its `id` must be one CXone issued to this client, not revoked and not used.
 *
 * [INF] Rotation (RFC 9700 §4.14.2): every refresh returns a new refresh token and retires the
 * old one; presenting a retired one again is taken as theft and revokes the whole grant (every
 * refresh and access token descended from the same sign-in). The user must still be active.
 */
export async function redeemRefreshToken(ctx: CxoneContext, client: AuthenticatedClient, form: TokenForm): Promise<TokenResponse> {
  const token = form['refresh_token'];
  if (!token) throw new IdpError('ERR_CXONE_OP_INVALID_REQUEST', 'refresh_token is required.');
  let claims;
  try {
    claims = await verifyOwnJwt(ctx, token);
  } catch (e) {
    throw invalidGrant('The refresh token is not valid.', (e as { code?: string }).code ?? 'not a JWT');
  }
  const id = claims['id'];
  const rec = typeof id === 'string' ? ctx.op.refreshTokens.get(id) : undefined;
  if (!rec) throw invalidGrant('The refresh token is not valid.', 'unknown id');
  if (rec.clientId !== client.app.clientId || claims.aud !== rec.clientId) throw invalidGrant('The refresh token was issued to another client.');
  if (rec.revoked) throw invalidGrant('The refresh token has been revoked.', 'revoked');
  if (rec.usedAt !== undefined) {
    ctx.op.revokeWhere((r) => r.grantId === rec.grantId);
    ctx.log.warn({ svc: 'cxone', event: 'op.refresh.reused', clientId: rec.clientId, grantId: rec.grantId }, 'a used refresh token came back: its grant is revoked');
    throw invalidGrant('The refresh token has already been used; its grant is revoked.', 'reused');
  }
  const user = ctx.store.users.get(rec.userId);
  if (!user?.active) {
    ctx.op.revokeWhere((r) => r.grantId === rec.grantId);
    throw invalidGrant('The user is no longer active.', user ? 'user inactive' : 'user deleted');
  }
  rec.usedAt = ctx.clock.now();
  return issueTokens(ctx, {
    app: client.app,
    user,
    grantId: rec.grantId,
    sessionId: rec.sessionId,
    scope: rec.scope,
    authTime: rec.authTime,
    amr: rec.amr,
    acr: rec.acr,
  });
}
