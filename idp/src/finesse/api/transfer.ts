import { agentsOf, farEnd, setParticipantState } from './calls.js';
import type { Dialog, Participant } from './model.js';
import type { FinesseRuntime } from './runtime.js';
import { settleAgents } from './settle-agents.js';

/**
 * TRANSFER_SST, a single-step (blind) transfer (reference A.2.5): the transferring agent leaves
 * the call at once (their leg DROPPED, then the dialog deleted from their Dialogs) and the other
 * party is connected to `to`, which rings if it is a READY agent's phone (the dialog then appears
 * in that agent's Dialogs, callType TRANSFER) and answers at once otherwise. A call left with no
 * lab agent on it goes on outside the lab and is no longer shown.
 */
export function transferSst(rt: FinesseRuntime, d: Dialog, p: Participant, to: string, requestId?: string): void {
  const leaving = p.loginId!;
  setParticipantState(rt, p, 'DROPPED', 'TRANSFERRED');
  rt.agent(leaving).lastCall = p.direction;
  rt.publishDialog(d, 'PUT', requestId, [leaving]);
  rt.publishDialog(d, 'DELETE', requestId, [leaving]);
  d.participants = d.participants.filter((x) => x !== p);

  const far = farEnd(rt, to);
  d.participants.push(far.party);
  d.toAddress = to;
  d.dialedNumber = to;
  d.callType = 'TRANSFER';
  const remaining = agentsOf(d);
  if (remaining.length === 0) rt.removeDialog(d.id);
  for (const id of remaining) rt.publishDialog(d, id === far.party.loginId ? 'POST' : 'PUT', requestId, [id]);
  settleAgents(rt, [leaving, ...remaining], requestId);
}
