import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import { idpEndSessionUrl } from '../oidc-rp/end-session.js';
import { readOwnJwtIgnoringExpiry } from './jwt.js';
import { renderSignedOutPage } from './signed-out-page.js';

/** How long CXone waits for the browser to come back from an OIDC authenticator's end-session endpoint. */
const CHAIN_TTL_MS = 15 * 60_000;

function one(params: Record<string, unknown>, name: string): string | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new IdpError('ERR_CXONE_OP_INVALID_REQUEST', `The parameter ${name} must be given once.`);
  return v;
}

/**
 * `GET|POST /auth/authorize/logout`, CXone's end_session_endpoint (OpenID Connect RP-Initiated
 * Logout 1.0 §2):
 *  - `id_token_hint` must be an ID token CXone signed (its expiry is not checked: §2 says the OP
 *    SHOULD accept one whose exp has passed); its `aud` names the application;
 *  - `client_id`, when sent with the hint, must be the hint's audience (§2);
 *  - `post_logout_redirect_uri` must be registered for that application, exactly (§3), so it
 *    needs the hint or client_id; `state` goes back with it.
 * The CXone session ends (cookie cleared) and the tokens issued from it are revoked. When the
 * session came from an OIDC authenticator with an end-session endpoint, the browser goes to the
 * IdP first and comes back to the authenticator's logout redirect URI (`/auth/oidc/logout/<id>`).
 * [INF] No confirmation page is shown (the lab's RPs are trusted); a hint for another user still
 * ends this browser's session. Without a session or a hint the user still gets the signed-out page.
 */
export async function handleLogout(ctx: CxoneContext, req: Request, res: Response): Promise<void> {
  const params = ((req.method === 'POST' ? req.body : req.query) ?? {}) as Record<string, unknown>;
  const hint = one(params, 'id_token_hint');
  const requestedUri = one(params, 'post_logout_redirect_uri');
  const clientIdParam = one(params, 'client_id');
  const state = one(params, 'state');
  let hintClient: string | undefined;
  if (hint !== undefined) {
    const claims = await readOwnJwtIgnoringExpiry(ctx, hint);
    if (!claims || typeof claims.aud !== 'string') throw new IdpError('ERR_CXONE_OP_ID_TOKEN_HINT', 'The id_token_hint is not an ID token CXone issued.');
    hintClient = claims.aud;
    if (clientIdParam !== undefined && clientIdParam !== hintClient) throw new IdpError('ERR_CXONE_OP_ID_TOKEN_HINT', 'client_id is not the application the id_token_hint was issued to.');
  }
  let postLogoutRedirectUri: string | undefined;
  if (requestedUri !== undefined) {
    const clientId = hintClient ?? clientIdParam;
    const app = clientId !== undefined ? ctx.store.applications.get(clientId) : undefined;
    if (!app || !app.postLogoutRedirectUris.includes(requestedUri)) {
      throw new IdpError('ERR_CXONE_OP_POST_LOGOUT_REDIRECT_URI', 'The post_logout_redirect_uri is not registered for this application.', { debug: `${clientId ?? '(no client)'} ${requestedUri}` });
    }
    postLogoutRedirectUri = requestedUri;
  }
  const session = ctx.sessions.current(req);
  ctx.sessions.end(res, session);
  if (session) {
    ctx.op.revokeWhere((r) => r.sessionId === session.id);
    ctx.log.info({ svc: 'cxone', event: 'logout', userId: session.userId, clientId: hintClient ?? clientIdParam }, 'signed out');
  }
  const external = session?.external;
  const authenticator = external?.kind === 'oidc' ? ctx.store.authenticators.get(external.authenticatorId) : undefined;
  if (authenticator) {
    const handle = randomBytes(24).toString('base64url');
    const url = idpEndSessionUrl(ctx, authenticator, external!.idToken, handle);
    if (url) {
      ctx.op.logouts.put(handle, { authenticatorId: authenticator.id, postLogoutRedirectUri, state }, CHAIN_TTL_MS);
      res.set('Cache-Control', 'no-store').redirect(302, url);
      return;
    }
  }
  finishLogout(res, postLogoutRedirectUri, state);
}

/**
 * `GET /auth/oidc/logout/:id`: the OIDC authenticator's logout redirect URI, where its IdP sends
 * the browser after ending its own session. The `state` CXone sent finds where to go next; an
 * unknown, expired or foreign state only shows the signed-out page (never a redirect to an
 * application nobody asked for).
 */
export function handleIdpLogoutReturn(ctx: CxoneContext, req: Request, res: Response): void {
  const state = (req.query as Record<string, unknown>)['state'];
  const taken = typeof state === 'string' ? ctx.op.logouts.take(state) : { found: 'none' as const };
  if (taken.found === 'ok' && taken.value.authenticatorId === req.params['id']) {
    finishLogout(res, taken.value.postLogoutRedirectUri, taken.value.state);
    return;
  }
  ctx.log.info({ svc: 'cxone', event: 'logout.return.unmatched', found: taken.found }, 'IdP logout return without a pending logout');
  finishLogout(res, undefined, undefined);
}

function finishLogout(res: Response, postLogoutRedirectUri: string | undefined, state: string | undefined): void {
  res.set('Cache-Control', 'no-store');
  if (postLogoutRedirectUri !== undefined) {
    const to = new URL(postLogoutRedirectUri);
    if (state !== undefined) to.searchParams.set('state', state);
    res.redirect(302, to.toString());
    return;
  }
  res.type('html').send(renderSignedOutPage());
}
