import type { Request, Response } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import type { CxoneApplication } from '../model.js';
import { authenticateClient } from './client-auth.js';
import { redeemCode } from './grant-code.js';
import { accessKeyGrant } from './grant-password.js';
import { redeemRefreshToken } from './grant-refresh.js';
import { readTokenForm } from './token-form.js';

/**
 * Which grants each kind of application may use (reference B.3): front-end (public) apps sign
 * users in with code + PKCE; back-end apps "may use only /token" with access keys; confidential
 * apps do both. Every kind may refresh what it got.
 */
const GRANTS: Record<CxoneApplication['type'], readonly string[]> = {
  public: ['authorization_code', 'refresh_token'],
  confidential: ['authorization_code', 'refresh_token', 'password'],
  backend: ['password', 'refresh_token'],
};

const SUPPORTED = new Set(['authorization_code', 'refresh_token', 'password']);

/** `POST /auth/token` (RFC 6749 §3.2). Errors are RFC 6749 §5.2 JSON, written by the CXone error handler. */
export async function handleToken(ctx: CxoneContext, req: Request, res: Response): Promise<void> {
  const form = readTokenForm(req);
  const client = authenticateClient(ctx, req, form);
  const grantType = form['grant_type'];
  if (!grantType) throw new IdpError('ERR_CXONE_OP_INVALID_REQUEST', 'grant_type is required.');
  if (!SUPPORTED.has(grantType)) throw new IdpError('ERR_CXONE_OP_UNSUPPORTED_GRANT_TYPE', `CXone does not support grant_type=${grantType}.`);
  if (!GRANTS[client.app.type].includes(grantType)) {
    throw new IdpError('ERR_CXONE_OP_UNAUTHORIZED_CLIENT', `A ${client.app.type} application may not use grant_type=${grantType}.`);
  }
  const tokens =
    grantType === 'authorization_code'
      ? await redeemCode(ctx, client, form)
      : grantType === 'refresh_token'
        ? await redeemRefreshToken(ctx, client, form)
        : await accessKeyGrant(ctx, client, form);
  // RFC 6749 §5.1: token responses are never cached.
  res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache').json(tokens);
}
