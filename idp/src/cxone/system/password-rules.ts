import type { IdpErrorCode } from '../../shared/errors.js';
import type { PasswordPolicy } from '../model.js';
import { isCommonPassword } from './common-passwords.js';

/** The personal data a password may not contain (seed 002: e-mail, username, first and last name, system name). */
export interface PersonalData {
  email: string;
  username: string;
  firstName: string;
  lastName: string;
  systemName: string;
}

/** One broken rule: the stable code and the sentence the password form shows. */
export interface RuleFailure {
  code: IdpErrorCode;
  message: string;
}

/** One line of the rules the password form shows as the user types (reference B.1: green check / red X). */
export interface RuleLine {
  id: string;
  text: string;
}

const SPECIAL = /[^\p{Ll}\p{Lu}\p{Nd}]/gu;
const countOf = (s: string, re: RegExp) => (s.match(re) ?? []).length;

/** The rules of `policy` as the form lists them, in order. */
export function describeRules(policy: PasswordPolicy): RuleLine[] {
  const lines: RuleLine[] = [{ id: 'length', text: `At least ${policy.minLength} characters` }];
  if (policy.minLower > 0) lines.push({ id: 'lower', text: `At least ${policy.minLower} lowercase letter${policy.minLower > 1 ? 's' : ''}` });
  if (policy.minUpper > 0) lines.push({ id: 'upper', text: `At least ${policy.minUpper} uppercase letter${policy.minUpper > 1 ? 's' : ''}` });
  if (policy.minDigits > 0) lines.push({ id: 'digit', text: `At least ${policy.minDigits} number${policy.minDigits > 1 ? 's' : ''}` });
  if (policy.minSpecial > 0) lines.push({ id: 'special', text: `At least ${policy.minSpecial} special character${policy.minSpecial > 1 ? 's' : ''}` });
  lines.push({ id: 'personal', text: 'Does not contain "password", your e-mail address, username, first or last name, or the system name' });
  lines.push({ id: 'common', text: 'Is not a commonly used password' });
  if (policy.history > 0) lines.push({ id: 'history', text: `Is not one of your last ${policy.history} passwords` });
  return lines;
}

/**
 * Every complexity and repository rule `password` breaks (empty: acceptable). Reference B.1 / seed
 * 002 step 7: the counts of the policy; the common-password repository; "password" anywhere; the
 * user's e-mail, username, first name, last name or the system name anywhere, case-insensitively.
 * History is checked by the caller, which holds the hashes.
 */
export function passwordRuleFailures(password: string, policy: PasswordPolicy, who: PersonalData): RuleFailure[] {
  const failures: RuleFailure[] = [];
  const length = [...password].length;
  if (length < policy.minLength) failures.push({ code: 'ERR_CXONE_PASSWORD_TOO_SHORT', message: `The password must be at least ${policy.minLength} characters long.` });
  if (length > policy.maxLength) failures.push({ code: 'ERR_CXONE_PASSWORD_TOO_LONG', message: `The password must be at most ${policy.maxLength} characters long.` });
  if (countOf(password, /\p{Ll}/gu) < policy.minLower) failures.push({ code: 'ERR_CXONE_PASSWORD_LOWER', message: `The password needs at least ${policy.minLower} lowercase letter(s).` });
  if (countOf(password, /\p{Lu}/gu) < policy.minUpper) failures.push({ code: 'ERR_CXONE_PASSWORD_UPPER', message: `The password needs at least ${policy.minUpper} uppercase letter(s).` });
  if (countOf(password, /\p{Nd}/gu) < policy.minDigits) failures.push({ code: 'ERR_CXONE_PASSWORD_DIGIT', message: `The password needs at least ${policy.minDigits} number(s).` });
  if (countOf(password, SPECIAL) < policy.minSpecial) failures.push({ code: 'ERR_CXONE_PASSWORD_SPECIAL', message: `The password needs at least ${policy.minSpecial} special character(s).` });
  const lower = password.toLowerCase();
  if (lower.includes('password')) failures.push({ code: 'ERR_CXONE_PASSWORD_CONTAINS_PASSWORD', message: 'The password may not contain the word "password".' });
  const personal = (
    [
      ['e-mail address', who.email],
      ['username', who.username],
      ['first name', who.firstName],
      ['last name', who.lastName],
      ['system name', who.systemName],
    ] as const
  ).filter(([, v]) => v.trim() !== '' && lower.includes(v.trim().toLowerCase()));
  if (personal.length > 0) {
    failures.push({ code: 'ERR_CXONE_PASSWORD_PERSONAL_DATA', message: `The password may not contain your ${personal.map(([n]) => n).join(', ')}.` });
  }
  if (isCommonPassword(password)) failures.push({ code: 'ERR_CXONE_PASSWORD_COMMON', message: 'This password is in the repository of commonly used passwords; choose another.' });
  return failures;
}
