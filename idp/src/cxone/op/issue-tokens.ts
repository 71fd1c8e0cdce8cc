import { randomUUID } from 'node:crypto';
import type { CxoneContext } from '../context.js';
import type { CxoneApplication, CxoneUser } from '../model.js';
import { signJwt } from './jwt.js';
import { recordOpTokens } from '../record-exchange.js';
import { accessTokenClaims, idTokenClaims, type AuthenticationFacts } from './user-claims.js';

/** One grant's tokens are issued for: who, to which application, from which session. */
export interface TokenGrant extends AuthenticationFacts {
  app: CxoneApplication;
  user: CxoneUser;
  /** Shared by every token of the grant (code redemption or password grant, then its refreshes). */
  grantId: string;
  /** The browser session; undefined for the access-key password grant. */
  sessionId: string | undefined;
  scope: string;
}

/** The token response of reference B.3 (RFC 6749 §5.1 plus OIDC Core §3.1.3.3 and RFC 8693's issued_token_type). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  id_token: string;
  issued_token_type: 'urn:ietf:params:oauth:token-type:access_token';
}

/**
 * Signs the three tokens of reference B.3 and remembers the access and refresh tokens, so that
 * logout, deactivation and reuse can revoke them. Lifetimes come from `cxone.tokens`
 * (3600 s access, 7200 s refresh as in B.3's example). [INF] The refresh token's `sessionId` is
 * the browser session's id, or the grant's own id for the password grant (B.3's back-end example
 * carries one too); its `aud` is the client, like the ID token's.
 */
export async function issueTokens(ctx: CxoneContext, g: TokenGrant): Promise<TokenResponse> {
  const t = ctx.config.tokens;
  const jti = randomUUID();
  const access = await signJwt(ctx, { ...accessTokenClaims(ctx, g.user, g.app.clientId), jti }, t.accessTokenSeconds);
  const refreshId = randomUUID();
  const refresh = await signJwt(ctx, { aud: g.app.clientId, id: refreshId, sessionId: g.sessionId ?? g.grantId }, t.refreshTokenSeconds);
  const id = await signJwt(ctx, idTokenClaims(ctx, g.user, g.app.clientId, g), t.idTokenSeconds);
  const base = { grantId: g.grantId, clientId: g.app.clientId, userId: g.user.id, sessionId: g.sessionId, revoked: false };
  ctx.op.rememberAccess({ ...base, jti, expiresAt: access.exp * 1000 });
  ctx.op.rememberRefresh({ ...base, id: refreshId, scope: g.scope, authTime: g.authTime, amr: g.amr, acr: g.acr, expiresAt: refresh.exp * 1000, usedAt: undefined });
  ctx.log.info({ svc: 'cxone', event: 'op.tokens.issued', clientId: g.app.clientId, userId: g.user.id, grantId: g.grantId }, 'tokens issued');
  recordOpTokens(ctx, { clientId: g.app.clientId, user: g.user.username, jwts: [id.jwt, access.jwt, refresh.jwt] });
  return {
    access_token: access.jwt,
    token_type: 'Bearer',
    expires_in: t.accessTokenSeconds,
    refresh_token: refresh.jwt,
    id_token: id.jwt,
    issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  };
}
