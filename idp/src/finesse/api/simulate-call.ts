import { IdpError } from '../../shared/errors.js';
import { findByExtension, findByLoginId } from '../finesse-users.js';
import { agentsOf, endDialog, participant } from './calls.js';
import type { CallVariable, Dialog } from './model.js';
import type { FinesseRuntime } from './runtime.js';
import { liveLegs, settleAgents } from './settle-agents.js';

export interface SimulatedCall {
  /** The agent called: loginId or extension. */
  to: string;
  /** The caller's number (ANI); default 5550100. */
  from?: string;
  callVariables?: CallVariable[];
}

const DEFAULT_ANI = '5550100';

/**
 * A customer calling an agent (what the ACD would route): the agent must be signed in and READY
 * with no other call. The dialog has the caller ACTIVE and the agent's phone ALERTING, so the
 * agent turns RESERVED until they ANSWER (reference A.2.5). Control-API errors: 404 unknown
 * agent, 409 agent not READY.
 */
export function simulateCall(rt: FinesseRuntime, call: SimulatedCall): Dialog {
  const user = findByLoginId(rt.users, call.to) ?? findByExtension(rt.users, call.to);
  if (!user) throw new IdpError('ERR_CONTROL_NOT_FOUND', `no Finesse agent with loginId or extension '${call.to}'`, { status: 404 });
  const a = rt.agent(user.finesse.loginId);
  if (a.state !== 'READY' || liveLegs(rt, a.loginId).length > 0) {
    throw new IdpError('ERR_CONTROL_CONFLICT', `agent ${a.loginId} is ${a.state}; a call is routed only to a READY agent`, { status: 409 });
  }
  const from = call.from ?? DEFAULT_ANI;
  const d: Dialog = {
    id: rt.nextDialogId(),
    fromAddress: from,
    toAddress: a.extension,
    callType: 'ACD_IN',
    dialedNumber: a.extension,
    dnis: a.extension,
    callVariables: (call.callVariables ?? []).map((v) => ({ ...v })),
    wrapUpReason: '',
    participants: [participant(rt, from, undefined, 'out', 'ACTIVE'), participant(rt, a.extension, a.loginId, 'in', 'ALERTING')],
    associatedDialogId: undefined,
    startTime: rt.clock.now(),
    dtmf: '',
  };
  rt.addDialog(d);
  rt.publishDialog(d, 'POST');
  settleAgents(rt, agentsOf(d));
  return d;
}

/** The caller hangs up: the dialog ends for everyone, as a remote DROP. */
export function hangUp(rt: FinesseRuntime, dialogId: string): Dialog {
  const d = rt.dialog(dialogId);
  if (!d) throw new IdpError('ERR_CONTROL_NOT_FOUND', `no dialog '${dialogId}'`, { status: 404 });
  endDialog(rt, d, 'CALL_ENDED');
  return d;
}
