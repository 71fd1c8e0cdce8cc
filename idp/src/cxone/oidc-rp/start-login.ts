import { createHash, randomBytes } from 'node:crypto';
import type { Response } from 'express';
import { oidcLoginRedirectUri } from '../authenticator-urls.js';
import type { CxoneContext } from '../context.js';
import type { LoginTransaction } from '../login/transactions.js';
import type { Authenticator, CxoneUser } from '../model.js';

/** How long CXone waits for the IdP to send the browser back (the user may have to sign in there). */
export const OIDC_REQUEST_TTL_MS = 10 * 60_000;

/** 32 random bytes, base64url: 43 characters, above FICAM's 22-character minimum for state and nonce (login.gov). */
function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * SP-initiated sign-in with an OIDC authenticator (seed 002 step 6: after the username, the user
 * is sent to the IdP): an authorization code request (OIDC Core §3.1.2.1) with
 *  - `state`, the key of the pending request (single use, RFC 6749 §10.12 CSRF protection);
 *  - `nonce`, bound into the ID token (OIDC Core §3.1.2.1, §3.1.3.7 step 11);
 *  - PKCE S256 always (RFC 7636 §4.2; issue 6: "code flow with PKCE"; iGov OAuth2 §2.6.1);
 *  - `acr_values` when configured (FICAM requires one, OIDC Core §3.1.2.1);
 *  - `login_hint` [INF]: the username the user typed, so the IdP can prefill it (OIDC Core §3.1.2.1).
 */
export async function startOidcLogin(ctx: CxoneContext, res: Response, tx: LoginTransaction, user: CxoneUser, a: Authenticator): Promise<void> {
  const o = a.oidc!;
  const state = randomToken();
  const nonce = randomToken();
  const codeVerifier = randomToken();
  const codeChallenge = createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
  ctx.oidcRequests.put(state, { authenticatorId: a.id, transactionId: tx.id, userId: user.id, nonce, codeVerifier, acrValues: [...o.acrValues] }, OIDC_REQUEST_TTL_MS);
  const url = new URL(o.authorizationEndpoint);
  const q = url.searchParams;
  q.set('response_type', 'code');
  q.set('client_id', o.clientId);
  q.set('redirect_uri', oidcLoginRedirectUri(ctx.urls.base, a));
  q.set('scope', o.scope);
  q.set('state', state);
  q.set('nonce', nonce);
  q.set('code_challenge', codeChallenge);
  q.set('code_challenge_method', 'S256');
  if (o.acrValues.length > 0) q.set('acr_values', o.acrValues.join(' '));
  q.set('login_hint', user.username);
  ctx.log.info({ svc: 'cxone', event: 'oidc.request.sent', authenticator: a.name, userId: user.id }, 'sent the user to the OIDC IdP');
  res.set('Cache-Control', 'no-store');
  res.redirect(302, url.toString());
}
