import { Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { CxoneConfigSchema } from '../../src/config/schema.js';
import { checkEnrolmentCode, checkMfaCode } from '../../src/cxone/system/mfa-check.js';
import { hotpCode, matchHotp, matchTotp, newOtpSecret, normaliseCode, otpauthUri, totpCode, totpStep } from '../../src/cxone/system/otp.js';

/**
 * The one-time-password module of system authenticators, proven with the RFCs' own test vectors
 * through the settings the lab's config produces (cxone.otp), then its windows, replay refusal
 * and HOTP resynchronisation decisions.
 */
const otpConfig = (otp: Record<string, unknown> = {}) => CxoneConfigSchema.parse({ otp }).otp;
const base32 = (ascii: string) => Secret.fromLatin1(ascii).base32;

describe('RFC 4226 Appendix D (HOTP, SHA-1, 6 digits)', () => {
  const secret = base32('12345678901234567890');
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  it('the default config gives the ten published values for counters 0–9', () => {
    const s = otpConfig();
    expect(s).toMatchObject({ digits: 6, algorithm: 'SHA1', periodSeconds: 30, window: 1, hotpResyncLookAhead: 50 });
    expect(expected.map((_, c) => hotpCode(s, secret, c))).toEqual(expected);
  });
});

describe('RFC 6238 Appendix B (TOTP, 8 digits, 30 s)', () => {
  // The seeds of the reference implementation: 20, 32 and 64 ASCII bytes for SHA-1, SHA-256, SHA-512.
  const seeds = {
    SHA1: base32('12345678901234567890'),
    SHA256: base32('12345678901234567890123456789012'),
    SHA512: base32('1234567890123456789012345678901234567890123456789012345678901234'),
  } as const;
  const table: Array<[number, string, string, string]> = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  for (const [i, algorithm] of (['SHA1', 'SHA256', 'SHA512'] as const).entries()) {
    it(`${algorithm}: every listed time`, () => {
      const s = otpConfig({ digits: 8, algorithm });
      for (const row of table) {
        const [seconds] = row;
        expect(totpCode(s, seeds[algorithm], seconds * 1000)).toBe(row[i + 1]);
        // and the verifier finds the same step for the same value
        expect(matchTotp(s, seeds[algorithm], row[i + 1] as string, seconds * 1000)).toBe(Math.floor(seconds / 30));
      }
    });
  }
  it('the step follows the configured period', () => {
    expect(totpStep(otpConfig({ periodSeconds: 60 }), 1111111109_000)).toBe(Math.floor(1111111109 / 60));
  });
});

describe('windows, replay and resynchronisation', () => {
  const s = otpConfig();
  const secret = newOtpSecret();
  const t0 = 1_700_000_000_000;

  it('a new secret is 160 bits of base32', () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newOtpSecret()).not.toBe(secret);
  });

  it('codes are typed with or without spaces, and only the configured number of digits', () => {
    expect(normaliseCode(s, '123 456')).toBe('123456');
    expect(normaliseCode(s, '12345')).toBeUndefined();
    expect(normaliseCode(s, 'abcdef')).toBeUndefined();
    expect(normaliseCode(otpConfig({ digits: 8 }), '12345678')).toBe('12345678');
  });

  it('TOTP: the current step and one step either side, not two', () => {
    const step = totpStep(s, t0);
    const at = (k: number) => totpCode(s, secret, t0 + k * 30_000);
    expect(matchTotp(s, secret, at(0), t0)).toBe(step);
    expect(matchTotp(s, secret, at(-1), t0)).toBe(step - 1);
    expect(matchTotp(s, secret, at(1), t0)).toBe(step + 1);
    expect(matchTotp(s, secret, at(2), t0)).toBeUndefined();
    expect(matchTotp(s, secret, at(-2), t0)).toBeUndefined();
    // window 0: only the current step
    expect(matchTotp(otpConfig({ window: 0 }), secret, at(-1), t0)).toBeUndefined();
  });

  it('TOTP: a used step, or an earlier one, is refused (RFC 6238 §5.2)', () => {
    const mfa = { type: 'TOTP' as const, secret, counter: 0, lastTotpStep: undefined };
    const code = totpCode(s, secret, t0);
    const first = checkMfaCode(s, mfa, code, t0, undefined);
    expect(first).toEqual({ ok: true, mfa: { ...mfa, lastTotpStep: totpStep(s, t0) } });
    if (!first.ok) throw new Error('unreachable');
    expect(checkMfaCode(s, first.mfa, code, t0, undefined)).toEqual({ ok: false, code: 'ERR_CXONE_MFA_REPLAYED' });
    expect(checkMfaCode(s, first.mfa, totpCode(s, secret, t0 - 30_000), t0, undefined)).toEqual({ ok: false, code: 'ERR_CXONE_MFA_REPLAYED' });
    expect(checkMfaCode(s, first.mfa, totpCode(s, secret, t0 + 30_000), t0 + 30_000, undefined).ok).toBe(true);
    const near = new Set([-1, 0, 1, 2].map((k) => totpCode(s, secret, t0 + k * 30_000)));
    const wrong = ['000000', '111111', '222222', '333333', '444444'].find((c) => !near.has(c))!;
    expect(checkMfaCode(s, first.mfa, wrong, t0 + 30_000, undefined)).toEqual({ ok: false, code: 'ERR_CXONE_MFA_INVALID' });
  });

  it('HOTP: counter … counter+window, only forward; the counter moves past the match', () => {
    const mfa = { type: 'HOTP' as const, secret, counter: 10, lastTotpStep: undefined };
    expect(checkMfaCode(s, mfa, hotpCode(s, secret, 10), t0, undefined)).toEqual({ ok: true, mfa: { ...mfa, counter: 11 } });
    expect(checkMfaCode(s, mfa, hotpCode(s, secret, 11), t0, undefined)).toEqual({ ok: true, mfa: { ...mfa, counter: 12 } });
    expect(checkMfaCode(s, mfa, hotpCode(s, secret, 9), t0, undefined)).toEqual({ ok: false, code: 'ERR_CXONE_MFA_INVALID' });
    expect(matchHotp(s, secret, hotpCode(s, secret, 14), 10, 13)).toBeUndefined();
  });

  it('HOTP: beyond the window within the look-ahead asks for the next code (RFC 4226 §7.4)', () => {
    const mfa = { type: 'HOTP' as const, secret, counter: 10, lastTotpStep: undefined };
    expect(checkMfaCode(s, mfa, hotpCode(s, secret, 30), t0, undefined)).toEqual({ ok: false, code: 'ERR_CXONE_MFA_RESYNC_REQUIRED', matched: 30 });
    expect(checkMfaCode(s, mfa, hotpCode(s, secret, 31), t0, 30)).toEqual({ ok: true, mfa: { ...mfa, counter: 32 } });
    // not the next one: refused
    expect(checkMfaCode(s, mfa, hotpCode(s, secret, 32), t0, 30)).toEqual({ ok: false, code: 'ERR_CXONE_MFA_INVALID' });
    expect(checkMfaCode(s, mfa, hotpCode(s, secret, 30), t0, 30)).toEqual({ ok: false, code: 'ERR_CXONE_MFA_INVALID' });
    // beyond the look-ahead (counter + 50): plainly invalid
    expect(checkMfaCode(s, mfa, hotpCode(s, secret, 61), t0, undefined)).toEqual({ ok: false, code: 'ERR_CXONE_MFA_INVALID' });
    expect(checkMfaCode(otpConfig({ hotpResyncLookAhead: 100 }), mfa, hotpCode(s, secret, 61), t0, undefined)).toMatchObject({ code: 'ERR_CXONE_MFA_RESYNC_REQUIRED', matched: 61 });
  });

  it('enrolment: the first code of the new token, never a resynchronisation', () => {
    expect(checkEnrolmentCode(s, 'HOTP', secret, hotpCode(s, secret, 0), t0)).toEqual({ ok: true, mfa: { type: 'HOTP', secret, counter: 1, lastTotpStep: undefined } });
    expect(checkEnrolmentCode(s, 'HOTP', secret, hotpCode(s, secret, 20), t0)).toEqual({ ok: false, code: 'ERR_CXONE_MFA_INVALID' });
    expect(checkEnrolmentCode(s, 'TOTP', secret, totpCode(s, secret, t0), t0)).toEqual({ ok: true, mfa: { type: 'TOTP', secret, counter: 0, lastTotpStep: totpStep(s, t0) } });
  });

  it('the otpauth:// key URI carries the configured parameters', () => {
    const totp = new URL(otpauthUri(otpConfig({ digits: 8, algorithm: 'SHA256', periodSeconds: 60 }), { type: 'TOTP', secret, issuer: 'CXone', account: 'sam@lab.example' }));
    expect(totp.protocol).toBe('otpauth:');
    expect(totp.host).toBe('totp');
    expect(decodeURIComponent(totp.pathname)).toBe('/CXone:sam@lab.example');
    expect(Object.fromEntries(totp.searchParams)).toEqual({ issuer: 'CXone', secret, algorithm: 'SHA256', digits: '8', period: '60' });
    const hotp = new URL(otpauthUri(s, { type: 'HOTP', secret, issuer: 'CXone', account: 'sam@lab.example', counter: 0 }));
    expect(hotp.host).toBe('hotp');
    expect(Object.fromEntries(hotp.searchParams)).toEqual({ issuer: 'CXone', secret, algorithm: 'SHA1', digits: '6', counter: '0' });
  });
});
