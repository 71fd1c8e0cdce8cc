import type { LabControl } from '../control/lab-control.js';

/**
 * The lab clock, frozen and moved through the control API, as a client-side `now()`: what a
 * reference client measures (the Finesse SSO client's 75% rule) follows moved time exactly, with
 * no sleep and no drift between the scenario's machine and the lab's.
 */
export class FrozenLabClock {
  private constructor(
    private readonly control: LabControl,
    private at: number,
  ) {}

  /** Freezes the lab clock where it stands. */
  static async freeze(control: LabControl): Promise<FrozenLabClock> {
    const state = await control.clock.freeze();
    if (state.frozenAt === null) throw new Error('the lab did not freeze its clock');
    return new FrozenLabClock(control, state.frozenAt);
  }

  now(): number {
    return this.at;
  }

  async advance(ms: number): Promise<void> {
    const state = await this.control.clock.advance(ms);
    if (state.frozenAt === null) throw new Error('the lab clock is no longer frozen');
    this.at = state.frozenAt;
  }

  /** Moves to `ms` after `from` (a lab instant), wherever the clock stands now. */
  async moveTo(from: number, ms: number): Promise<void> {
    await this.advance(from + ms - this.at);
  }
}
