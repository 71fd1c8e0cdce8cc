import type { Response } from 'express';
import type { IssuedTokens } from '../../ids/tokens/token-service.js';

/**
 * The `/desktop/sso/token` JSON, exactly as Cisco documents it (reference A.1.3): the access token
 * under `token` (no `access_token`, no `token_type`), `expires_in` in seconds, the user fields
 * unless `return_user=no`, and `refresh_token` only on a fetch that asked for it (a refresh
 * answer has none, unless IdS rotates refresh tokens).
 */
export function ssoTokenJson(t: IssuedTokens, opts: { refreshToken: boolean; user: boolean }): Record<string, unknown> {
  const out: Record<string, unknown> = { token: t.accessToken };
  if (opts.refreshToken && t.refreshToken !== undefined) out['refresh_token'] = t.refreshToken;
  out['expires_in'] = t.expiresIn;
  if (opts.user) {
    out['user_id'] = t.access.userId;
    out['realm'] = t.access.realm;
    out['user_principal'] = t.access.upn;
  }
  return out;
}

export function sendJson(res: Response, body: unknown): void {
  res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache').type('application/json').send(JSON.stringify(body));
}
