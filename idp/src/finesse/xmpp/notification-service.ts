import { randomBytes, randomUUID } from 'node:crypto';
import { IdpError } from '../../shared/errors.js';
import { escapeAttr, escapeText } from '../../shared/xml/escape.js';
import type { Logger } from '../../shared/log.js';
import { isoTime } from '../api/model.js';
import type { FinesseChange } from '../api/runtime.js';
import { checkAccessToken, checkPassword } from '../authenticate.js';
import type { FinesseContext } from '../context.js';
import { findByLoginId, findFinesseUser, usesSso, type FinesseUser } from '../finesse-users.js';
import type { XEl } from './frame-xml.js';
import { splitJid } from './jid.js';
import { NS } from './namespaces.js';
import { PresenceWatch } from './presence-watch.js';
import { SubscriptionStore, type Subscription } from './subscriptions.js';
import { stanzaXml, XmppSession, type XmppTransport } from './session.js';
import { notificationsFor } from './update-xml.js';
import { SaslFailure, XmppStreamError } from './xmpp-errors.js';

/** What the notification service needs of the Finesse context. */
export type NotificationDeps = Pick<FinesseContext, 'config' | 'users' | 'ids' | 'lockout' | 'runtime' | 'clock' | 'log' | 'xmppDomain'>;

/** One published notification as the console shows it: where it went and what it said. */
export interface PublishedNotification {
  at: string;
  node: string;
  source: string;
  event: string;
  requestId: string;
  /** The `<Update>` document, unescaped. */
  update: string;
  /** The JIDs it was delivered to (empty: nobody was listening). */
  deliveredTo: string[];
}

const RECENT = 200;

/**
 * Finesse's notification service (Openfire, reference A.2.6), whatever the transport: the bound
 * sessions of each agent, the pub-sub nodes and their subscriptions, and the presence that drives
 * the forced logout. Every change the REST API accepts (runtime `onChange`) is published here.
 */
export class NotificationService {
  readonly domain: string;
  readonly pubsubDomain: string;
  readonly log: Logger;
  private readonly sessions = new Set<XmppSession>();
  /** Bound sessions by loginId. */
  private readonly byUser = new Map<string, Set<XmppSession>>();
  private readonly subs = new SubscriptionStore();
  private readonly watch: PresenceWatch;
  private readonly unhook: () => void;
  private readonly recentList: PublishedNotification[] = [];
  private readonly listeners = new Set<(n: PublishedNotification) => void>();

  constructor(private readonly deps: NotificationDeps) {
    this.domain = deps.xmppDomain;
    this.pubsubDomain = `pubsub.${deps.xmppDomain}`;
    this.log = deps.log;
    this.watch = new PresenceWatch(deps.runtime, deps.clock, deps.config.xmpp.presenceLogoutSeconds, deps.log);
    this.unhook = deps.runtime.onChange((c) => this.publish(c));
  }

  get maxStanzaBytes(): number {
    return this.deps.config.xmpp.maxStanzaBytes;
  }

  get config() {
    return this.deps.config.xmpp;
  }

  newSession(transport: XmppTransport): XmppSession {
    const s = new XmppSession(this, transport);
    this.sessions.add(s);
    return s;
  }

