import type { Request, Response } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { IdsContext } from '../context.js';
import type { IssuedTokens } from '../tokens/token-service.js';

/**
 * The IdS token endpoint. Its real path and JSON are NOT FOUND in public sources (reference
 * A.1.5: the Java SDK hides them; its AccessToken model has access_token / refresh_token), so the
 * lab serves the plausible RFC 6749 shape at `/ids/v1/oauth/token` (docs/cisco.md). Clients are
 * identified by client_id (form or Basic user name); IdS clients have no secret.
 */
export function handleToken(ctx: IdsContext, req: Request, res: Response): void {
  const form = formOf(req);
  const clientId = clientIdOf(req, form);
  const client = ctx.clients.get(clientId);
  if (!client) throw new IdpError('ERR_IDS_INVALID_CLIENT', 'Unknown client.', { status: 401 });
  res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
  switch (form['grant_type']) {
    case 'authorization_code':
      res.json(tokenJson(redeemCode(ctx, form['code'], form['redirect_uri'], client.clientId)));
      return;
    case 'refresh_token': {
      const rt = form['refresh_token'];
      if (!rt) throw new IdpError('ERR_IDS_INVALID_REQUEST', 'refresh_token is required.');
      res.json(tokenJson(ctx.tokens.refresh(rt, form['access_token'], client.clientId)));
      return;
    }
    case undefined:
      throw new IdpError('ERR_IDS_INVALID_REQUEST', 'grant_type is required.');
    default:
      throw new IdpError('ERR_IDS_UNSUPPORTED_GRANT_TYPE', 'Cisco IdS supports only the authorization_code grant (and refresh).');
  }
}

/**
 * Code redemption, shared by the HTTP endpoint and Finesse (which redeems in-process). RFC 6749
 * §4.1.3: the code is single-use, bound to its client and redirect URI, and short-lived (IdS
 * "Authorization Code Expiry", 1–10 minutes): "A new Access token and Refresh token pair can be
 * obtained only before the Auth code expires" (reference A.1.5). A second use revokes the tokens
 * the first one got (RFC 6749 §4.1.2).
 */
export function redeemCode(ctx: IdsContext, code: string | undefined, redirectUri: string | undefined, clientId: string): IssuedTokens {
  if (!code) throw new IdpError('ERR_IDS_INVALID_REQUEST', 'code is required.');
  const taken = ctx.codes.take(code);
  if (taken.found === 'none') throw new IdpError('ERR_IDS_CODE_INVALID', 'The authorization code is not valid.');
  if (taken.found === 'used') {
    if (taken.value.refreshToken) ctx.tokens.revoke(taken.value.refreshToken);
    throw new IdpError('ERR_IDS_CODE_INVALID', 'The authorization code has already been used; the tokens it gave are revoked.');
  }
  if (taken.found === 'expired') throw new IdpError('ERR_IDS_CODE_EXPIRED', 'The authorization code has expired.');
  const entry = taken.value;
  if (entry.grant.clientId !== clientId) throw new IdpError('ERR_IDS_CODE_INVALID', 'The authorization code was issued to another client.');
  // RFC 6749 §4.1.3: redirect_uri is REQUIRED here only if the authorization request had it.
  if (redirectUri === undefined ? !entry.redirectUriOmitted : redirectUri !== entry.redirectUri) {
    throw new IdpError('ERR_IDS_CODE_INVALID', 'redirect_uri does not match the one the code was issued for.', { debug: `got ${redirectUri ?? '(none)'}` });
  }
  const issued = ctx.tokens.issue(entry.grant);
  entry.refreshToken = issued.refreshToken;
  ctx.log.info({ svc: 'ids', event: 'oauth.code.redeemed', user: entry.grant.userId, clientId }, 'code redeemed');
  return issued;
}

/** `POST /ids/v1/oauth/revoke` (the SDK's removeToken; RFC 7009 shape): 200 whether or not the token was known. */
export function handleRevoke(ctx: IdsContext, req: Request, res: Response): void {
  const form = formOf(req);
  const client = ctx.clients.get(clientIdOf(req, form));
  if (!client) throw new IdpError('ERR_IDS_INVALID_CLIENT', 'Unknown client.', { status: 401 });
  if (!form['token']) throw new IdpError('ERR_IDS_INVALID_REQUEST', 'token is required.');
  ctx.tokens.revoke(form['token']);
  res.set('Cache-Control', 'no-store').json({});
}

function tokenJson(t: IssuedTokens): Record<string, unknown> {
  return {
    access_token: t.accessToken,
    token_type: 'Bearer',
    expires_in: t.expiresIn,
    ...(t.refreshToken === undefined ? {} : { refresh_token: t.refreshToken, refresh_token_expires_in: t.refreshExpiresIn }),
  };
}

function formOf(req: Request): Record<string, string | undefined> {
  if (!req.is('application/x-www-form-urlencoded')) {
    throw new IdpError('ERR_IDS_INVALID_REQUEST', 'The token endpoint takes application/x-www-form-urlencoded (RFC 6749 §3.2).');
  }
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
    // RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once."
    if (typeof v !== 'string') throw new IdpError('ERR_IDS_INVALID_REQUEST', `The ${k} parameter must be sent once.`);
    out[k] = v;
  }
  return out;
}

function clientIdOf(req: Request, form: Record<string, string | undefined>): string {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const user = decoded.slice(0, decoded.includes(':') ? decoded.indexOf(':') : undefined);
    try {
      return decodeURIComponent(user); // RFC 6749 §2.3.1: form-encoded before Basic
    } catch {
      throw new IdpError('ERR_IDS_INVALID_CLIENT', 'The Basic credentials are not form-encoded.', { status: 401 });
    }
  }
  const id = form['client_id'];
  if (!id) throw new IdpError('ERR_IDS_INVALID_CLIENT', 'The request does not identify the client (client_id).', { status: 401 });
  return id;
}
