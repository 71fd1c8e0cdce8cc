import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { IdpError } from '../../shared/errors.js';
import { redeemCode } from '../../ids/oauth/token-endpoint.js';
import type { IdsContext } from '../../ids/context.js';
import type { FinesseContext } from '../context.js';
import { findByLoginName, findFinesseUser, usesSso, type FinesseUser } from '../finesse-users.js';
import { browserSession, cookiesOf, setCookie } from './browser-session.js';
import { sendJson, ssoTokenJson } from './sso-json.js';

/** How long Finesse waits for IdS to come back with a code (the user may be typing a password). */
const REQUEST_TTL_MS = 15 * 60_000;
/** Browser SSO sessions kept for /desktop/sso/test. */
const MAX_SSO_SESSIONS = 10_000;

function query(req: Request, name: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new IdpError('ERR_HTTP_BAD_REQUEST', `The ${name} parameter must be sent once.`);
  return v;
}

function flag(v: string | undefined, yes: string, dflt: boolean): boolean {
  return v === undefined ? dflt : v.toLowerCase() === yes;
}

function ids(ctx: FinesseContext): IdsContext {
  if (ctx.config.systemAuthMode === 'NON_SSO') {
    throw new IdpError('ERR_FINESSE_SSO_DISABLED', 'Single sign-on is not enabled on this Finesse (systemAuthMode NON_SSO).');
  }
  if (!ctx.ids) throw new IdpError('ERR_FINESSE_SSO_DISABLED', 'The Cisco Identity Service is not running in this lab.', { status: 503 });
  return ctx.ids;
}

function ssoUser(ctx: FinesseContext, name: string): FinesseUser {
  const user = findFinesseUser(ctx.users, name);
  if (!user) throw new IdpError('ERR_FINESSE_SSO_UNKNOWN_USER', `'${name}' is not a Finesse user.`, { status: 401 });
  if (!usesSso(ctx.config.systemAuthMode, user)) {
    throw new IdpError('ERR_FINESSE_SSO_NOT_SSO_USER', `'${name}' is not enabled for single sign-on; sign in with a password.`);
  }
  return user;
}

/**
 * `GET /desktop/sso/token` (reference A.1.2, DESIGN F1/F2). With `refresh-token`: a refresh (TAC
 * 215626's GET form). Otherwise a fetch: `cc_username` from the query or the `cc_username`
 * cookie, then a redirect to IdS authorize whose code comes back to `/desktop/sso/authcode`.
 */
export function handleTokenGet(ctx: FinesseContext, req: Request, res: Response): void {
  const refreshToken = query(req, 'refresh-token');
  if (refreshToken !== undefined) return refreshGet(ctx, req, res, refreshToken);
  const idsCtx = ids(ctx);
  const fromCookie = cookiesOf(req)['cc_username'];
  const ccUsername = query(req, 'cc_username') ?? fromCookie;
  if (!ccUsername) throw new IdpError('ERR_FINESSE_SSO_USERNAME_MISSING', 'cc_username is required (query parameter or cookie).');
  const user = ssoUser(ctx, ccUsername);
  const secure = ctx.urls.base.startsWith('https:');
  const browser = browserSession(req, res, secure);
  setCookie(res, 'cc_username', ccUsername, secure);
  // Reference A.1.5 step 2 [OBS]: state = base64(<return URL> TAB "applogin"); the return URL
  // carries a one-time handle so the code comes back to this fetch in this browser only.
  const handle = randomBytes(16).toString('hex');
  const state = Buffer.from(`${ctx.urls.base}/desktop/j_identity_check?error=true&request=${handle}\tapplogin`).toString('base64');
  ctx.ssoRequests.put(
    state,
    {
      ccUsername: user.username,
      returnRefreshToken: flag(query(req, 'return_refresh_token'), 'true', false),
      returnUser: flag(query(req, 'return_user'), 'yes', true),
      browser,
    },
    REQUEST_TTL_MS,
  );
  const to = new URL(idsCtx.urls.authorize);
  to.searchParams.set('redirect_uri', ctx.urls.authcode);
  to.searchParams.set('client_id', ctx.config.idsClientId);
  to.searchParams.set('state', state);
  to.searchParams.set('response_type', 'code');
  res.set('Cache-Control', 'no-store').redirect(302, to.toString());
}

/**
 * `GET /desktop/sso/authcode?code&state` (reference A.1.2, A.1.5 step 6): Finesse redeems the code
 * at IdS (in-process, as the IdS client SDK's getAccessToken(code, redirectUri)), checks that the
 * token is for the user who asked, and answers the fetch's JSON.
 */
