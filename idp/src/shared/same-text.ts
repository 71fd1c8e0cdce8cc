import { timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented secret (password, client secret, access key, one-time code) with the
 * expected one in time that does not depend on where they first differ, so response timing
 * reveals nothing but the length.
 */
export function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