  /**
   * SASL PLAIN credentials (reference A.2.6): the JID's localpart is the agent's loginId (in UCCX
   * the loginName works too, as on REST); the password is the Basic password of a non-SSO user
   * and the IdS access token of an SSO user ([INF], reference A.2.6).
   */
  authenticate(authcid: string, password: string): FinesseUser {
    const users = this.deps.users;
    const user = this.deps.config.deploymentType === 'UCCX' ? findFinesseUser(users, authcid) : findByLoginId(users, authcid);
    if (!user) throw new SaslFailure('not-authorized', 'ERR_XMPP_AUTH_FAILED', 'Invalid user ID or password.');
    try {
      if (usesSso(this.deps.config.systemAuthMode, user)) {
        const named = checkAccessToken(this.deps, password);
        if (named.username !== user.username) throw new SaslFailure('not-authorized', 'ERR_XMPP_AUTH_FAILED', 'The access token belongs to another user.');
      } else {
        checkPassword(this.deps, user, password);
      }
    } catch (e) {
      if (!(e instanceof IdpError)) throw e;
      if (e.code === 'ERR_FINESSE_LOCKED_OUT') throw new SaslFailure('account-disabled', e.code, e.message);
      if (e.details['errorData'] === 'ERR_IDS_TOKEN_EXPIRED') throw new SaslFailure('credentials-expired', 'ERR_XMPP_TOKEN_EXPIRED', 'The access token has expired.');
      throw new SaslFailure('not-authorized', 'ERR_XMPP_AUTH_FAILED', e.message);
    }
    this.log.info({ svc: 'finesse', event: 'xmpp.auth', user: user.username }, 'desktop authenticated');
    return user;
  }

  /** RFC 6120 §7.7.2.2: a second session with the same full JID replaces the first ("conflict"). */
  bound(session: XmppSession): void {
    const loginId = session.user!.finesse.loginId;
    const set = this.byUser.get(loginId) ?? new Set();
    for (const other of set) {
      if (other.resource === session.resource) other.terminate(new XmppStreamError('conflict', 'ERR_XMPP_CONFLICT', 'Another session bound the same resource.'));
    }
    set.add(session);
    this.byUser.set(loginId, set);
  }

  /** RFC 6121 §4.2.2 and §4.5.2: the user's own available resources see each other's presence. */
  presenceChanged(session: XmppSession, el: XEl): void {
    const loginId = session.user!.finesse.loginId;
    const mine = [...(this.byUser.get(loginId) ?? [])];
    const presenceOf = (s: XmppSession, to: XmppSession) =>
      stanzaXml('presence', { from: s.fullJid, to: to.fullJid, type: s.available ? undefined : 'unavailable' }, s.available && s.priority ? `<priority>${s.priority}</priority>` : '');
    for (const other of mine) if (other.available || other === session) other.deliver(presenceOf(session, other));
    if (session.available && el.attrs['type'] === undefined) {
      for (const other of mine) if (other !== session && other.available) session.deliver(presenceOf(other, session));
    }
    this.updateAvailability(loginId);
  }

  sessionEnded(session: XmppSession): void {
    this.sessions.delete(session);
    if (!session.user || session.state !== 'bound') return;
    const loginId = session.user.finesse.loginId;
    const set = this.byUser.get(loginId);
    set?.delete(session);
    if (set?.size === 0) this.byUser.delete(loginId);
    const wasAvailable = session.available;
    session.available = false;
    if (wasAvailable) for (const other of set ?? []) if (other.available) other.deliver(stanzaXml('presence', { from: session.fullJid, to: other.fullJid, type: 'unavailable' }));
    this.updateAvailability(loginId, wasAvailable);
  }

  private updateAvailability(loginId: string, wasAvailable = true): void {
    const any = [...(this.byUser.get(loginId) ?? [])].some((s) => s.available);
    if (any) this.watch.back(loginId);
    else if (wasAvailable) this.watch.lost(loginId);
  }

  subscribe(session: XmppSession, node: string, jid: string): Subscription {
    return this.subs.subscribe(this.deps, session, node, jid);
  }

  unsubscribe(session: XmppSession, node: string, jid: string, subid: string | undefined): void {
    this.subs.unsubscribe(session, node, jid, subid);
  }

  subscriptionsOf(session: XmppSession, node: string | undefined): Subscription[] {
    return this.subs.of(session, node);
  }

