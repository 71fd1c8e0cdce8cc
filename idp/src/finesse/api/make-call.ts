import type { FinesseUser } from '../finesse-users.js';
import { readCallVariables } from './call-variables.js';
import { placeCall } from './calls.js';
import { finesseError } from './error-handler.js';
import type { Dialog } from './model.js';
import type { FinesseRuntime } from './runtime.js';
import { liveLegs } from './settle-agents.js';
import { childText, type XmlData } from './xml-body.js';

/** A dialable number: digits with the usual dial-plan characters. */
export const DIALABLE = /^\+?[0-9*#]{1,32}$/;

/**
 * `POST /User/<id>/Dialogs` with `requestedAction` MAKE_CALL (reference A.2.5): the agent is
 * signed in, NOT_READY and on no call; `fromAddress` is the extension they signed in on;
 * `toAddress` is another number. Call variables are UCCE only.
 */
export function makeCall(rt: FinesseRuntime, user: FinesseUser, body: XmlData, requestId?: string): Dialog {
  const action = childText(body, 'requestedAction');
  if (!action) throw finesseError('ERR_FINESSE_PARAMETER_MISSING', 'The request has no <requestedAction>.', 'requestedAction');
  if (action !== 'MAKE_CALL') throw finesseError('ERR_FINESSE_INVALID_INPUT', `A new dialog is made with MAKE_CALL, not ${action}.`, 'requestedAction');
  const a = rt.agent(user.finesse.loginId);
  if (a.state !== 'NOT_READY' || liveLegs(rt, a.loginId).length > 0) {
    throw finesseError('ERR_FINESSE_INVALID_STATE', `An agent makes a call from NOT_READY with no other call, not from ${a.state}.`, 'state');
  }
  const from = childText(body, 'fromAddress');
  if (!from) throw finesseError('ERR_FINESSE_PARAMETER_MISSING', 'The request has no <fromAddress>.', 'fromAddress');
  if (from !== a.extension) throw finesseError('ERR_FINESSE_INVALID_INPUT', `fromAddress must be the extension the agent signed in on.`, 'fromAddress');
  const to = childText(body, 'toAddress');
  if (!to) throw finesseError('ERR_FINESSE_PARAMETER_MISSING', 'The request has no <toAddress>.', 'toAddress');
  checkDestination(to, [from]);
  const callVariables = readCallVariables(body, rt.deploymentType);
  return placeCall(rt, { callerLoginId: a.loginId, from, to, callVariables, requestId });
}

/** 400 Invalid Destination: not dialable, or one's own number / a party already on the call. */
export function checkDestination(to: string, own: readonly string[]): void {
  if (!DIALABLE.test(to)) throw finesseError('ERR_FINESSE_INVALID_DESTINATION', 'toAddress is not a dialable number.', 'toAddress');
  if (own.includes(to)) throw finesseError('ERR_FINESSE_INVALID_DESTINATION', 'toAddress is a party of the call.', 'toAddress');
}
