import { z } from 'zod';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import type { CxoneUser } from '../model.js';
import { newPasswordFailures, storePassword } from '../system/set-password.js';
import { FieldErrors } from './field-errors.js';
import { activationFailures, buildUser } from './user-input.js';

/**
 * What an admin can do to a user, shared by the REST API (api-routes.ts) and the admin pages
 * (pages-router.ts). Every check runs before anything changes; a change is committed to the
 * state file at once.
 */

/** By id, or by username (case-insensitive). */
export function findUser(ctx: CxoneContext, idOrUsername: string): CxoneUser {
  const u = ctx.store.users.get(idOrUsername) ?? ctx.store.userByUsername(idOrUsername);
  if (!u) throw new IdpError('ERR_CXONE_NOT_FOUND', `There is no user '${idOrUsername}'.`, { status: 404 });
  return u;
}

export function createUser(ctx: CxoneContext, body: unknown): CxoneUser {
  const u = buildUser(ctx, body, undefined, false);
  ctx.store.users.set(u.id, u);
  ctx.store.commit();
  ctx.log.info({ svc: 'cxone', event: 'admin.user.created', userId: u.id }, 'user created');
  return u;
}

export function updateUser(ctx: CxoneContext, existing: CxoneUser, body: unknown, partial: boolean): CxoneUser {
  const u = buildUser(ctx, body, existing, partial);
  ctx.store.users.set(u.id, u);
  if (!u.active) endUserSessions(ctx, u);
  ctx.store.commit();
  return u;
}

export function deleteUser(ctx: CxoneContext, u: CxoneUser): void {
  ctx.store.users.delete(u.id);
  endUserSessions(ctx, u);
  ctx.store.commit();
}

/**
 * Activation (seed 002 step 7: the password check runs "when a new user is activated"): a System
 * user needs a password that meets the authenticator's rules, given here or set before; an
 * external user needs an external identity.
 */
export function activateUser(ctx: CxoneContext, u: CxoneUser, body: unknown): CxoneUser {
  const parsed = z.strictObject({ password: z.string().min(1).max(256).optional() }).safeParse(body ?? {});
  const errors = new FieldErrors();
  if (!parsed.success) {
    errors.addZod(parsed.error);
    errors.throwIfAny();
  }
  const a = ctx.store.authenticators.get(u.loginAuthenticatorId)!;
  const newPassword = parsed.data!.password;
  if (newPassword !== undefined) {
    if (a.type !== 'System') errors.add('password', 'ERR_CXONE_VALIDATION', `Users of a ${a.type} authenticator have no CXone password.`);
    else for (const f of newPasswordFailures(ctx, u, a.system!.password, newPassword)) errors.add('password', f.code, f.message);
  }
  activationFailures(ctx, u, a.type, newPassword, errors);
  errors.throwIfAny('The user cannot be activated.');
  if (newPassword !== undefined) storePassword(ctx, u, newPassword, { mustChange: false });
  u.active = true;
  u.updatedAt = new Date(ctx.clock.now()).toISOString();
  ctx.store.commit();
  return u;
}

export function deactivateUser(ctx: CxoneContext, u: CxoneUser): CxoneUser {
  u.active = false;
  u.updatedAt = new Date(ctx.clock.now()).toISOString();
  endUserSessions(ctx, u);
  ctx.store.commit();
  return u;
}

/** Reference B.1: "An admin can unlock sooner" than the lockout's 30 minutes. */
export function unlockUser(ctx: CxoneContext, u: CxoneUser): CxoneUser {
  u.failedLogins = 0;
  u.lockedUntil = undefined;
  ctx.store.commit();
  ctx.log.info({ svc: 'cxone', event: 'admin.user.unlocked', userId: u.id }, 'user unlocked');
  return u;
}

/** An admin's password reset (seed 002 step 7: the check runs "when a user resets a password"); it also unlocks. */
export function resetUserPassword(ctx: CxoneContext, u: CxoneUser, body: unknown): CxoneUser {
  const parsed = z.strictObject({ password: z.string().min(1).max(256), mustChangePassword: z.boolean().default(true) }).safeParse(body ?? {});
  const errors = new FieldErrors();
  if (!parsed.success) {
    errors.addZod(parsed.error);
    errors.throwIfAny();
  }
  const a = ctx.store.authenticators.get(u.loginAuthenticatorId)!;
  if (a.type !== 'System') errors.add('password', 'ERR_CXONE_VALIDATION', `Users of a ${a.type} authenticator have no CXone password.`);
  else for (const f of newPasswordFailures(ctx, u, a.system!.password, parsed.data!.password)) errors.add('password', f.code, f.message);
  errors.throwIfAny('The password does not meet the rules.');
  storePassword(ctx, u, parsed.data!.password, { mustChange: parsed.data!.mustChangePassword });
  u.failedLogins = 0;
  u.lockedUntil = undefined;
  ctx.store.commit();
  return u;
}

/** The user enrols again at the next sign-in (a lost authenticator app). */
export function resetUserMfa(ctx: CxoneContext, u: CxoneUser): CxoneUser {
  u.mfa = undefined;
  u.updatedAt = new Date(ctx.clock.now()).toISOString();
  ctx.store.commit();
  return u;
}

function endUserSessions(ctx: CxoneContext, u: CxoneUser): void {
  ctx.sessions.endUser(u.id);
  ctx.op.revokeWhere((t) => t.userId === u.id);
}
