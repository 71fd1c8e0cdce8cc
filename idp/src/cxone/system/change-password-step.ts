import type { Request, Response } from 'express';
import type { CxoneContext } from '../context.js';
import { afterPasswordCurrent, changeReasonOf } from './after-password.js';
import { verifyPassword } from './password-hash.js';
import { newPasswordFailures, storePassword } from './set-password.js';
import { sendChangePasswordPage, type StepError } from './step-pages.js';
import { field, systemStep } from './system-step.js';

/**
 * `POST /login/change-password` {tx, newPassword, confirmPassword}: the new password must match
 * its confirmation and pass every rule — complexity, the common-password repository, personal data
 * and the history (reference B.1: the check runs "when a password expires"). Every broken rule is
 * listed at once; the first one's code is the page's `X-Idp-Harness-Error`.
 */
export async function handleChangePasswordStep(ctx: CxoneContext, req: Request, res: Response): Promise<void> {
  const s = systemStep(ctx, req, 'change-password');
  const reason = changeReasonOf(s.tx);
  const password = field(req, 'newPassword');
  const confirm = field(req, 'confirmPassword');
  const refuse = (errors: StepError[]) => sendChangePasswordPage(ctx, res, s, reason, errors, 400);
  if (password === '') return refuse([{ code: 'ERR_CXONE_PASSWORD_REQUIRED', message: 'Enter a new password.' }]);
  if (password !== confirm) return refuse([{ code: 'ERR_CXONE_PASSWORD_MISMATCH', message: 'The new password and its confirmation differ.' }]);
  const failures = newPasswordFailures(ctx, s.user, s.settings.password, password);
  // [INF] Even without a history policy, "changing" to the same password would defeat expiry and resets.
  const current = s.user.password;
  if (s.settings.password.history === 0 && current && verifyPassword(password, current.hash)) {
    failures.push({ code: 'ERR_CXONE_PASSWORD_REUSED', message: 'The new password must differ from the current one.' });
  }
  if (failures.length > 0) return refuse(failures);
  storePassword(ctx, s.user, password, { mustChange: false });
  ctx.store.commit();
  ctx.log.info({ svc: 'cxone', event: 'login.password.changed', userId: s.user.id, reason }, 'password changed at sign-in');
  await afterPasswordCurrent(ctx, req, res, s);
}
