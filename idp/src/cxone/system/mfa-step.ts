import type { Request, Response } from 'express';
import type { CxoneContext } from '../context.js';
import { completeSignIn } from '../login/complete-sign-in.js';
import { isLocked, recordFailure } from './lockout.js';
import { checkEnrolmentCode, checkMfaCode, type MfaOutcome } from './mfa-check.js';
import { newOtpSecret, normaliseCode } from './otp.js';
import { sendMfaEnrolPage, sendMfaPage, sendPasswordPage, type StepError } from './step-pages.js';
import { field, systemStep, type SystemStep } from './system-step.js';

/** RFC 8176 §2: password, one-time password, and more than one factor. */
const MFA_AMR = ['pwd', 'otp', 'mfa'];

const MESSAGES: Record<'ERR_CXONE_MFA_INVALID' | 'ERR_CXONE_MFA_REPLAYED', string> = {
  ERR_CXONE_MFA_INVALID: 'The verification code is not valid.',
  ERR_CXONE_MFA_REPLAYED: 'This verification code was already used. Wait for the next one.',
};

/**
 * A locked account stops at every step, the MFA ones included: the lock may have come from this
 * very sign-in's wrong codes. The sign-in goes back to the password page, which says so.
 */
function refusedWhileLocked(ctx: CxoneContext, res: Response, s: SystemStep): boolean {
  if (!isLocked(ctx, s.user)) return false;
  s.tx.step = 'password';
  s.tx.passwordVerified = false;
  sendPasswordPage(res, s.tx, s.user, s.authenticator, {
    status: 423,
    code: 'ERR_CXONE_LOGIN_LOCKED',
    message: 'This account is locked after too many failed sign-in attempts. Try again later, or ask your administrator to unlock it.',
  });
  return true;
}

/** A wrong code counts towards the lockout like a wrong password (reference B.1 lockout; [INF] for MFA). */
function failure(ctx: CxoneContext, s: SystemStep, outcome: Exclude<MfaOutcome, { ok: true }>): StepError & { status: number } {
  const code = outcome.code === 'ERR_CXONE_MFA_RESYNC_REQUIRED' ? 'ERR_CXONE_MFA_INVALID' : outcome.code;
  const locked = recordFailure(ctx, s.user, s.settings.password);
  return { status: 401, code, message: MESSAGES[code] + (locked ? ` The account is now locked for ${s.settings.password.lockoutMinutes} minutes.` : '') };
}

/** `POST /login/mfa-enroll` {tx, code}: the first code from the new token proves the enrolment; it then counts as this sign-in's second factor. */
export async function handleMfaEnrolStep(ctx: CxoneContext, req: Request, res: Response): Promise<void> {
  const s = systemStep(ctx, req, 'mfa-enroll');
  if (refusedWhileLocked(ctx, res, s)) return;
  const secret = s.tx.pendingMfaSecret;
  const code = normaliseCode(ctx.config.otp, field(req, 'code'));
  const outcome: MfaOutcome = code && secret ? checkEnrolmentCode(ctx.config.otp, s.settings.mfa.type, secret, code, ctx.clock.now()) : { ok: false, code: 'ERR_CXONE_MFA_INVALID' };
  if (!outcome.ok) {
    const error = failure(ctx, s, outcome);
    await sendMfaEnrolPage(ctx, res, s, error);
    return;
  }
  s.user.mfa = outcome.mfa;
  s.user.updatedAt = new Date(ctx.clock.now()).toISOString();
  s.tx.pendingMfaSecret = undefined;
  ctx.store.commit();
  ctx.log.info({ svc: 'cxone', event: 'login.mfa.enrolled', userId: s.user.id, type: outcome.mfa.type }, 'MFA token enrolled');
  completeSignIn(ctx, req, res, { tx: s.tx, user: s.user, authenticator: s.authenticator, amr: MFA_AMR });
}

/** `POST /login/mfa` {tx, code}: a code of the enrolled token; HOTP resynchronisation asks for the next one (RFC 4226 §7.4). */
export async function handleMfaStep(ctx: CxoneContext, req: Request, res: Response): Promise<void> {
  const s = systemStep(ctx, req, 'mfa');
  if (refusedWhileLocked(ctx, res, s)) return;
  const enrolled = s.user.mfa;
  // An admin reset the token (or changed the authenticator's MFA type) since the previous page.
  if (enrolled?.type !== s.settings.mfa.type) {
    s.tx.step = 'mfa-enroll';
    s.tx.pendingMfaSecret ??= newOtpSecret();
    await sendMfaEnrolPage(ctx, res, s);
    return;
  }
  const resyncFrom = s.tx.hotpResyncCounter;
  s.tx.hotpResyncCounter = undefined;
  const code = normaliseCode(ctx.config.otp, field(req, 'code'));
  const outcome: MfaOutcome = code ? checkMfaCode(ctx.config.otp, enrolled, code, ctx.clock.now(), resyncFrom) : { ok: false, code: 'ERR_CXONE_MFA_INVALID' };
  if (!outcome.ok && outcome.code === 'ERR_CXONE_MFA_RESYNC_REQUIRED') {
    // A right code from a token that ran ahead is not a failure; the next code decides.
    s.tx.hotpResyncCounter = outcome.matched;
    ctx.log.info({ svc: 'cxone', event: 'login.mfa.resync', userId: s.user.id, ahead: outcome.matched - enrolled.counter }, 'HOTP resynchronisation asked');
    sendMfaPage(ctx, res, s, 'resync', { status: 401, code: 'ERR_CXONE_MFA_RESYNC_REQUIRED', message: 'Your token is out of step. Enter the next code it shows.' });
    return;
  }
  if (!outcome.ok) {
    const error = failure(ctx, s, outcome);
    sendMfaPage(ctx, res, s, 'verify', error);
    return;
  }
  s.user.mfa = outcome.mfa;
  ctx.store.commit();
  if (resyncFrom !== undefined) ctx.log.info({ svc: 'cxone', event: 'login.mfa.resynchronised', userId: s.user.id, counter: outcome.mfa.counter }, 'HOTP counter resynchronised');
  completeSignIn(ctx, req, res, { tx: s.tx, user: s.user, authenticator: s.authenticator, amr: MFA_AMR });
}
