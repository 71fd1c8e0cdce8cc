import { randomUUID } from 'node:crypto';
import { sameText } from '../../shared/same-text.js';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import type { CxoneUser } from '../model.js';
import type { AuthenticatedClient } from './client-auth.js';
import { issueTokens, type TokenResponse } from './issue-tokens.js';
import type { TokenForm } from './token-form.js';

/**
 * Reference B.3, the back-end token: `grant_type=password` with `username` = accessKeyId and
 * `password` = accessKeySecret (form-urlencoded, so a secret's trailing `====` arrives as `%3D`),
 * by an application that authenticated with its secret (Basic or post). The key's user must be
 * active; no browser session is involved. [INF] The response is B.3's example: access, refresh and
 * ID token; the ID token's `auth_time` is now and it has no `amr` (RFC 8176 has no access-key value).
 */
export async function accessKeyGrant(ctx: CxoneContext, client: AuthenticatedClient, form: TokenForm): Promise<TokenResponse> {
  const keyId = form['username'];
  const secret = form['password'];
  if (!keyId || !secret) throw new IdpError('ERR_CXONE_OP_INVALID_REQUEST', 'username (accessKeyId) and password (accessKeySecret) are required.');
  const user = userOfKey(ctx, keyId, secret);
  if (!user) throw new IdpError('ERR_CXONE_OP_INVALID_GRANT', 'The access key is not valid.', { debug: `key ${keyId}` });
  if (!user.active) throw new IdpError('ERR_CXONE_OP_INVALID_GRANT', 'The access key belongs to an inactive user.', { debug: user.id });
  ctx.log.info({ svc: 'cxone', event: 'op.access_key.used', clientId: client.app.clientId, userId: user.id, accessKeyId: keyId }, 'access-key grant');
  return issueTokens(ctx, {
    app: client.app,
    user,
    grantId: randomUUID(),
    sessionId: undefined,
    scope: form['scope'] ?? 'openid',
    authTime: Math.floor(ctx.clock.now() / 1000),
    amr: [],
    acr: undefined,
  });
}

function userOfKey(ctx: CxoneContext, keyId: string, secret: string): CxoneUser | undefined {
  for (const u of ctx.store.users.values()) {
    for (const k of u.accessKeys) {
      if (k.accessKeyId !== keyId) continue;
      return sameText(secret, k.accessKeySecret) ? u : undefined;
    }
  }
  return undefined;
}
