/**
 * The lab's one controllable clock, shared by every service so that expiry, refresh-at-75% and
 * lockout tests move time instead of sleeping. Real time flows underneath; the control API can
 * shift it (offset) or stop it (freeze).
 */
export interface ClockState {
  /** Milliseconds added to real time. */
  offsetMs: number;
  /** When set, time stands still at this epoch-millisecond value. */
  frozenAt: number | null;
}

export class Clock {
  private offsetMs = 0;
  private frozenAt: number | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly realNow: () => number = Date.now) {}

  now(): number {
    return this.frozenAt ?? this.realNow() + this.offsetMs;
  }

  date(): Date {
    return new Date(this.now());
  }

  /** Moves time forward (or back, with a negative value), frozen or not. */
  advance(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
    this.moved();
  }

  /** Stops time at `at` (epoch ms), or at the current lab time. */
  freeze(at: number = this.now()): void {
    this.frozenAt = at;
    this.moved();
  }

  /** Lets time flow again from where it stands. */
  unfreeze(): void {
    if (this.frozenAt === null) return;
    this.offsetMs = this.frozenAt - this.realNow();
    this.frozenAt = null;
    this.moved();
  }

  reset(): void {
    this.offsetMs = 0;
    this.frozenAt = null;
    this.moved();
  }

  /**
   * Calls `listener` whenever time is moved by hand (advance, freeze, unfreeze, reset), so that
   * what is due at a lab time (Finesse's presence-loss logout) happens then rather than at the
   * next poll. Returns the unsubscribe function.
   */
  onMove(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private moved(): void {
    for (const l of this.listeners) l();
  }

  state(): ClockState & { now: string } {
    return { offsetMs: this.offsetMs, frozenAt: this.frozenAt, now: new Date(this.now()).toISOString() };
  }
}
