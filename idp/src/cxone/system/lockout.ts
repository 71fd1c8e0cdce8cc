import type { CxoneContext } from '../context.js';
import type { CxoneUser, PasswordPolicy } from '../model.js';

/**
 * Account lockout (reference B.1 [DOC]: "6 wrong passwords → account locked 30 minutes. An admin
 * can unlock sooner"). Wrong passwords and wrong one-time codes count alike: a second factor that
 * could be guessed without limit would be no factor. All times are the lab clock's.
 */

/** Whether `user` is locked now. A lock that has run out is cleared (and its count with it, [INF]: the user gets a fresh set of attempts). */
export function isLocked(ctx: CxoneContext, user: CxoneUser): boolean {
  if (user.lockedUntil === undefined) return false;
  if (ctx.clock.now() < user.lockedUntil) return true;
  user.lockedUntil = undefined;
  user.failedLogins = 0;
  ctx.store.commit();
  return false;
}

/** Counts one failed attempt; at `policy.lockoutAttempts` the account locks for `lockoutMinutes`. Returns true when this failure locked it. */
export function recordFailure(ctx: CxoneContext, user: CxoneUser, policy: PasswordPolicy): boolean {
  user.failedLogins += 1;
  const locks = user.failedLogins >= policy.lockoutAttempts;
  if (locks) user.lockedUntil = ctx.clock.now() + policy.lockoutMinutes * 60_000;
  ctx.store.commit();
  ctx.log.info({ svc: 'cxone', event: locks ? 'login.locked' : 'login.failed', userId: user.id, failedLogins: user.failedLogins }, locks ? 'account locked' : 'failed attempt');
  return locks;
}

/** A right password: the failure count starts again (the lock, if any, was checked before). */
export function clearFailures(ctx: CxoneContext, user: CxoneUser): void {
  if (user.failedLogins === 0 && user.lockedUntil === undefined) return;
  user.failedLogins = 0;
  user.lockedUntil = undefined;
  ctx.store.commit();
}
