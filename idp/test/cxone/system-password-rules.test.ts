import { dictionary } from '@zxcvbn-ts/language-common';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD_POLICY } from '../../src/cxone/admin/authenticator-input.js';
import type { CxoneContext } from '../../src/cxone/context.js';
import type { CxoneUser, PasswordPolicy } from '../../src/cxone/model.js';
import { commonPasswordCount, isCommonPassword } from '../../src/cxone/system/common-passwords.js';
import { hashPassword } from '../../src/cxone/system/password-hash.js';
import { describeRules, passwordRuleFailures, type PersonalData } from '../../src/cxone/system/password-rules.js';
import { newPasswordFailures } from '../../src/cxone/system/set-password.js';

/**
 * Every password rule of a system authenticator (reference B.1 / seed 002 step 7), one test per
 * rule and its stable code: CXone's default complexity, a configured special-character count,
 * "password" anywhere, the user's own data anywhere (case-insensitively), the repository of
 * common passwords, and the history.
 */
const who: PersonalData = { email: 'jordan.blake@corp.example', username: 'jblake', firstName: 'Jordan', lastName: 'Blake', systemName: 'CXone' };
const codes = (password: string, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY) => passwordRuleFailures(password, policy, who).map((f) => f.code);

describe('complexity (CXone defaults: 6 characters, one lower, one upper, one number)', () => {
  it('a compliant password passes every rule', () => {
    expect(codes('Tq7-mvz')).toEqual([]);
    expect(codes('Zx9wvu')).toEqual([]); // exactly 6, specials not required
  });
  it('too short', () => expect(codes('Tq7mv')).toEqual(['ERR_CXONE_PASSWORD_TOO_SHORT']));
  it('too long (maxLength)', () => expect(codes(`Tq7${'v'.repeat(200)}`)).toEqual(['ERR_CXONE_PASSWORD_TOO_LONG']));
  it('no lowercase letter', () => expect(codes('TQ7-MVZ')).toEqual(['ERR_CXONE_PASSWORD_LOWER']));
  it('no uppercase letter', () => expect(codes('tq7-mvz')).toEqual(['ERR_CXONE_PASSWORD_UPPER']));
  it('no number', () => expect(codes('Tqx-mvz')).toEqual(['ERR_CXONE_PASSWORD_DIGIT']));
  it('special characters, only when the policy asks for them', () => {
    const policy = { ...DEFAULT_PASSWORD_POLICY, minSpecial: 2 };
    expect(codes('Tq7-mvz', policy)).toEqual(['ERR_CXONE_PASSWORD_SPECIAL']);
    expect(codes('Tq7-mv!z', policy)).toEqual([]);
  });
  it('counts are counts, not presence', () => {
    const policy = { ...DEFAULT_PASSWORD_POLICY, minUpper: 2, minDigits: 3 };
    expect(codes('Tq7-mvz', policy)).toEqual(['ERR_CXONE_PASSWORD_UPPER', 'ERR_CXONE_PASSWORD_DIGIT']);
    expect(codes('TQ7-m12vz', policy)).toEqual([]);
  });
  it('several broken rules are all reported', () => {
    expect(codes('abc')).toEqual(['ERR_CXONE_PASSWORD_TOO_SHORT', 'ERR_CXONE_PASSWORD_UPPER', 'ERR_CXONE_PASSWORD_DIGIT']);
  });
});

describe('"password" and personal data, case-insensitively', () => {
  it('"password" anywhere (the reference\'s own example, Password@1234)', () => {
    expect(codes('Password@1234')).toEqual(['ERR_CXONE_PASSWORD_CONTAINS_PASSWORD']);
    expect(codes('Xy9PASSWORDz')).toEqual(['ERR_CXONE_PASSWORD_CONTAINS_PASSWORD']);
  });
  for (const [what, password] of [
    ['e-mail address', 'Q7Jordan.Blake@corp.example'],
    ['username', 'Q7xJBlake'],
    ['first name', 'Q7xjordanx'],
    ['last name', 'Q7BLAKEx'],
    ['system name', 'Q7xcxone'],
  ] as const) {
    it(`the ${what}`, () => {
      const failures = passwordRuleFailures(password, DEFAULT_PASSWORD_POLICY, who);
      expect(failures.map((f) => f.code)).toEqual(['ERR_CXONE_PASSWORD_PERSONAL_DATA']);
      expect(failures[0]!.message).toContain(what);
    });
  }
});

describe('the repository of common passwords', () => {
  it('holds at least 10,000 passwords from a maintained list', () => {
    expect(dictionary['passwords-common'].length).toBeGreaterThanOrEqual(10_000);
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
  });
  it('refuses Dragon1 (dragon1 is on the list) although it meets every complexity rule', () => {
    expect(dictionary['passwords-common']).toContain('dragon1');
    expect(isCommonPassword('Dragon1')).toBe(true);
    expect(codes('Dragon1')).toEqual(['ERR_CXONE_PASSWORD_COMMON']);
    expect(codes('Monkey1')).toEqual(['ERR_CXONE_PASSWORD_COMMON']);
  });
  it('does not refuse what is not on the list', () => {
    expect(isCommonPassword('Tq7-mvz')).toBe(false);
  });
});

describe('history', () => {
  const ctx = { tenant: { systemName: 'CXone' } } as unknown as CxoneContext;
  const user = (passwords: string[]): CxoneUser =>
    ({
      ...who,
      password: { hash: hashPassword(passwords[0]!), setAt: 0 },
      passwordHistory: passwords.slice(1).map((p) => ({ hash: hashPassword(p), setAt: 0 })),
    }) as unknown as CxoneUser;
  const u = user(['Third-3x', 'Second-2x', 'First-1x']);

  it('the current password and the remembered ones are refused', () => {
    const policy = { ...DEFAULT_PASSWORD_POLICY, history: 3 };
    for (const p of ['Third-3x', 'Second-2x', 'First-1x']) expect(newPasswordFailures(ctx, u, policy, p).map((f) => f.code)).toEqual(['ERR_CXONE_PASSWORD_REUSED']);
    expect(newPasswordFailures(ctx, u, policy, 'Fourth-4x')).toEqual([]);
  });
  it('only as many as the policy remembers', () => {
    const policy = { ...DEFAULT_PASSWORD_POLICY, history: 2 };
    expect(newPasswordFailures(ctx, u, policy, 'First-1x')).toEqual([]);
    expect(newPasswordFailures(ctx, u, policy, 'Second-2x').map((f) => f.code)).toEqual(['ERR_CXONE_PASSWORD_REUSED']);
  });
});

describe('the rules the form shows', () => {
  it('list the policy in order, special and history only when set', () => {
    expect(describeRules(DEFAULT_PASSWORD_POLICY).map((r) => r.id)).toEqual(['length', 'lower', 'upper', 'digit', 'personal', 'common']);
    expect(describeRules({ ...DEFAULT_PASSWORD_POLICY, minSpecial: 1, history: 5 }).map((r) => r.id)).toEqual(['length', 'lower', 'upper', 'digit', 'special', 'personal', 'common', 'history']);
  });
});
