import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import { CALL_STATES } from '../api/model.js';
import type { FinesseRuntime } from '../api/runtime.js';

/** The reason code of Finesse's forced logout (Dev Guide "Desktop Presence and Forced Logout"). */
export const FORCED_LOGOUT_REASON = 255;

/**
 * Finesse's presence-based logout (Dev Guide "Desktop Presence and Forced Logout"): when the last
 * desktop of an agent goes Unavailable (an unavailable presence, a closed stream, a dropped
 * WebSocket, a BOSH session that timed out), Finesse waits 60 seconds "to allow the browser to
 * reconnect after the refresh", then sends a forced logout with reason code 255. A desktop that
 * comes back in time cancels it. Time is the lab clock, so a test moves it instead of waiting;
 * the check runs whenever the clock is moved and once a second.
 */
export class PresenceWatch {
  private readonly lostAt = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly unhook: () => void;

  constructor(
    private readonly rt: FinesseRuntime,
    private readonly clock: Clock,
    private readonly delaySeconds: number,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => this.sweep(), 1000);
    this.timer.unref();
    this.unhook = clock.onMove(() => this.sweep());
  }

  /** The agent has no available desktop left. */
  lost(loginId: string): void {
    if (!this.lostAt.has(loginId)) this.lostAt.set(loginId, this.clock.now());
    this.sweep();
  }

  /** A desktop of the agent is available again. */
  back(loginId: string): void {
    this.lostAt.delete(loginId);
  }

  /** Agents waiting for their forced logout, with when their presence was lost (console, tests). */
  pending(): Array<{ loginId: string; lostAt: number }> {
    return [...this.lostAt].map(([loginId, lostAt]) => ({ loginId, lostAt }));
  }

  sweep(): void {
    const now = this.clock.now();
    for (const [loginId, at] of this.lostAt) {
      if (now - at < this.delaySeconds * 1000) continue;
      const a = this.rt.agent(loginId);
      // On a call the CTI server refuses a logout; the forced logout waits until the call is over.
      if (CALL_STATES.has(a.state)) continue;
      this.lostAt.delete(loginId);
      if (a.state === 'LOGOUT') continue;
      a.pendingState = '';
      a.pendingReasonCodeId = -1;
      a.extension = '';
      this.rt.setState(a, 'LOGOUT', FORCED_LOGOUT_REASON);
      this.log.info({ svc: 'finesse', event: 'finesse.presence.logout', loginId }, 'forced logout after presence loss');
      this.rt.publishUser(loginId);
    }
  }

  clear(): void {
    this.lostAt.clear();
  }

  stop(): void {
    clearInterval(this.timer);
    this.unhook();
  }
}
