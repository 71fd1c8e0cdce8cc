import type { FinesseUser } from '../finesse-users.js';
import type { CtiError } from './cti-errors.js';
import { finesseError } from './error-handler.js';
import { AGENT_STATES, CALL_STATES, userUri } from './model.js';
import { codesFor, supervisorReasonCode, type ReasonCategory } from './reason-codes.js';
import type { FinesseRuntime } from './runtime.js';
import { teamNamesOf } from './teams.js';
import { childText, type XmlData } from './xml-body.js';

/** What a client may put in `<state>` (reference A.2.4: LOGIN is request-only; WORK_READY is UCCE only). */
type Requested = 'LOGIN' | 'READY' | 'NOT_READY' | 'LOGOUT' | 'WORK' | 'WORK_READY';

/** What a supervisor may set on an agent of their team (reference A.2.4). */
const SUPERVISOR_MAY: ReadonlySet<Requested> = new Set(['READY', 'NOT_READY', 'LOGOUT']);

const REQUIRE_REASON = 'finesse.api.reasoncode.require_reasoncode';
const REASON_NOT_ALLOWED = 'finesse.api.reasoncode.not_allowed';

/**
 * `PUT /User/<id>` (reference A.2.4): the agent state machine. `actor` is who asks: the agent
 * themselves, or a supervisor of their team (`requester`).
 *
 * Two kinds of refusal, as on a real Finesse (reference A.2.2):
 *   - what Finesse checks in the request itself (a missing or unknown state, a state that cannot
 *     be requested, reason codes, what a supervisor may ask) throws the documented synchronous 400;
 *   - what depends on the agent's current CTI state (anything but LOGIN while signed out, LOGIN
 *     while signed in, LOGOUT other than from NOT_READY, wrap-up outside a call) and a sign-in on
 *     another device is the CTI server's answer: the request gets its 202 and the refusal arrives
 *     as an `<apiErrors>` notification on the requester's User node, with its `requestId`.
 * An accepted change is applied at once (the lab has no CTI delay) and published.
 */
export function changeState(
  rt: FinesseRuntime,
  actor: 'self' | 'supervisor',
  user: FinesseUser,
  body: XmlData,
  requestId?: string,
  requester: FinesseUser = user,
): void {
  const requested = parseState(childText(body, 'state'), rt.deploymentType);
  const reasonText = childText(body, 'reasonCodeId');
  if (actor === 'supervisor') {
    if (!SUPERVISOR_MAY.has(requested)) {
      throw finesseError('ERR_FINESSE_INVALID_INPUT', `A supervisor may set an agent READY, NOT_READY or LOGOUT, not ${requested}.`, 'state');
    }
    // Finesse supplies the reason itself (999 / 33): a supervisor cannot choose one.
    if (reasonText) throw finesseError('ERR_FINESSE_INVALID_INPUT', 'A supervisor cannot give a reason code.', 'reasonCodeId');
  }
  const a = rt.agent(user.finesse.loginId);
  const refuse = (error: CtiError, why: string) => {
    rt.deps.log.info({ svc: 'finesse', event: 'finesse.cti.refused', user: user.username, error, requestId }, why);
    rt.publishError(requester.finesse.loginId, 'user', userUri(user.finesse.loginId), error, requestId);
  };

  if (requested === 'LOGIN') {
    const extension = childText(body, 'extension');
    if (!extension) throw finesseError('ERR_FINESSE_PARAMETER_MISSING', 'Signing in requires an <extension>.', 'extension');
    if (a.state !== 'LOGOUT') return refuse('CF_INVALID_OBJECT_STATE', `already signed in (${a.state})`);
    if (extension !== user.finesse.extension) return refuse('CF_INVALID_LOGON_DEVICE_SPECIFIED', `extension ${extension} is not the agent's device`);
    a.extension = extension;
    a.pendingState = '';
    a.pendingReasonCodeId = -1;
    rt.setState(a, 'NOT_READY', -1); // LOGIN lands in NOT_READY
  } else if (requested === 'LOGOUT') {
    // Checked before the state: a bad code is the request's fault whatever the agent is doing.
    const reason = actor === 'supervisor' ? -1 : reasonId(rt, user, 'LOGOUT', reasonText);
    // UCCE state diagram: LOGOUT only from NOT_READY.
    if (a.state !== 'NOT_READY') return refuse('CF_INVALID_OBJECT_STATE', `LOGOUT from ${a.state}`);
    a.pendingState = '';
    a.pendingReasonCodeId = -1;
    // A signed-out agent has no device: `<extension></extension>` (the real logout capture, reference A.2.6).
    a.extension = '';
    rt.setState(a, 'LOGOUT', reason);
  } else {
    const reason = requested === 'NOT_READY' ? notReadyReason(rt, actor, user, reasonText) : -1;
    if (a.state === 'LOGOUT') return refuse('CF_INVALID_OBJECT_STATE', `${requested} while signed out`);
    if (CALL_STATES.has(a.state)) {
      a.pendingState = requested;
      a.pendingReasonCodeId = reason;
    } else {
      const wrapping = a.state === 'WORK' || a.state === 'WORK_READY';
      if ((requested === 'WORK' || requested === 'WORK_READY') && !wrapping) return refuse('CF_INVALID_OBJECT_STATE', `${requested} outside a call (${a.state})`);
      rt.setState(a, requested, reason);
    }
  }
  rt.publishUser(user.finesse.loginId, requestId);
}

