import type { Request, Response } from 'express';
import type { CxoneContext } from '../context.js';
import { personalDataOf } from '../context.js';
import { completeSignIn } from '../login/complete-sign-in.js';
import type { LoginTransaction } from '../login/transactions.js';
import type { ChangeReason } from '../pages/change-password-page.js';
import { newOtpSecret } from './otp.js';
import { passwordRuleFailures } from './password-rules.js';
import { passwordExpired } from './set-password.js';
import { sendChangePasswordPage, sendMfaEnrolPage, sendMfaPage } from './step-pages.js';
import type { SystemStep } from './system-step.js';

/** Why a transaction is at the change-password step, kept beside it for the page's re-renders. */
const changeReasons = new WeakMap<LoginTransaction, ChangeReason>();

export function changeReasonOf(tx: LoginTransaction): ChangeReason {
  return changeReasons.get(tx) ?? 'must-change';
}

/**
 * Whether a sign-in whose password was just verified must choose a new one first (reference B.1):
 * the password expired ("after which users are prompted to change"), an admin reset it, or it
 * breaks the authenticator's current rules ("users … must change a non-compliant password at next
 * login"). The typed password is checked, since only a hash is stored.
 */
export function changeReasonFor(ctx: CxoneContext, s: SystemStep, typed: string): ChangeReason | undefined {
  const policy = s.settings.password;
  if (passwordExpired(ctx, s.user, policy)) return 'expired';
  if (s.user.mustChangePassword) return 'must-change';
  if (passwordRuleFailures(typed, policy, personalDataOf(ctx, s.user)).length > 0) return 'non-compliant';
  return undefined;
}

/** After a right password: the change-password step if needed, else MFA or the end of the sign-in. */
export async function afterPassword(ctx: CxoneContext, req: Request, res: Response, s: SystemStep, typed: string): Promise<void> {
  s.tx.passwordVerified = true;
  const reason = changeReasonFor(ctx, s, typed);
  if (reason) {
    s.tx.step = 'change-password';
    changeReasons.set(s.tx, reason);
    ctx.log.info({ svc: 'cxone', event: 'login.password.change_required', userId: s.user.id, reason }, 'password change required');
    sendChangePasswordPage(ctx, res, s, reason);
    return;
  }
  await afterPasswordCurrent(ctx, req, res, s);
}

/**
 * The password is verified and current. With "Require Multi-Factor Authentication" (reference
 * B.1) the user enrols a token of the authenticator's type if they have none of that type,
 * otherwise types a code; without it the sign-in ends with amr `pwd` (RFC 8176 §2).
 */
export async function afterPasswordCurrent(ctx: CxoneContext, req: Request, res: Response, s: SystemStep): Promise<void> {
  const mfa = s.settings.mfa;
  if (!mfa.required) {
    completeSignIn(ctx, req, res, { tx: s.tx, user: s.user, authenticator: s.authenticator, amr: ['pwd'] });
    return;
  }
  if (s.user.mfa?.type !== mfa.type) {
    s.tx.step = 'mfa-enroll';
    s.tx.pendingMfaSecret ??= newOtpSecret();
    await sendMfaEnrolPage(ctx, res, s);
    return;
  }
  s.tx.step = 'mfa';
  s.tx.hotpResyncCounter = undefined;
  sendMfaPage(ctx, res, s, 'verify');
}