export function handleAuthcode(ctx: FinesseContext, req: Request, res: Response): void {
  const idsCtx = ids(ctx);
  const state = query(req, 'state');
  // Another browser presenting this state must not use it up for the one that started the fetch.
  const started = state === undefined ? undefined : ctx.ssoRequests.peek(state);
  const pending = started && started.browser === cookiesOf(req)['JSESSIONID'] ? ctx.ssoRequests.take(state!) : undefined;
  if (!pending || pending.found !== 'ok') {
    throw new IdpError('ERR_FINESSE_SSO_STATE_INVALID', 'This sign-in was not started by this browser, or it expired. Call /desktop/sso/token again.', {
      debug: pending ? pending.found : started ? 'another browser' : 'unknown, used or expired state',
    });
  }
  const error = query(req, 'error');
  if (error !== undefined) {
    throw new IdpError('ERR_FINESSE_UNAUTHORIZED', `The Identity Service refused the sign-in (${error}).`, { status: 401, debug: query(req, 'error_description') });
  }
  const code = query(req, 'code');
  if (!code) throw new IdpError('ERR_FINESSE_SSO_AUTHCODE_MISSING', 'The Identity Service sent no authorization code.');
  const tokens = atIds(() => redeemCode(idsCtx, code, ctx.urls.authcode, ctx.config.idsClientId));
  const wanted = ssoUser(ctx, pending.value.ccUsername);
  if (findByLoginName(ctx.users, tokens.access.userId)?.username !== wanted.username) {
    idsCtx.tokens.revoke(tokens.refreshToken!);
    throw new IdpError('ERR_FINESSE_SSO_USER_MISMATCH', `The Identity Service signed in '${tokens.access.userId}', not '${pending.value.ccUsername}'.`, { status: 401 });
  }
  ctx.ssoSessions.delete(pending.value.browser); // re-inserted last: the Map's order is the age order
  ctx.ssoSessions.set(pending.value.browser, { userId: wanted.username, accessToken: tokens.accessToken });
  // Bounded: a long run of fresh browsers (a benchmark) forgets the oldest sessions first.
  if (ctx.ssoSessions.size > MAX_SSO_SESSIONS) ctx.ssoSessions.delete(ctx.ssoSessions.keys().next().value!);
  ctx.log.info({ svc: 'finesse', event: 'finesse.sso.token', user: wanted.username }, 'SSO token issued');
  sendJson(res, ssoTokenJson(tokens, { refreshToken: pending.value.returnRefreshToken, user: pending.value.returnUser }));
}

/** The TAC 215626 GET refresh: `cc_username` + `refresh-token`; the current access token is the latest one IdS issued under it. */
function refreshGet(ctx: FinesseContext, req: Request, res: Response, refreshToken: string): void {
  const idsCtx = ids(ctx);
  const ccUsername = query(req, 'cc_username') ?? cookiesOf(req)['cc_username'];
  if (!ccUsername) throw new IdpError('ERR_FINESSE_SSO_USERNAME_MISSING', 'cc_username is required with refresh-token.');
  const user = ssoUser(ctx, ccUsername);
  // The refresh token must be this user's: checked before anything is issued.
  const owner = atIds(() => idsCtx.tokens.inspectRefresh(refreshToken));
  if (findByLoginName(ctx.users, owner.userId)?.username !== user.username) {
    throw new IdpError('ERR_FINESSE_SSO_USER_MISMATCH', `The refresh token belongs to another user than '${ccUsername}'.`, { status: 401 });
  }
  const tokens = atIds(() => idsCtx.tokens.refresh(refreshToken, undefined, ctx.config.idsClientId));
  rememberRefresh(ctx, req, tokens.access.userId, tokens.accessToken);
  sendJson(res, ssoTokenJson(tokens, { refreshToken: true, user: flag(query(req, 'return_user'), 'yes', true) }));
}

/** A refresh from the browser that fetched the token moves its SSO session (what /desktop/sso/test reads) to the new token. */
function rememberRefresh(ctx: FinesseContext, req: Request, userId: string, accessToken: string): void {
  const browser = cookiesOf(req)['JSESSIONID'];
  const session = browser === undefined ? undefined : ctx.ssoSessions.get(browser);
  if (session && findByLoginName(ctx.users, userId)?.username === session.userId) session.accessToken = accessToken;
}

/**
 * `POST /desktop/sso/token` (Dev Guide 12.5(1) p.193): form `token` + `refresh-token`, optional
 * `return_user`. Works only while both are valid (reference A.1.5).
 */
export function handleTokenPost(ctx: FinesseContext, req: Request, res: Response): void {
  const idsCtx = ids(ctx);
  if (!req.is('application/x-www-form-urlencoded')) {
    throw new IdpError('ERR_HTTP_BAD_REQUEST', 'The refresh request must be application/x-www-form-urlencoded.');
  }
  const form = (req.body ?? {}) as Record<string, unknown>;
  const field = (n: string) => {
    const v = form[n];
    if (v !== undefined && typeof v !== 'string') throw new IdpError('ERR_HTTP_BAD_REQUEST', `The ${n} parameter must be sent once.`);
    return v;
  };
  const token = field('token');
  const refreshToken = field('refresh-token');
  if (!token || !refreshToken) throw new IdpError('ERR_HTTP_BAD_REQUEST', 'Both token and refresh-token are required.');
  const tokens = atIds(() => idsCtx.tokens.refresh(refreshToken, token, ctx.config.idsClientId));
  rememberRefresh(ctx, req, tokens.access.userId, tokens.accessToken);
  sendJson(res, ssoTokenJson(tokens, { refreshToken: true, user: flag(field('return_user'), 'yes', true) }));
}

/** An IdS call whose failures become Finesse 401s carrying the IdS reason (an expired refresh token means signing in again). */
function atIds<T>(call: () => T): T {
  try {
    return call();
  } catch (e) {
    if (e instanceof IdpError) {
      const hint = e.code === 'ERR_IDS_REFRESH_TOKEN_EXPIRED' ? ' Sign in again with /desktop/sso/token.' : '';
      throw new IdpError('ERR_FINESSE_UNAUTHORIZED', e.message + hint, { status: 401, details: { errorData: e.code } });
    }
    throw e;
  }
}
