import type { Request, Response } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext, PendingOidcRequest } from '../context.js';
import { completeSignIn } from '../login/complete-sign-in.js';
import type { LoginTransaction } from '../login/transactions.js';
import type { Authenticator } from '../model.js';
import { validateIdToken, type ValidIdToken } from './id-token.js';
import { recordIdToken } from '../record-exchange.js';
import type { IdpKeySets } from './idp-key-sets.js';
import { findUserForSubject, linkToSubject } from './link-user.js';
import { redeemCode } from './token-request.js';
import { fetchUserinfo } from './userinfo.js';

/** One parameter of the authorization response: the query (GET) or the form (response_mode=form_post). */
function param(req: Request, name: string): string | undefined {
  const source = (req.method === 'POST' ? req.body : req.query) as Record<string, unknown> | undefined;
  const v = source?.[name];
  if (v === undefined) return undefined;
  // RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once."
  if (typeof v !== 'string') throw new IdpError('ERR_CXONE_OIDC_STATE', `The authorization response repeats the parameter ${name}.`);
  return v;
}

function oidcAuthenticator(ctx: CxoneContext, id: string): Authenticator {
  const a = ctx.store.authenticators.get(id);
  if (!a || a.type !== 'OIDC' || !a.oidc) throw new IdpError('ERR_CXONE_NOT_FOUND', 'There is no OpenID Connect login authenticator at this address.', { status: 404, debug: `authenticator ${id}` });
  return a;
}

/**
 * The state names the sign-in CXone started (RFC 6749 §10.12, OIDC Core §3.1.2.7); it is used up
 * here, so a replayed or forged authorization response finds nothing. It must belong to the
 * authenticator whose redirect URI was called: a code from one IdP must not be redeemed at another.
 */
function takePending(ctx: CxoneContext, a: Authenticator, state: string | undefined): PendingOidcRequest {
  if (!state) throw new IdpError('ERR_CXONE_OIDC_STATE', 'The IdP sent the browser back without a state; start the sign-in again.');
  const taken = ctx.oidcRequests.take(state);
  if (taken.found === 'none') throw new IdpError('ERR_CXONE_OIDC_STATE', 'This sign-in is unknown to CXone (wrong state); start again.');
  if (taken.found === 'used') throw new IdpError('ERR_CXONE_OIDC_STATE', 'This sign-in response was already used (replayed state); start again.');
  if (taken.found === 'expired') throw new IdpError('ERR_CXONE_OIDC_STATE', 'This sign-in took too long; start again.');
  if (taken.value.authenticatorId !== a.id) {
    throw new IdpError('ERR_CXONE_OIDC_STATE', 'This sign-in was started with another login authenticator.', { debug: `state for ${taken.value.authenticatorId}, callback of ${a.id}` });
  }
  return taken.value;
}

/**
 * `GET|POST /auth/oidc/callback/:id`, the login redirect URI CXone shows for an OIDC authenticator
 * (authenticator-urls.ts): the authorization response (OIDC Core §3.1.2.5/§3.1.2.6), the token
 * request, ID token and userinfo validation, the user's linking, then the CXone session.
 */
export async function handleOidcCallback(ctx: CxoneContext, keySets: IdpKeySets, req: Request, res: Response): Promise<void> {
  const a = oidcAuthenticator(ctx, String(req.params['id']));
  const o = a.oidc!;
  const pending = takePending(ctx, a, param(req, 'state'));
  const tx: LoginTransaction = ctx.logins.at(pending.transactionId, 'external');
  if (tx.userId !== pending.userId) throw new IdpError('ERR_CXONE_LOGIN_TRANSACTION', 'This sign-in step is out of order. Start again.');

  // OIDC Core §3.1.2.6 / RFC 6749 §4.1.2.1: the IdP refused (the user cancelled, no access...).
  const error = param(req, 'error');
  if (error !== undefined) {
    ctx.logins.finish(tx);
    const description = param(req, 'error_description');
    throw new IdpError('ERR_CXONE_OIDC_IDP_ERROR', `The IdP did not sign you in (${error}${description ? `: ${description}` : ''}).`, { status: 403, debug: `${a.name}: ${error}` });
  }
  // RFC 9207 §2.4: when the IdP names itself in the response (`iss`), it must be this
  // authenticator's issuer (defence against mix-up attacks when several IdPs are configured).
  const iss = param(req, 'iss');
  if (iss !== undefined && iss !== o.issuer) throw new IdpError('ERR_CXONE_OIDC_ISSUER', 'The authorization response comes from another issuer.', { debug: `iss ${iss}` });
  const code = param(req, 'code');
  if (!code) throw new IdpError('ERR_CXONE_OIDC_IDP_ERROR', 'The IdP sent the browser back with neither a code nor an error.');
  if (!a.active) throw new IdpError('ERR_CXONE_AUTHENTICATOR_INACTIVE', 'This login authenticator is not active.', { status: 403 });

  const tokens = await redeemCode(ctx, a, code, pending.codeVerifier);
  let idToken: ValidIdToken;
  try {
    idToken = await validateIdToken(ctx, a, tokens.idToken, pending, keySets);
  } catch (error) {
    recordIdToken(ctx, a, tokens.idToken, { error });
    throw error;
  }
  recordIdToken(ctx, a, tokens.idToken, idToken);
  let claims = idToken.claims;
  if (o.userinfoEndpoint && tokens.accessToken) {
    claims = { ...claims, ...(await fetchUserinfo(ctx, a, tokens.accessToken, idToken.sub, keySets)) };
  }

  const found = findUserForSubject(ctx, a, idToken.sub, claims);
  const user = found.user;
  // SP-initiated (the only kind OIDC has here): the IdP's user must be the one who typed the username.
  if (user.id !== pending.userId) {
    throw new IdpError('ERR_CXONE_OIDC_USER_MISMATCH', 'You signed in at the IdP as another user than the one you named at CXone.', { status: 403, debug: `typed ${pending.userId}, IdP user ${user.id}` });
  }
  if (!user.active) throw new IdpError('ERR_CXONE_LOGIN_USER_INACTIVE', 'This user is not active. Ask your administrator to activate it.', { status: 403 });
  if (found.linkBySub) linkToSubject(ctx, user, idToken.sub);
  ctx.log.info({ svc: 'cxone', event: 'oidc.response.accepted', authenticator: a.name, userId: user.id, linked: found.linkBySub }, 'OIDC sign-in accepted');
  completeSignIn(ctx, req, res, {
    tx,
    user,
    authenticator: a,
    amr: ['fed'],
    acr: idToken.acr,
    external: { kind: 'oidc', authenticatorId: a.id, idToken: idToken.jws },
  });
}
