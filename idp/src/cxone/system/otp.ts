import { sameText } from '../../shared/same-text.js';
import { HOTP, Secret, TOTP, URI } from 'otpauth';
import type { CxoneConfig } from '../../config/schema.js';
import type { MfaType } from '../model.js';

/**
 * One-time passwords of system authenticators (reference B.1: "MFA Type is HOTP (HMAC-Based) or
 * TOTP (Time-Based)"; the parameters are NOT FOUND, so the lab's [INF] defaults — 6 digits,
 * SHA-1, 30 s, window 1 — come from `cxone.otp` in the config). The HMAC and dynamic truncation
 * are the `otpauth` library's (RFC 4226 §5.3); this module only decides which counters to try.
 */
export type OtpSettings = CxoneConfig['otp'];

/** RFC 4226 §4 R6: the shared secret SHOULD be 160 bits. */
const SECRET_BYTES = 20;

/** A new random shared secret, base32 (RFC 4648 §6) as authenticator apps expect it. */
export function newOtpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

const secretOf = (base32: string) => Secret.fromBase32(base32);

/** The HOTP value for `counter` (RFC 4226 §5.3). */
export function hotpCode(s: OtpSettings, secret: string, counter: number): string {
  return HOTP.generate({ secret: secretOf(secret), algorithm: s.algorithm, digits: s.digits, counter });
}

/** The TOTP time step of `timestamp` (RFC 6238 §4.2: T = floor((now − T0) / X), T0 = 0). */
export function totpStep(s: OtpSettings, timestamp: number): number {
  return TOTP.counter({ period: s.periodSeconds, timestamp });
}

/** The TOTP value at `timestamp` (epoch ms): HOTP of the time step (RFC 6238 §4.2). */
export function totpCode(s: OtpSettings, secret: string, timestamp: number): string {
  return TOTP.generate({ secret: secretOf(secret), algorithm: s.algorithm, digits: s.digits, period: s.periodSeconds, timestamp });
}

/** What a user typed, as the digits to compare (spaces allowed, as apps show "123 456"); undefined when it cannot be a code. */
export function normaliseCode(s: OtpSettings, typed: string): string | undefined {
  const code = typed.replace(/\s+/g, '');
  return new RegExp(`^\\d{${s.digits}}$`).test(code) ? code : undefined;
}

/**
 * The TOTP time step whose code is `code`, trying the current step first and then up to
 * `window` steps either side (RFC 6238 §5.2: "at most one time step" of delay is recommended),
 * all on `timestamp` — the lab clock, never the host's.
 */
export function matchTotp(s: OtpSettings, secret: string, code: string, timestamp: number): number | undefined {
  const delta = TOTP.validate({ token: code, secret: secretOf(secret), algorithm: s.algorithm, digits: s.digits, period: s.periodSeconds, timestamp, window: s.window });
  return delta === null ? undefined : totpStep(s, timestamp) + delta;
}

/**
 * The first counter in `from … to` (inclusive) whose HOTP value is `code`. HOTP only moves
 * forward (RFC 4226 §7.2: the server's counter is incremented after a successful check), so the
 * look-ahead is one-sided, unlike otpauth's symmetric `validate` window.
 */
export function matchHotp(s: OtpSettings, secret: string, code: string, from: number, to: number): number | undefined {
  for (let c = Math.max(0, from); c <= to; c++) if (sameText(code, hotpCode(s, secret, c))) return c;
  return undefined;
}

/**
 * The `otpauth://` key URI an authenticator app scans (Google Authenticator "Key Uri Format"):
 * `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=…&digits=…&period=…`, with
 * `counter=` instead of `period=` for HOTP.
 */
export function otpauthUri(s: OtpSettings, p: { type: MfaType; secret: string; issuer: string; account: string; counter?: number }): string {
  const common = { issuer: p.issuer, label: p.account, secret: secretOf(p.secret), algorithm: s.algorithm, digits: s.digits };
  return p.type === 'HOTP' ? URI.stringify(new HOTP({ ...common, counter: p.counter ?? 0 })) : URI.stringify(new TOTP({ ...common, period: s.periodSeconds }));
}