  /** Publishes one accepted change: its notifications to every subscriber (XEP-0060 §7.1.2). */
  publish(change: FinesseChange): void {
    for (const n of notificationsFor(this.deps.runtime, change)) {
      const payload = `<notification xmlns="${NS.push}">${escapeText(n.update)}</notification>`;
      const deliveredTo: string[] = [];
      const seen = new Set<XmppSession>();
      for (const { to, sessions } of this.recipients(n.node)) {
        for (const s of sessions) {
          if (seen.has(s)) continue;
          seen.add(s);
          s.deliver(
            stanzaXml(
              'message',
              { from: this.pubsubDomain, to, id: randomBytes(6).toString('base64url') },
              `<event xmlns="${NS.pubsubEvent}"><items node="${escapeAttr(n.node)}"><item id="${randomUUID()}">${payload}</item></items></event>`,
            ),
          );
          deliveredTo.push(s.fullJid);
        }
      }
      this.remember({ at: isoTime(this.deps.clock.now()), node: n.node, source: n.source, event: n.event, requestId: n.requestId, update: n.update, deliveredTo });
    }
  }

  /**
   * Who gets a node's items: the auto-subscribed agent (its User, Dialogs and Media nodes), every
   * agent for SystemInfo, and the explicit subscriptions. A bare-JID subscription reaches the
   * available resources of non-negative priority (RFC 6121 §8.5.2.1.1), a full-JID one that
   * resource (§8.5.3.1).
   */
  private recipients(node: string): Array<{ to: string; sessions: XmppSession[] }> {
    const out: Array<{ to: string; sessions: XmppSession[] }> = [];
    const own = /^\/finesse\/api\/User\/([^/]+)(?:\/Dialogs|\/Media\/[^/]+)?$/.exec(node);
    const bare = (loginId: string) => ({ to: `${loginId}@${this.domain}`, sessions: [...(this.byUser.get(loginId) ?? [])].filter((s) => s.available && s.priority >= 0) });
    if (own) out.push(bare(own[1]!));
    if (node === '/finesse/api/SystemInfo') for (const loginId of this.byUser.keys()) out.push(bare(loginId));
    for (const jid of this.subs.subscribers(node)) {
      const [barePart, resource] = splitJid(jid);
      const loginId = barePart.slice(0, barePart.indexOf('@'));
      if (resource === undefined) out.push(bare(loginId));
      else out.push({ to: jid, sessions: [...(this.byUser.get(loginId) ?? [])].filter((s) => s.resource === resource) });
    }
    return out;
  }

  private remember(n: PublishedNotification): void {
    this.recentList.push(n);
    if (this.recentList.length > RECENT) this.recentList.shift();
    for (const l of this.listeners) l(n);
  }

  /** The latest notifications, oldest first (the console's list). */
  recent(): readonly PublishedNotification[] {
    return this.recentList;
  }

  /** Calls `listener` for each published notification (the console's live view). */
  onPublish(listener: (n: PublishedNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Connected desktops (console, bench, tests). */
  connections(): Array<{ jid: string; transport: string; available: boolean }> {
    return [...this.sessions].map((s) => ({ jid: s.fullJid, transport: s.transport.kind, available: s.available }));
  }

  pendingLogouts(): Array<{ loginId: string; lostAt: string }> {
    return this.watch.pending().map((p) => ({ loginId: p.loginId, lostAt: isoTime(p.lostAt) }));
  }

  /**
   * Lab reset: the agents' states are gone, so every desktop is disconnected with `<reset/>`
   * (RFC 6120 §4.9.3.16) and reconnects to the fresh lab; subscriptions and pending logouts go.
   */
  reset(): void {
    this.closeAll(new XmppStreamError('reset', 'ERR_XMPP_RESET', 'The lab was reset; connect again.'));
    this.subs.clear();
    this.watch.clear();
    this.recentList.length = 0;
  }

  /** Lab stop: `<system-shutdown/>` to every desktop, timers off. */
  close(): void {
    this.closeAll(new XmppStreamError('system-shutdown', 'ERR_XMPP_SHUTDOWN', 'The lab is stopping.'));
    this.watch.stop();
    this.unhook();
  }

  private closeAll(error: XmppStreamError): void {
    for (const s of [...this.sessions]) s.terminate(error);
    this.sessions.clear();
    this.byUser.clear();
  }
}
