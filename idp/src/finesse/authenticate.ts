import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { IdpError } from '../shared/errors.js';
import type { FinesseContext } from './context.js';
import { findByLoginName, findFinesseUser, usesSso, type FinesseUser } from './finesse-users.js';

/** Who a Finesse REST request is from, and how they proved it. */
export interface FinessePrincipal {
  user: FinesseUser;
  via: 'basic' | 'bearer';
}

function unauthorized(message: string, debug?: string): IdpError {
  return new IdpError('ERR_FINESSE_UNAUTHORIZED', message, { status: 401, debug });
}

/**
 * Finesse REST authentication (reference A.2.1): `Authorization: Basic` for non-SSO users,
 * `Authorization: Bearer <IdS access token>` for SSO users, per `SystemInfo.systemAuthMode` and,
 * in HYBRID mode, per user. A token must be valid at IdS right now (signature or encryption,
 * expiry on the lab clock, not revoked) and name a Finesse user. Five consecutive bad passwords
 * lock the user for five minutes.
 */
export function authenticate(ctx: FinesseContext, req: Request): FinessePrincipal {
  const header = req.headers.authorization;
  if (!header) throw unauthorized('The request carries no credentials.');
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'basic') return basic(ctx, value);
  if (scheme === 'bearer') return bearer(ctx, value);
  throw unauthorized(`Unsupported authorization scheme '${scheme}'.`);
}

function basic(ctx: FinesseContext, value: string): FinessePrincipal {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw unauthorized('The Basic credentials are malformed.');
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw unauthorized('The Basic credentials are malformed.');
  const name = decoded.slice(0, colon);
  const user = findFinesseUser(ctx.users, name);
  if (!user) throw unauthorized('Invalid user ID or password.', `no Finesse user '${name}'`);
  checkPassword(ctx, user, decoded.slice(colon + 1));
  return { user, via: 'basic' };
}

/**
 * A non-SSO user's password, with the lockout (REST Basic and the notification service's SASL
 * PLAIN share it: both are "sign-in attempts"). Throws ERR_FINESSE_LOCKED_OUT or _UNAUTHORIZED.
 */
export function checkPassword(ctx: Pick<FinesseContext, 'config' | 'lockout' | 'log'>, user: FinesseUser, password: string): void {
  if (ctx.lockout.isLocked(user.username)) {
    throw new IdpError('ERR_FINESSE_LOCKED_OUT', 'The user is locked out after too many failed sign-in attempts. Try again later.', { status: 401 });
  }
  if (usesSso(ctx.config.systemAuthMode, user)) {
    throw unauthorized('This user signs in with single sign-on; use a Bearer access token.', `${user.username} is an SSO user`);
  }
  const a = Buffer.from(password);
  const b = Buffer.from(user.password);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    const locked = ctx.lockout.fail(user.username);
    ctx.log.info({ svc: 'finesse', event: 'finesse.signin.failed', user: user.username, locked }, 'bad password');
    throw unauthorized('Invalid user ID or password.');
  }
  ctx.lockout.succeed(user.username);
}

function bearer(ctx: FinesseContext, token: string): FinessePrincipal {
  return { user: checkAccessToken(ctx, token), via: 'bearer' };
}

/**
 * An IdS access token of an SSO user: valid at IdS right now and naming a Finesse user who signs
 * in with SSO. The IdS reason (ERR_IDS_TOKEN_EXPIRED, _REVOKED, _INVALID) travels as `errorData`.
 */
export function checkAccessToken(ctx: Pick<FinesseContext, 'config' | 'ids' | 'users'>, token: string): FinesseUser {
  if (ctx.config.systemAuthMode === 'NON_SSO' || !ctx.ids) throw unauthorized('Single sign-on is not enabled on this Finesse.');
  let userId: string;
  try {
    userId = ctx.ids.tokens.validateAccess(token).userId;
  } catch (e) {
    if (e instanceof IdpError) {
      throw new IdpError('ERR_FINESSE_UNAUTHORIZED', 'The access token is not valid.', { status: 401, debug: e.message, details: { errorData: e.code } });
    }
    throw e;
  }
  const user = findByLoginName(ctx.users, userId);
  if (!user) throw unauthorized('The access token names no Finesse user.', `user_id ${userId}`);
  if (!usesSso(ctx.config.systemAuthMode, user)) throw unauthorized('This user is not enabled for single sign-on; use Basic credentials.');
  return user;
}
