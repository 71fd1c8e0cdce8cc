import type { CxoneContext } from '../context.js';
import { personalDataOf } from '../context.js';
import type { CxoneUser, PasswordPolicy } from '../model.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import { passwordRuleFailures, type RuleFailure } from './password-rules.js';

/**
 * Every rule a new password for `user` breaks under `policy`: complexity, the common-password
 * repository and personal data (password-rules.ts), and the history (reference B.1: "number of
 * previous passwords remembered and not reusable"; the current password counts as one of them).
 */
export function newPasswordFailures(ctx: CxoneContext, user: CxoneUser, policy: PasswordPolicy, password: string): RuleFailure[] {
  const failures = passwordRuleFailures(password, policy, personalDataOf(ctx, user));
  if (policy.history > 0) {
    const remembered = [user.password, ...user.passwordHistory].filter((p) => p !== undefined).slice(0, policy.history);
    if (remembered.some((p) => verifyPassword(password, p.hash))) {
      failures.push({ code: 'ERR_CXONE_PASSWORD_REUSED', message: `The password was one of your last ${policy.history} passwords; choose a new one.` });
    }
  }
  return failures;
}

/** Stores a password that passed newPasswordFailures; the old one moves into the history. */
export function storePassword(ctx: CxoneContext, user: CxoneUser, password: string, opts: { mustChange: boolean }): void {
  if (user.password) user.passwordHistory = [user.password, ...user.passwordHistory].slice(0, 24);
  user.password = { hash: hashPassword(password), setAt: ctx.clock.now() };
  user.mustChangePassword = opts.mustChange;
  user.updatedAt = new Date(ctx.clock.now()).toISOString();
}

/** Days-based expiry (reference B.1 "Expiration"); 0 days never expires. */
export function passwordExpired(ctx: CxoneContext, user: CxoneUser, policy: PasswordPolicy): boolean {
  if (!user.password || policy.expiryDays === 0) return false;
  return ctx.clock.now() >= user.password.setAt + policy.expiryDays * 86_400_000;
}
