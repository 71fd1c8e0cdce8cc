import { findByExtension } from '../finesse-users.js';
import type { CallVariable, Dialog, Participant, ParticipantState } from './model.js';
import type { FinesseRuntime } from './runtime.js';
import { liveLegs, settleAgents } from './settle-agents.js';

/**
 * The lab's telephony: who a number reaches, placing and ending calls. There is no switch behind
 * it, so a number that is not a READY agent's phone answers at once (reference A.2.5 leaves the
 * far end to the PBX; a desktop under test only needs a call that connects).
 */

export function participant(rt: FinesseRuntime, mediaAddress: string, loginId: string | undefined, direction: 'in' | 'out', state: ParticipantState): Participant {
  const now = rt.clock.now();
  return { mediaAddress, loginId, direction, state, stateCause: '', startTime: now, stateChangeTime: now };
}

export function setParticipantState(rt: FinesseRuntime, p: Participant, state: ParticipantState, cause = ''): void {
  p.state = state;
  p.stateCause = cause;
  p.stateChangeTime = rt.clock.now();
}

/** Loginids of a dialog's agent participants. */
export function agentsOf(d: Dialog): string[] {
  return [...new Set(d.participants.flatMap((p) => (p.loginId ? [p.loginId] : [])))];
}

/**
 * The called side of a call to `address`: a lab agent signed in on it, READY and on no other
 * call, rings (ALERTING, agent RESERVED); any other number answers at once (ACTIVE), an agent's
 * phone included when its agent is not READY (the lab does not model non-ACD calls to it).
 */
export function farEnd(rt: FinesseRuntime, address: string): { party: Participant; rings: boolean; agentPhone: boolean } {
  const owner = findByExtension(rt.users, address);
  if (owner) {
    const a = rt.agent(owner.finesse.loginId);
    if (a.state === 'READY' && a.extension === address && liveLegs(rt, a.loginId).length === 0) {
      return { party: participant(rt, address, a.loginId, 'in', 'ALERTING'), rings: true, agentPhone: true };
    }
  }
  return { party: participant(rt, address, undefined, 'in', 'ACTIVE'), rings: false, agentPhone: owner !== undefined };
}

export interface PlaceCall {
  callerLoginId: string;
  from: string;
  to: string;
  /** Default: AGENT_INSIDE to an agent's phone, OUT to anything else. */
  callType?: string;
  callVariables: CallVariable[];
  associatedDialogId?: string;
  requestId?: string;
}

/**
 * An agent's call (MAKE_CALL, CONSULT_CALL): the caller's leg is INITIATED while the far end
 * rings and ACTIVE once it answers. Publishes the new dialog (POST) and the agents' states.
 */
export function placeCall(rt: FinesseRuntime, o: PlaceCall): Dialog {
  const far = farEnd(rt, o.to);
  const caller = participant(rt, o.from, o.callerLoginId, 'out', far.rings ? 'INITIATED' : 'ACTIVE');
  const d: Dialog = {
    id: rt.nextDialogId(),
    fromAddress: o.from,
    toAddress: o.to,
    callType: o.callType ?? (far.agentPhone ? 'AGENT_INSIDE' : 'OUT'),
    dialedNumber: o.to,
    dnis: o.to,
    callVariables: o.callVariables,
    wrapUpReason: '',
    participants: [caller, far.party],
    associatedDialogId: o.associatedDialogId,
    startTime: rt.clock.now(),
    dtmf: '',
  };
  rt.addDialog(d);
  rt.publishDialog(d, 'POST', o.requestId);
  settleAgents(rt, agentsOf(d), o.requestId);
  return d;
}

/**
 * Ends a dialog for everyone (a DROP, the caller hanging up): every leg DROPPED, the dialog
 * published once in that state and then deleted from each agent's Dialogs (reference A.2.5), the
 * agents' after-call states settled. An associated dialog forgets the link.
 */
export function endDialog(rt: FinesseRuntime, d: Dialog, cause: string, requestId?: string): void {
  for (const p of d.participants) {
    if (p.state !== 'DROPPED') setParticipantState(rt, p, 'DROPPED', cause);
    if (p.loginId) rt.agent(p.loginId).lastCall = p.direction;
  }
  rt.publishDialog(d, 'PUT', requestId);
  rt.publishDialog(d, 'DELETE', requestId);
  rt.removeDialog(d.id);
  const other = d.associatedDialogId === undefined ? undefined : rt.dialog(d.associatedDialogId);
  if (other?.associatedDialogId === d.id) {
    other.associatedDialogId = undefined;
    rt.publishDialog(other, 'PUT', requestId);
  }
  settleAgents(rt, agentsOf(d), requestId);
}
