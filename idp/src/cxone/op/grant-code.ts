import { createHash, randomUUID } from 'node:crypto';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import type { AuthenticatedClient } from './client-auth.js';
import { issueTokens, type TokenResponse } from './issue-tokens.js';
import type { TokenForm } from './token-form.js';

function invalidGrant(message: string, debug?: string): IdpError {
  return new IdpError('ERR_CXONE_OP_INVALID_GRANT', message, { debug });
}

/** RFC 7636 §4.1: the verifier's alphabet and length. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * `grant_type=authorization_code` (RFC 6749 §4.1.3). The code is single-use, short-lived
 * (`cxone.tokens.authorizationCodeSeconds`) and bound to its client and redirect URI; a second
 * use revokes the tokens the first one got (§4.1.2: "the authorization server ... SHOULD revoke
 * (when possible) all tokens previously issued based on that authorization code"). With a
 * code_challenge, the verifier must match it by S256 (RFC 7636 §4.6); a verifier with no
 * challenge is refused too, and a public application's code always has one.
 */
export async function redeemCode(ctx: CxoneContext, client: AuthenticatedClient, form: TokenForm): Promise<TokenResponse> {
  const code = form['code'];
  if (!code) throw new IdpError('ERR_CXONE_OP_INVALID_REQUEST', 'code is required.');
  // Another client presenting the code does not use it up for the one it was issued to.
  const pending = ctx.op.codes.peek(code);
  if (pending && pending.clientId !== client.app.clientId) throw invalidGrant('The authorization code was issued to another client.', `issued to ${pending.clientId}`);
  const taken = ctx.op.codes.take(code);
  if (taken.found === 'none') throw invalidGrant('The authorization code is not valid.', 'unknown code');
  if (taken.found === 'used') {
    const grantId = taken.value.grantId;
    if (grantId) ctx.op.revokeWhere((r) => r.grantId === grantId);
    ctx.log.warn({ svc: 'cxone', event: 'op.code.reused', clientId: client.app.clientId, grantId }, 'authorization code used twice: its tokens are revoked');
    throw invalidGrant('The authorization code has already been used; the tokens it gave are revoked.', 'code reused');
  }
  if (taken.found === 'expired') throw invalidGrant('The authorization code has expired.', 'code expired');
  const g = taken.value;
  if (g.clientId !== client.app.clientId) throw invalidGrant('The authorization code was issued to another client.');
  // RFC 6749 §4.1.3: redirect_uri is required here when the authorization request had it (CXone always requires it there).
  if (form['redirect_uri'] !== g.redirectUri) {
    throw new IdpError('ERR_CXONE_OP_REDIRECT_URI', 'redirect_uri is not the one the code was issued for.', { debug: `got ${form['redirect_uri'] ?? '(none)'}` });
  }
  checkPkce(g.codeChallenge, form['code_verifier'], client.app.type === 'public');
  const user = ctx.store.users.get(g.userId);
  if (!user?.active) throw invalidGrant('The user is no longer active.', user ? 'user inactive' : 'user deleted');
  g.grantId = randomUUID();
  ctx.log.info({ svc: 'cxone', event: 'op.code.redeemed', clientId: client.app.clientId, userId: user.id }, 'code redeemed');
  return issueTokens(ctx, {
    app: client.app,
    user,
    grantId: g.grantId,
    sessionId: g.sessionId,
    scope: g.scope,
    nonce: g.nonce,
    authTime: g.authTime,
    amr: g.amr,
    acr: g.acr,
  });
}

function checkPkce(challenge: string | undefined, verifier: string | undefined, isPublic: boolean): void {
  const fail = (message: string) => new IdpError('ERR_CXONE_OP_PKCE', message);
  if (challenge === undefined) {
    if (isPublic) throw fail('Front-end applications must use PKCE.');
    if (verifier !== undefined) throw fail('code_verifier was sent but the authorization request had no code_challenge.');
    return;
  }
  if (verifier === undefined) throw fail('code_verifier is required (RFC 7636 §4.5).');
  if (!VERIFIER.test(verifier)) throw fail('code_verifier must be 43–128 unreserved characters (RFC 7636 §4.1).');
  if (createHash('sha256').update(verifier, 'ascii').digest('base64url') !== challenge) throw fail('code_verifier does not match the code_challenge (RFC 7636 §4.6).');
}
