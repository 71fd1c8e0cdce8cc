import { randomUUID } from 'node:crypto';

/** AD FS message IDs: `_` + a lowercase GUID (reference §0, "Response IDs"). */
export function adfsId(): string {
  return `_${randomUUID()}`;
}

/** AD FS timestamps: ISO-8601 UTC with exactly three fractional digits (reference §0). */
export function adfsInstant(ms: number): string {
  return new Date(ms).toISOString();
}
