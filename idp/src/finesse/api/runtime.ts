import type { FinesseConfig } from '../../config/schema.js';
import type { UserDirectory } from '../../directory/users.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import { findByLoginId, isFinesseUser, type FinesseUser } from '../finesse-users.js';
import { apiErrorsXml, type CtiError } from './cti-errors.js';
import { dialogXml } from './dialog-xml.js';
import { dialogUri, userUri, type AgentRecord, type AgentStateName, type Dialog } from './model.js';
import { loadReasonCodes, supervisorReasonCode, type ReasonCode } from './reason-codes.js';
import { allTeams, type Team } from './teams.js';
import { userXml } from './user-xml.js';

export interface FinesseRuntimeDeps {
  users: UserDirectory;
  clock: Clock;
  config: FinesseConfig;
  fixturesDir: string;
  log: Logger;
}

/**
 * One change as Finesse publishes it on the notification channel (reference A.2.6): the pub-sub
 * node, the resource that changed (`source`), the event, the client's `requestId` header
 * (reference A.2.4: "echoed in the notification") and the object XML.
 *   - `user`: the full `<User>` on `/finesse/api/User/<id>` (the service adds the team nodes);
 *   - `dialog`: a `<Dialog>` on `/finesse/api/User/<id>/Dialogs`; POST and DELETE add it to or
 *     remove it from the agent's collection (source: the collection), PUT changes it (source: the Dialog);
 *   - `error`: `<apiErrors>` for a request the CTI server refused after Finesse answered 202.
 */
export interface FinesseChange {
  kind: 'user' | 'dialog' | 'error';
  node: string;
  source: string;
  event: 'PUT' | 'POST' | 'DELETE';
  requestId?: string;
  /** `<User>`, `<Dialog>` or `<apiErrors>` (no declaration). */
  xml: string;
  /** The agent whose node it is. */
  loginId: string;
}

export type FinesseChangeListener = (change: FinesseChange) => void;

/** Voice dialog ids are digits (reference A.2.5); the lab counts from 0x1000001 like a CTI call id. */
const FIRST_DIALOG_ID = 16_777_217;

/**
 * The live state behind `/finesse/api`: agent states by loginId, dialogs, reason codes, teams.
 * Agents start signed out with no dialogs; `reset()` returns there (and re-reads the reason codes).
 * Every accepted change is handed to the `onChange` listeners (the XMPP notification service).
 */
export class FinesseRuntime {
  private readonly agents = new Map<string, AgentRecord>();
  private readonly dialogMap = new Map<string, Dialog>();
  private readonly listeners = new Set<FinesseChangeListener>();
  private nextId = FIRST_DIALOG_ID;
  private codes: ReasonCode[];

  constructor(readonly deps: FinesseRuntimeDeps) {
    this.codes = loadReasonCodes(deps.fixturesDir);
  }

  get deploymentType(): 'UCCE' | 'UCCX' {
    return this.deps.config.deploymentType;
  }

  get clock(): Clock {
    return this.deps.clock;
  }

  get users(): UserDirectory {
    return this.deps.users;
  }

  /** The configured reason codes (fixture order). */
  get reasonCodes(): readonly ReasonCode[] {
    return this.codes;
  }

  /** A configured code by id, or the supervisor's system code (reference A.2.4: 999 / 33). */
  reasonCode(id: number): ReasonCode | undefined {
    const sup = supervisorReasonCode(this.deploymentType);
    return id === sup.id ? sup : this.codes.find((c) => c.id === id);
  }

  teams(): Team[] {
    return allTeams(this.deps.users);
  }

  user(loginId: string): FinesseUser | undefined {
    return findByLoginId(this.deps.users, loginId);
  }

  /** Every Finesse user of the directory, with its live record. */
  roster(): Array<{ user: FinesseUser; agent: AgentRecord }> {
    return this.deps.users
      .list()
      .filter(isFinesseUser)
      .map((user) => ({ user, agent: this.agent(user.finesse.loginId) }));
  }

