import type { FinessePrincipal } from '../authenticate.js';
import { mergeCallVariables, readCallVariables } from './call-variables.js';
import { agentsOf, endDialog, placeCall, setParticipantState } from './calls.js';
import { finesseError } from './error-handler.js';
import { checkDestination } from './make-call.js';
import { dialogUri, PARTICIPANT_ACTIONS, type Dialog, type Participant } from './model.js';
import type { FinesseRuntime } from './runtime.js';
import { liveLegs, settleAgents } from './settle-agents.js';
import { supervises } from './teams.js';
import { transferSst } from './transfer.js';
import { child, children, childText, type XmlData } from './xml-body.js';

/** Actions the lab carries out (reference A.2.5). */
const EMULATED = ['ANSWER', 'HOLD', 'RETRIEVE', 'DROP', 'TRANSFER_SST', 'CONSULT_CALL', 'SEND_DTMF', 'UPDATE_CALL_DATA'] as const;
type Action = (typeof EMULATED)[number];
/** Finesse Dialog actions the lab knows but does not emulate: 501 Not Implemented (reference A.2.2). */
const NOT_EMULATED = new Set([
  'TRANSFER', 'CONFERENCE', 'SILENT_MONITOR', 'BARGE_CALL', 'PARTICIPANT_DROP', 'START_RECORDING', 'ACCEPT', 'CLOSE', 'REJECT',
  'RETRIEVE_SILENT_MONITOR', 'WRAP_UP', 'MAKE_CALL',
]);
const DTMF = /^[0-9*#A-D]{1,32}$/;

/**
 * `PUT /Dialog/<id>` (reference A.2.5): `requestedAction` on the participant at
 * `targetMediaAddress`, which must be the caller's own phone (or, for a supervisor, a team
 * member's). The action must be one the participant's state allows (the p.126 table); a refused
 * one is answered 202 and reported on the requester's Dialogs node as a "Generic Error" (the Dev
 * Guide lists it under "Asynchronous Errors").
 */
export function actOnDialog(rt: FinesseRuntime, principal: FinessePrincipal, d: Dialog, body: XmlData, requestId?: string): void {
  const action = childText(body, 'requestedAction');
  if (!action) throw finesseError('ERR_FINESSE_PARAMETER_MISSING', 'The request has no <requestedAction>.', 'requestedAction');
  if (NOT_EMULATED.has(action)) throw finesseError('ERR_FINESSE_NOT_IMPLEMENTED', `${action} is not implemented by this Finesse.`, 'requestedAction');
  if (!(EMULATED as readonly string[]).includes(action)) throw finesseError('ERR_FINESSE_INVALID_INPUT', `'${action}' is not a dialog action.`, 'requestedAction');
  const target = childText(body, 'targetMediaAddress');
  if (!target) throw finesseError('ERR_FINESSE_PARAMETER_MISSING', 'The request has no <targetMediaAddress>.', 'targetMediaAddress');
  const p = d.participants.find((x) => x.mediaAddress === target && x.loginId !== undefined && x.state !== 'DROPPED');
  const owner = p?.loginId === undefined ? undefined : rt.user(p.loginId);
  if (!p || !owner || (owner.username !== principal.user.username && !supervises(principal.user, owner))) {
    throw finesseError('ERR_FINESSE_INVALID_INPUT', `${target} is not the device of a participant you act for.`, 'targetMediaAddress');
  }
  const refuse = (why: string) => {
    rt.deps.log.info({ svc: 'finesse', event: 'finesse.cti.refused', user: principal.user.username, action, requestId }, why);
    rt.publishError(principal.user.finesse.loginId, 'dialogs', dialogUri(d.id), 'ACTION_NOT_ALLOWED', requestId);
  };
  if (!(PARTICIPANT_ACTIONS[p.state] as readonly string[]).includes(action)) return refuse(`${action} is not allowed for a participant in state ${p.state}`);
  // One connected call per phone: the lab does not swap calls implicitly.
  if (action === 'RETRIEVE' && liveLegs(rt, p.loginId!).some((x) => x !== p && x.state !== 'HELD')) return refuse('RETRIEVE while on another call');
  perform(rt, d, p, action as Action, body, requestId);
}

function perform(rt: FinesseRuntime, d: Dialog, p: Participant, action: Action, body: XmlData, requestId?: string): void {
  switch (action) {
    case 'ANSWER':
      setParticipantState(rt, p, 'ACTIVE');
      // The caller's leg connects with the answer.
      for (const x of d.participants) if (x.state === 'INITIATED' || x.state === 'INITIATING') setParticipantState(rt, x, 'ACTIVE');
      return changed(rt, d, requestId);
    case 'HOLD':
      setParticipantState(rt, p, 'HELD');
      return changed(rt, d, requestId);
    case 'RETRIEVE':
      setParticipantState(rt, p, 'ACTIVE');
      return changed(rt, d, requestId);
    case 'DROP':
      return endDialog(rt, d, '', requestId);
    case 'SEND_DTMF': {
      const digits = dtmfString(body);
      d.dtmf += digits;
      return changed(rt, d, requestId);
    }
    case 'UPDATE_CALL_DATA': {
      mergeCallVariables(d.callVariables, readCallVariables(body, rt.deploymentType));
      const props = child(body, 'mediaProperties');
      const wrapUp = props ? childText(props, 'wrapUpReason') : undefined;
      if (wrapUp !== undefined) d.wrapUpReason = wrapUp;
      return changed(rt, d, requestId);
    }
    case 'TRANSFER_SST':
      return transferSst(rt, d, p, destination(d, p, body), requestId);
    case 'CONSULT_CALL': {
      const to = destination(d, p, body);
      setParticipantState(rt, p, 'HELD');
      const consult = placeCall(rt, {
        callerLoginId: p.loginId!,
        from: p.mediaAddress,
        to,
        callType: 'CONSULT',
        callVariables: d.callVariables.map((v) => ({ ...v })),
        associatedDialogId: d.id,
        requestId,
      });
      d.associatedDialogId = consult.id;
      return changed(rt, d, requestId);
    }
  }
}

function changed(rt: FinesseRuntime, d: Dialog, requestId?: string): void {
  rt.publishDialog(d, 'PUT', requestId);
  settleAgents(rt, agentsOf(d), requestId);
}

/** `toAddress` of TRANSFER_SST / CONSULT_CALL: required, dialable, not a party of this call. */
function destination(d: Dialog, p: Participant, body: XmlData): string {
  const to = childText(body, 'toAddress');
  if (!to) throw finesseError('ERR_FINESSE_PARAMETER_MISSING', 'The request has no <toAddress>.', 'toAddress');
  checkDestination(to, [p.mediaAddress, ...d.participants.filter((x) => x.state !== 'DROPPED').map((x) => x.mediaAddress)]);
  return to;
}

/** `<actionParams><ActionParam><name>dtmfString</name><value>…</value></ActionParam></actionParams>`. */
function dtmfString(body: XmlData): string {
  const params = child(body, 'actionParams');
  const param = (params ? children(params, 'ActionParam') : []).find((x) => childText(x, 'name') === 'dtmfString');
  const value = param ? childText(param, 'value') : undefined;
  if (!value) throw finesseError('ERR_FINESSE_PARAMETER_MISSING', 'SEND_DTMF needs the actionParam dtmfString.', 'dtmfString');
  if (!DTMF.test(value)) throw finesseError('ERR_FINESSE_INVALID_INPUT', 'dtmfString may hold only 0-9, *, # and A-D.', 'dtmfString');
  return value;
}
