import type { Request, Response } from 'express';
import type { CxoneContext } from '../context.js';
import { afterPassword } from './after-password.js';
import { clearFailures, isLocked, recordFailure } from './lockout.js';
import { verifyPassword } from './password-hash.js';
import { sendPasswordPage } from './step-pages.js';
import { field, systemStep } from './system-step.js';

/**
 * `POST /login/password` {tx, password}. A locked account is refused before the password is even
 * looked at (so a lock cannot be probed for the right password); 423 Locked (RFC 4918 §11.3) is
 * the status, the lab's [INF] choice. A wrong password counts towards the lockout (reference B.1).
 */
export async function handlePasswordStep(ctx: CxoneContext, req: Request, res: Response): Promise<void> {
  const s = systemStep(ctx, req, 'password');
  const { tx, user, authenticator } = s;
  const policy = s.settings.password;
  if (isLocked(ctx, user)) {
    const minutes = Math.max(1, Math.ceil((user.lockedUntil! - ctx.clock.now()) / 60_000));
    ctx.log.info({ svc: 'cxone', event: 'login.refused', code: 'ERR_CXONE_LOGIN_LOCKED', userId: user.id }, 'account locked');
    sendPasswordPage(res, tx, user, authenticator, {
      status: 423,
      code: 'ERR_CXONE_LOGIN_LOCKED',
      message: `This account is locked after too many failed sign-in attempts. Try again in ${minutes} minute${minutes > 1 ? 's' : ''}, or ask your administrator to unlock it.`,
    });
    return;
  }
  const password = field(req, 'password');
  if (password === '') {
    sendPasswordPage(res, tx, user, authenticator, { status: 400, code: 'ERR_CXONE_PASSWORD_REQUIRED', message: 'Enter your password.' });
    return;
  }
  // Unset passwords fail like wrong ones: the answer does not tell which users have one.
  if (!user.password || !verifyPassword(password, user.password.hash)) {
    const locked = recordFailure(ctx, user, policy);
    const left = policy.lockoutAttempts - user.failedLogins;
    const message = locked
      ? `Invalid password. The account is now locked for ${policy.lockoutMinutes} minutes.`
      : `Invalid password. ${left} attempt${left > 1 ? 's' : ''} left before the account is locked.`;
    sendPasswordPage(res, tx, user, authenticator, { status: 401, code: 'ERR_CXONE_LOGIN_BAD_PASSWORD', message });
    return;
  }
  clearFailures(ctx, user);
  await afterPassword(ctx, req, res, s, password);
}
