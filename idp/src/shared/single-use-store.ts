import type { Clock } from './clock.js';

/** What `take` finds under a key. */
export type Taken<T> = { found: 'ok'; value: T } | { found: 'expired'; value: T } | { found: 'used'; value: T } | { found: 'none' };

/**
 * Short-lived, single-use values keyed by an unguessable handle: pending authorizations, SAML
 * relay handles, authorization codes. Time is the lab clock, so tests expire them by moving it.
 * A taken entry is remembered as used until it would have expired, so a second presentation is
 * told apart from an unknown one (RFC 6749 §4.1.2: a code used twice is an attack signal).
 * Bounded: past `maxEntries` the oldest entries go first.
 */
export class SingleUseStore<T> {
  private readonly items = new Map<string, { value: T; expiresAt: number; used: boolean }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 50_000,
  ) {}

  put(key: string, value: T, ttlMs: number): void {
    this.sweep();
    this.items.set(key, { value, expiresAt: this.clock.now() + ttlMs, used: false });
  }

  /** Marks the entry used and reports what it was. */
  take(key: string): Taken<T> {
    const e = this.items.get(key);
    if (!e) return { found: 'none' };
    if (e.used) return { found: 'used', value: e.value };
    e.used = true;
    if (this.clock.now() >= e.expiresAt) return { found: 'expired', value: e.value };
    return { found: 'ok', value: e.value };
  }

  /** Reads without using it up (undefined when missing, used or expired). */
  peek(key: string): T | undefined {
    const e = this.items.get(key);
    if (!e || e.used || this.clock.now() >= e.expiresAt) return undefined;
    return e.value;
  }

  clear(): void {
    this.items.clear();
  }

  get size(): number {
    return this.items.size;
  }

  private sweep(): void {
    const now = this.clock.now();
    if (this.items.size >= this.maxEntries) {
      for (const [k, e] of this.items) {
        if (e.expiresAt <= now || this.items.size >= this.maxEntries) this.items.delete(k);
        else break;
      }
    }
  }
}
