import type { FinesseUser } from '../finesse-users.js';
import { readCallVariables } from './call-variables.js';
import { placeCall } from './calls.js';
import { finesseError } from './error-handler.js';
import { userUri, type Dialog } from './model.js';
import type { FinesseRuntime } from './runtime.js';
import { liveLegs } from './settle-agents.js';
import { childText, type XmlData } from './xml-body.js';

/** A dialable number: digits with the usual dial-plan characters. */
export const DIALABLE = /^\+?[0-9*#]{1,32}$/;

/**
 * `POST /User/<id>/Dialogs` with `requestedAction` MAKE_CALL (reference A.2.5): the agent is
 * signed in, NOT_READY and on no call; `fromAddress` is the extension they signed in on;
 * `toAddress` is another number. Call variables are UCCE only. The request's own faults are the
 * synchronous 400s; an agent who cannot make a call now is the CTI server's refusal, after the
 * 202, on the agent's Dialogs node (Dev Guide "Dialog CTI Error Notification"). Returns the new
 * dialog, or undefined when refused that way.
 */
export function makeCall(rt: FinesseRuntime, user: FinesseUser, body: XmlData, requestId?: string): Dialog | undefined {
  const action = childText(body, 'requestedAction');
  if (!action) throw finesseError('ERR_FINESSE_PARAMETER_MISSING', 'The request has no <requestedAction>.', 'requestedAction');
  if (action !== 'MAKE_CALL') throw finesseError('ERR_FINESSE_INVALID_INPUT', `A new dialog is made with MAKE_CALL, not ${action}.`, 'requestedAction');
  const from = childText(body, 'fromAddress');
  if (!from) throw finesseError('ERR_FINESSE_PARAMETER_MISSING', 'The request has no <fromAddress>.', 'fromAddress');
  const to = childText(body, 'toAddress');
  if (!to) throw finesseError('ERR_FINESSE_PARAMETER_MISSING', 'The request has no <toAddress>.', 'toAddress');
  checkDestination(to, [from]);
  const callVariables = readCallVariables(body, rt.deploymentType);
  const a = rt.agent(user.finesse.loginId);
  if (a.state !== 'NOT_READY' || liveLegs(rt, a.loginId).length > 0) {
    rt.deps.log.info({ svc: 'finesse', event: 'finesse.cti.refused', user: user.username, state: a.state, requestId }, 'MAKE_CALL refused');
    rt.publishError(a.loginId, 'dialogs', `${userUri(a.loginId)}/Dialogs`, 'CALL_OPERATION_FAILURE', requestId);
    return undefined;
  }
  if (from !== a.extension) throw finesseError('ERR_FINESSE_INVALID_INPUT', `fromAddress must be the extension the agent signed in on.`, 'fromAddress');
  return placeCall(rt, { callerLoginId: a.loginId, from, to, callVariables, requestId });
}

/** 400 Invalid Destination: not dialable, or one's own number / a party already on the call. */
export function checkDestination(to: string, own: readonly string[]): void {
  if (!DIALABLE.test(to)) throw finesseError('ERR_FINESSE_INVALID_DESTINATION', 'toAddress is not a dialable number.', 'toAddress');
  if (own.includes(to)) throw finesseError('ERR_FINESSE_INVALID_DESTINATION', 'toAddress is a party of the call.', 'toAddress');
}
