/**
 * Remembers message IDs for a delivery window and reports the ones seen again (reference §1.8
 * item 6 and §4.1 item 7; saml-core §1.3.4: IDs are unique, so a repeat within the window is a
 * replay). AD FS's `SamlMessageDeliveryWindow` is 5 minutes.
 *
 * Bounded: beyond `maxEntries` the oldest IDs are forgotten first, so a flood of fresh IDs costs
 * memory proportional to the cap, never more (an evicted ID could then be replayed; the cap is far
 * above what the window sees in a lab).
 */
export class ReplayCache {
  /** id → time first seen. A Map iterates in insertion order, i.e. oldest first. */
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly clock: { now(): number },
    private readonly windowMs: number,
    private readonly maxEntries = 100_000,
  ) {
    if (!(windowMs > 0)) throw new RangeError('ReplayCache: windowMs must be positive');
    if (!(maxEntries >= 1)) throw new RangeError('ReplayCache: maxEntries must be at least 1');
  }

  /** Records `id`; true when it was already seen within the window (a replay). */
  seen(id: string): boolean {
    const now = this.clock.now();
    this.expire(now);
    const first = this.entries.get(id);
    // A clock moved backwards (the lab's clock can be) makes `now - first` negative: still a replay.
    if (first !== undefined && now - first < this.windowMs) return true;
    this.entries.delete(id);
    this.entries.set(id, now);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return false;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  /** Drops expired IDs from the old end; stops at the first one still inside the window. */
  private expire(now: number): void {
    for (const [id, at] of this.entries) {
      if (now - at < this.windowMs) break;
      this.entries.delete(id);
    }
  }
}
