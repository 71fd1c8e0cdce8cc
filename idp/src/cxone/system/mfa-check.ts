import type { CxoneUser, MfaType } from '../model.js';
import { matchHotp, matchTotp, type OtpSettings } from './otp.js';

type Enrolled = NonNullable<CxoneUser['mfa']>;

/** The outcome of one code: the user's new MFA state, or why it was refused. */
export type MfaOutcome =
  | { ok: true; mfa: Enrolled }
  | { ok: false; code: 'ERR_CXONE_MFA_INVALID' | 'ERR_CXONE_MFA_REPLAYED' }
  /** RFC 4226 §7.4: the code matched beyond the window; the next one (`matched + 1`) must follow. */
  | { ok: false; code: 'ERR_CXONE_MFA_RESYNC_REQUIRED'; matched: number };

/**
 * Verifies a code against an enrolled user's token.
 *
 * TOTP (RFC 6238): the current step ± `window` steps at `now` (the lab clock). §5.2: "the verifier
 * MUST NOT accept the second attempt of the same OTP after the successful validation has been
 * issued for the first OTP" — a step at or before the last one used is refused, so neither a
 * replayed code nor an older code from the window gets in after a newer one.
 *
 * HOTP (RFC 4226): counter … counter + `window` (§7.2, the look-ahead parameter s); on success the
 * counter moves past the matched value. A code beyond the window but within
 * `hotpResyncLookAhead` asks for the next code (§7.4: "ask the user to send a sequence of
 * HOTP values"); `resyncFrom` is that first match, and only `resyncFrom + 1`'s code completes it.
 */
export function checkMfaCode(s: OtpSettings, mfa: Enrolled, code: string, now: number, resyncFrom: number | undefined): MfaOutcome {
  if (mfa.type === 'TOTP') {
    const step = matchTotp(s, mfa.secret, code, now);
    if (step === undefined) return { ok: false, code: 'ERR_CXONE_MFA_INVALID' };
    if (mfa.lastTotpStep !== undefined && step <= mfa.lastTotpStep) return { ok: false, code: 'ERR_CXONE_MFA_REPLAYED' };
    return { ok: true, mfa: { ...mfa, lastTotpStep: step } };
  }
  if (resyncFrom !== undefined) {
    const next = matchHotp(s, mfa.secret, code, resyncFrom + 1, resyncFrom + 1);
    return next === undefined ? { ok: false, code: 'ERR_CXONE_MFA_INVALID' } : { ok: true, mfa: { ...mfa, counter: next + 1 } };
  }
  const inWindow = matchHotp(s, mfa.secret, code, mfa.counter, mfa.counter + s.window);
  if (inWindow !== undefined) return { ok: true, mfa: { ...mfa, counter: inWindow + 1 } };
  const ahead = matchHotp(s, mfa.secret, code, mfa.counter + s.window + 1, mfa.counter + s.hotpResyncLookAhead);
  if (ahead !== undefined) return { ok: false, code: 'ERR_CXONE_MFA_RESYNC_REQUIRED', matched: ahead };
  return { ok: false, code: 'ERR_CXONE_MFA_INVALID' };
}

/**
 * Confirms an enrolment: the first code proves the app holds the secret. The new token starts at
 * counter 0 (HOTP; the URI says `counter=0`) or at the current step (TOTP), with the same window.
 */
export function checkEnrolmentCode(s: OtpSettings, type: MfaType, secret: string, code: string, now: number): MfaOutcome {
  const fresh: Enrolled = { type, secret, counter: 0, lastTotpStep: undefined };
  const outcome = checkMfaCode(s, fresh, code, now, undefined);
  // A resync needs an enrolled counter to be out of step; a brand-new token is not.
  return outcome.ok || outcome.code !== 'ERR_CXONE_MFA_RESYNC_REQUIRED' ? outcome : { ok: false, code: 'ERR_CXONE_MFA_INVALID' };
}
