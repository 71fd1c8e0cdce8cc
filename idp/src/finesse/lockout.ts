import type { Clock } from '../shared/clock.js';

/**
 * Finesse's sign-in lockout (reference A.2.1, "User—Sign In"): after `attempts` consecutive
 * failed Basic sign-ins the user is locked for `minutes`, even with the right password. A success
 * resets the count. Lab clock, so tests expire the lock by moving it.
 */
export class LockoutTracker {
  private readonly state = new Map<string, { failures: number; lockedUntil: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly attempts: number,
    private readonly minutes: number,
  ) {}

  isLocked(user: string): boolean {
    const s = this.state.get(user.toLowerCase());
    if (!s || s.lockedUntil === 0) return false;
    if (this.clock.now() < s.lockedUntil) return true;
    this.state.delete(user.toLowerCase()); // the lock ran out: a fresh count
    return false;
  }

  /** Records a failure; true when it locked the user. */
  fail(user: string): boolean {
    const key = user.toLowerCase();
    const s = this.state.get(key) ?? { failures: 0, lockedUntil: 0 };
    s.failures++;
    if (s.failures >= this.attempts) s.lockedUntil = this.clock.now() + this.minutes * 60_000;
    this.state.set(key, s);
    return s.lockedUntil !== 0;
  }

  succeed(user: string): void {
    this.state.delete(user.toLowerCase());
  }

  /** Admin unlock (control API). */
  unlock(user: string): void {
    this.state.delete(user.toLowerCase());
  }

  clear(): void {
    this.state.clear();
  }
}