  /** The agent's record; a user the runtime has not seen yet (added at run time) starts signed out. */
  agent(loginId: string): AgentRecord {
    let a = this.agents.get(loginId);
    if (!a) {
      a = {
        loginId,
        state: 'LOGOUT',
        stateChangeTime: this.deps.clock.now(),
        reasonCodeId: -1,
        pendingState: '',
        pendingReasonCodeId: -1,
        extension: '',
        lastCall: undefined,
      };
      this.agents.set(loginId, a);
    }
    return a;
  }

  /** Sets state and reason; `stateChangeTime` moves only when one of them changes. Returns whether it did. */
  setState(a: AgentRecord, state: AgentStateName, reasonCodeId = -1): boolean {
    if (a.state === state && a.reasonCodeId === reasonCodeId) return false;
    a.state = state;
    a.reasonCodeId = reasonCodeId;
    a.stateChangeTime = this.deps.clock.now();
    return true;
  }

  dialog(id: string): Dialog | undefined {
    return this.dialogMap.get(id);
  }

  dialogs(): Dialog[] {
    return [...this.dialogMap.values()];
  }

  /** The dialogs the agent is a live (not dropped) participant of: `GET /User/<id>/Dialogs`. */
  dialogsOf(loginId: string): Dialog[] {
    return this.dialogs().filter((d) => d.participants.some((p) => p.loginId === loginId && p.state !== 'DROPPED'));
  }

  nextDialogId(): string {
    return String(this.nextId++);
  }

  addDialog(d: Dialog): void {
    this.dialogMap.set(d.id, d);
  }

  removeDialog(id: string): void {
    this.dialogMap.delete(id);
  }

  /** Subscribes to accepted changes; returns the unsubscribe function. */
  onChange(listener: FinesseChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publishes the agent's User object (event PUT). */
  publishUser(loginId: string, requestId?: string): void {
    const user = this.user(loginId);
    if (!user) return;
    const uri = userUri(loginId);
    this.emit({ kind: 'user', node: uri, source: uri, event: 'PUT', requestId, xml: userXml(this, user), loginId });
  }

  /** Publishes a Dialog to the Dialogs node of each agent (default: its agent participants). */
  publishDialog(d: Dialog, event: FinesseChange['event'], requestId?: string, loginIds?: readonly string[]): void {
    const to = loginIds ?? [...new Set(d.participants.flatMap((p) => (p.loginId ? [p.loginId] : [])))];
    const xml = dialogXml(d);
    for (const id of to) {
      const node = `${userUri(id)}/Dialogs`;
      this.emit({ kind: 'dialog', node, source: event === 'PUT' ? dialogUri(d.id) : node, event, requestId, xml, loginId: id });
    }
  }

  /**
   * The asynchronous form of a refusal (reference A.2.2): the request got its 202, then the CTI
   * server said no, and Finesse tells the requester's desktop: a state change on its User node,
   * a call operation on its Dialogs node (Dev Guide "Dialog CTI Error Notification", source the
   * Dialog, or the Dialogs collection for a MAKE_CALL that made none).
   */
  publishError(requesterLoginId: string, on: 'user' | 'dialogs', source: string, error: CtiError, requestId?: string): void {
    const node = on === 'user' ? userUri(requesterLoginId) : `${userUri(requesterLoginId)}/Dialogs`;
    const xml = apiErrorsXml(error, this.deploymentType, on === 'user' ? 'user' : 'dialog');
    this.emit({ kind: 'error', node, source, event: 'PUT', requestId, xml, loginId: requesterLoginId });
  }

  /** Back to the start: everyone signed out, no dialogs, reason codes re-read. Listeners stay. */
  reset(): void {
    this.agents.clear();
    this.dialogMap.clear();
    this.nextId = FIRST_DIALOG_ID;
    this.codes = loadReasonCodes(this.deps.fixturesDir);
  }

  private emit(change: FinesseChange): void {
    if (change.requestId === undefined) delete change.requestId;
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (err) {
        // A broken subscriber must not undo or fail a change Finesse already accepted.
        this.deps.log.error({ svc: 'finesse', err, node: change.node }, 'change listener failed');
      }
    }
  }
}

/** What the lab's Finesse builds at start (create-finesse.ts); `reset()` on a lab reset. */
export function createFinesseRuntime(deps: FinesseRuntimeDeps): FinesseRuntime {
  return new FinesseRuntime(deps);
}
