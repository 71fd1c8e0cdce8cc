/**
 * The live objects behind the User and Dialog APIs (reference A.2.4, A.2.5), as plain data. The
 * XML writers render them; the state machine and the call engine change them.
 */

/** The User `state` enum (reference A.2.4, Dev Guide p.68). */
export const AGENT_STATES = [
  'LOGOUT',
  'NOT_READY',
  'READY',
  'RESERVED',
  'RESERVED_OUTBOUND',
  'RESERVED_OUTBOUND_PREVIEW',
  'TALKING',
  'HOLD',
  'WORK',
  'WORK_READY',
  'UNKNOWN',
] as const;
export type AgentStateName = (typeof AGENT_STATES)[number];

/** Agent states that only a call puts an agent in (state requests then wait in `pendingState`). */
export const CALL_STATES: ReadonlySet<AgentStateName> = new Set(['RESERVED', 'RESERVED_OUTBOUND', 'RESERVED_OUTBOUND_PREVIEW', 'TALKING', 'HOLD']);

/** What may wait in `pendingState` until a call ends (a READY/NOT_READY/wrap-up request during a call). */
export type PendingState = '' | 'READY' | 'NOT_READY' | 'WORK' | 'WORK_READY';

export interface AgentRecord {
  loginId: string;
  state: AgentStateName;
  /** Epoch ms on the lab clock. */
  stateChangeTime: number;
  /** The reason code's id, -1 when none (reference A.2.4). */
  reasonCodeId: number;
  pendingState: PendingState;
  pendingReasonCodeId: number;
  /** The extension signed in on (kept after LOGOUT, as Finesse shows the last one); '' before any. */
  extension: string;
  /** Direction of the agent's last finished call leg: decides READY or NOT_READY after it. */
  lastCall: 'in' | 'out' | undefined;
}

/** Participant states and what each allows (reference A.2.5, Dev Guide p.126; TRANSFER_SST and SEND_DTMF on ACTIVE as the Dialog actions list them). */
export const PARTICIPANT_ACTIONS = {
  INITIATING: ['DROP', 'UPDATE_CALL_DATA'],
  INITIATED: ['DROP', 'UPDATE_CALL_DATA'],
  ALERTING: ['ANSWER'],
  ACTIVE: ['HOLD', 'DROP', 'UPDATE_CALL_DATA', 'CONSULT_CALL', 'TRANSFER_SST', 'SEND_DTMF'],
  HELD: ['RETRIEVE', 'DROP'],
  FAILED: ['DROP'],
  DROPPED: [],
} as const satisfies Record<string, readonly string[]>;
export type ParticipantState = keyof typeof PARTICIPANT_ACTIONS;

export interface Participant {
  mediaAddress: string;
  /** Set when the device is a lab agent's (then `mediaAddressType` AGENT_DEVICE). */
  loginId: string | undefined;
  /** 'in' for the called side, 'out' for the side that placed the call. */
  direction: 'in' | 'out';
  state: ParticipantState;
  stateCause: string;
  startTime: number;
  stateChangeTime: number;
}

export interface CallVariable {
  name: string;
  value: string;
}

export type DialogState = 'INITIATING' | 'INITIATED' | 'ALERTING' | 'ACTIVE' | 'FAILED' | 'DROPPED';

export interface Dialog {
  /** Digits (reference A.2.5: voice dialog ids are digits). */
  id: string;
  fromAddress: string;
  toAddress: string;
  callType: string;
  dialedNumber: string;
  dnis: string;
  callVariables: CallVariable[];
  wrapUpReason: string;
  participants: Participant[];
  /** The consult call of this one, or the call this one consults about. */
  associatedDialogId: string | undefined;
  startTime: number;
  /** Digits sent with SEND_DTMF, in order (not part of the XML; the control API shows it). */
  dtmf: string;
}

/** The dialog's state from its participants': one `state` as the Dialog object reports it. */
export function dialogState(d: Dialog): DialogState {
  const states = d.participants.map((p) => p.state);
  if (states.length === 0 || states.every((s) => s === 'DROPPED')) return 'DROPPED';
  if (states.includes('ALERTING')) return 'ALERTING';
  if (states.includes('ACTIVE') || states.includes('HELD')) return 'ACTIVE';
  if (states.includes('INITIATED')) return 'INITIATED';
  if (states.includes('INITIATING')) return 'INITIATING';
  return 'FAILED';
}

export function dialogUri(id: string): string {
  return `/finesse/api/Dialog/${id}`;
}

export function userUri(loginId: string): string {
  return `/finesse/api/User/${loginId}`;
}

/** ISO 8601 with milliseconds and Z, as Finesse writes `stateChangeTime` (reference A.2.4). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
