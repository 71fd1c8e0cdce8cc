import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * Password storage: scrypt (RFC 7914) with a per-password salt. N = 2^14 is the usual interactive
 * cost; the lab keeps it so that the state file holds nothing a stolen copy would give away cheaply.
 */
const N = 16_384;
const KEY_LENGTH = 32;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFC'), salt, KEY_LENGTH, { N });
  return `scrypt$${N}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, n, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = scryptSync(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, { N: Number(n) });
  return timingSafeEqual(actual, expected);
}
