import { randomBytes } from 'node:crypto';
import { findByLoginId } from '../finesse-users.js';
import { allTeams, supervisedTeams, supervises } from '../api/teams.js';
import { bareOf } from './jid.js';
import { NS } from './namespaces.js';
import type { NotificationDeps } from './notification-service.js';
import type { XmppSession } from './session.js';
import { XmppStanzaError } from './xmpp-errors.js';

export interface Subscription {
  node: string;
  jid: string;
  subid: string;
}

const TEAM_USERS = /^\/finesse\/api\/Team\/([^/]+)\/Users$/;
const USER_NODE = /^\/finesse\/api\/User\/([^/]+)(?:\/Dialogs)?$/;

function pubsubError(condition: 'bad-request' | 'forbidden' | 'item-not-found' | 'not-acceptable' | 'unexpected-request', code: ConstructorParameters<typeof XmppStanzaError>[1], message: string, app: string) {
  return new XmppStanzaError(condition, code, message, `<${app} xmlns="${NS.pubsubErrors}"/>`);
}

/**
 * Explicit subscriptions (XEP-0060 §6.1, §6.2). Finesse keeps them on the node after the desktop
 * disconnects ("Any subscriptions that are left behind persist on that node", Dev Guide
 * "Subscription Management"), so they belong to the JID, not to the session.
 */
export class SubscriptionStore {
  /** node → subscriber JID (bare or full) → subid. */
  private readonly byNode = new Map<string, Map<string, string>>();

  /**
   * Subscribes `jid` (the requester's bare or full JID, §6.1.3.1) to `node`. Team nodes are for
   * supervisors of the team; an agent's own User and Dialogs nodes and SystemInfo may be asked
   * for (they are auto-subscribed anyway); anything else is forbidden or does not exist.
   */
  subscribe(deps: NotificationDeps, session: XmppSession, node: string, jid: string): Subscription {
    this.checkJid(session, jid);
    if (node === '') throw pubsubError('bad-request', 'ERR_XMPP_BAD_REQUEST', 'The subscribe request names no node.', 'nodeid-required');
    const user = session.user!;
    const team = TEAM_USERS.exec(node);
    const agent = USER_NODE.exec(node);
    if (team) {
      if (!allTeams(deps.users).some((t) => t.id === team[1])) throw notFound(node);
      if (!supervisedTeams(user).some((t) => t.id === team[1])) {
        throw pubsubError('forbidden', 'ERR_XMPP_PUBSUB_FORBIDDEN', `Only a supervisor of team ${team[1]} may subscribe to its agents.`, 'closed-node');
      }
    } else if (agent) {
      const target = findByLoginId(deps.users, agent[1]!);
      if (!target) throw notFound(node);
      if (target.username !== user.username && !supervises(user, target)) {
        throw pubsubError('forbidden', 'ERR_XMPP_PUBSUB_FORBIDDEN', "An agent's nodes are for the agent and the team's supervisors.", 'closed-node');
      }
    } else if (node !== '/finesse/api/SystemInfo') {
      throw notFound(node);
    }
    const subs = this.byNode.get(node) ?? new Map<string, string>();
    const subid = subs.get(jid) ?? randomBytes(12).toString('hex');
    subs.set(jid, subid);
    this.byNode.set(node, subs);
    return { node, jid, subid };
  }

  /**
   * §6.2: the requester's own subscription. §6.2.3: a node that does not exist is `item-not-found`,
   * no subscription `unexpected-request` + `not-subscribed`, another subid `not-acceptable` +
   * `invalid-subid`.
   */
  unsubscribe(session: XmppSession, node: string, jid: string, subid: string | undefined): void {
    this.checkJid(session, jid);
    if (!TEAM_USERS.test(node) && !USER_NODE.test(node) && node !== '/finesse/api/SystemInfo') throw notFound(node);
    const subs = this.byNode.get(node);
    const found = subs?.get(jid);
    if (found === undefined) {
      throw pubsubError('unexpected-request', 'ERR_XMPP_PUBSUB_NOT_SUBSCRIBED', `${jid} has no subscription to ${node}.`, 'not-subscribed');
    }
    if (subid !== undefined && subid !== found) throw pubsubError('not-acceptable', 'ERR_XMPP_PUBSUB_BAD_SUBID', `subid ${subid} is not ${jid}'s subscription to ${node}.`, 'invalid-subid');
    subs!.delete(jid);
    if (subs!.size === 0) this.byNode.delete(node);
  }

  /** §5.6: the requester's subscriptions (any of its JIDs), optionally of one node. */
  of(session: XmppSession, node: string | undefined): Subscription[] {
    const out: Subscription[] = [];
    for (const [n, subs] of this.byNode) {
      if (node !== undefined && n !== node) continue;
      for (const [jid, subid] of subs) if (bareOf(jid) === session.bareJid) out.push({ node: n, jid, subid });
    }
    return out;
  }

  subscribers(node: string): string[] {
    return [...(this.byNode.get(node)?.keys() ?? [])];
  }

  clear(): void {
    this.byNode.clear();
  }

  /** §6.1.3.1: "the bare JID portions of the JIDs do not match" is bad-request + invalid-jid. */
  private checkJid(session: XmppSession, jid: string): void {
    if (bareOf(jid) !== session.bareJid) {
      throw pubsubError('bad-request', 'ERR_XMPP_PUBSUB_BAD_JID', `The jid must be ${session.bareJid} or one of its full JIDs.`, 'invalid-jid');
    }
  }
}

function notFound(node: string) {
  return new XmppStanzaError('item-not-found', 'ERR_XMPP_PUBSUB_NODE_NOT_FOUND', `There is no node ${node}.`);
}
