import { CALL_STATES, type AgentRecord, type Participant } from './model.js';
import type { FinesseRuntime } from './runtime.js';

/**
 * Brings each agent's state in line with their call legs, after any dialog change, and publishes
 * the User of those whose state moved. A ringing leg makes the agent RESERVED, a connected one
 * TALKING, a held one HOLD; a call being placed (INITIATED) leaves the state as it was. When the
 * last leg ends the agent takes their `pendingState` if one was requested during the call
 * (reference A.2.4), else READY after a call they received and NOT_READY after one they placed.
 */
export function settleAgents(rt: FinesseRuntime, loginIds: Iterable<string>, requestId?: string): void {
  for (const loginId of new Set(loginIds)) {
    const a = rt.agent(loginId);
    if (a.state === 'LOGOUT') continue;
    const legs = liveLegs(rt, loginId);
    const has = (s: Participant['state']) => legs.some((p) => p.state === s);
    let changed: boolean;
    if (has('ACTIVE')) changed = rt.setState(a, 'TALKING');
    else if (has('ALERTING')) changed = rt.setState(a, 'RESERVED');
    else if (has('HELD')) changed = rt.setState(a, 'HOLD');
    else if (legs.length > 0 || !CALL_STATES.has(a.state)) changed = false;
    else changed = afterCall(rt, a);
    if (changed) rt.publishUser(loginId, requestId);
  }
}

/** The agent's not-yet-dropped participants across every dialog. */
export function liveLegs(rt: FinesseRuntime, loginId: string): Participant[] {
  return rt.dialogs().flatMap((d) => d.participants.filter((p) => p.loginId === loginId && p.state !== 'DROPPED'));
}

/** Leaves the call states; always a change (at least `pendingState` is cleared). */
function afterCall(rt: FinesseRuntime, a: AgentRecord): true {
  const next = a.pendingState || (a.lastCall === 'out' ? 'NOT_READY' : 'READY');
  const reason = a.pendingState === 'NOT_READY' ? a.pendingReasonCodeId : -1;
  a.pendingState = '';
  a.pendingReasonCodeId = -1;
  rt.setState(a, next, reason);
  return true;
}