function parseState(value: string | undefined, deployment: 'UCCE' | 'UCCX'): Requested {
  if (!value) throw finesseError('ERR_FINESSE_PARAMETER_MISSING', 'The request has no <state>.', 'state');
  const requestable: readonly string[] = ['LOGIN', 'READY', 'NOT_READY', 'LOGOUT', 'WORK', ...(deployment === 'UCCE' ? ['WORK_READY'] : [])];
  if (requestable.includes(value)) return value as Requested;
  // A real state that is not requestable is Invalid State; on UCCX WORK_READY is no state at all.
  const known = AGENT_STATES.filter((s) => deployment === 'UCCE' || s !== 'WORK_READY') as readonly string[];
  if (known.includes(value)) throw invalidState(`State ${value} cannot be requested.`);
  throw finesseError('ERR_FINESSE_INVALID_INPUT', `'${value}' is not an agent state.`, 'state');
}

function notReadyReason(rt: FinesseRuntime, actor: 'self' | 'supervisor', user: FinesseUser, text: string | undefined): number {
  if (actor === 'supervisor') return supervisorReasonCode(rt.deploymentType).id;
  const id = reasonId(rt, user, 'NOT_READY', text);
  if (id === -1 && codesFor(rt.reasonCodes, 'NOT_READY', teamNamesOf(user)).length > 0) {
    throw finesseError('ERR_FINESSE_REASON_CODE_REQUIRED', 'The state change requires a valid reason code.', REQUIRE_REASON);
  }
  return id;
}

/** The id of an offered code of `category`; -1 when none is given ('' or -1). */
function reasonId(rt: FinesseRuntime, user: FinesseUser, category: ReasonCategory, text: string | undefined): number {
  if (!text || text === '-1') return -1;
  const offered = codesFor(rt.reasonCodes, category, teamNamesOf(user));
  const found = /^\d{1,10}$/.test(text) ? offered.find((c) => c.id === Number(text)) : undefined;
  if (!found) throw finesseError('ERR_FINESSE_REASON_CODE_NOT_ALLOWED', `Reason code ${text} is not a ${category} reason code of this agent.`, REASON_NOT_ALLOWED);
  return found.id;
}

function invalidState(message: string) {
  return finesseError('ERR_FINESSE_INVALID_STATE', message, 'state');
}
