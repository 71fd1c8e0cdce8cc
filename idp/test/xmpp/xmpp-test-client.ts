import { EventEmitter } from 'node:events';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import * as XMPP from 'stanza';
import WebSocket from 'ws';
import { findFinesseUser, usesSso } from '../../src/finesse/finesse-users.js';
import { team, teamNamesOf } from '../../src/finesse/api/teams.js';
import type { LabConfigInput } from '../../src/config/schema.js';
import { FinesseLab } from '../finesse-api/finesse-lab.js';

/**
 * Shared plumbing of the notification-service protocol tests (reference A.2.6).
 *
 * Desktops are driven by **stanza** (an XMPP client library written independently of the lab),
 * over WebSocket (RFC 7395) or BOSH (XEP-0124/0206). What a conforming library cannot send
 * (malformed frames, bad rids, DTDs…) goes through raw `ws` and `fetch` here. Everything the
 * server sends is parsed by @xmldom/xmldom, not by the lab's libxml2. Waits are bounded
 * (`WAIT_MS`) and fail with what was awaited; lab time is moved, never slept.
 */

export type TransportName = 'websocket' | 'bosh';
export const TRANSPORTS: readonly TransportName[] = ['websocket', 'bosh'];
/** The bound on every wait for something the server should send. */
export const WAIT_MS = 5000;

export const NS = {
  stream: 'http://etherx.jabber.org/streams',
  streams: 'urn:ietf:params:xml:ns:xmpp-streams',
  sasl: 'urn:ietf:params:xml:ns:xmpp-sasl',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  framing: 'urn:ietf:params:xml:ns:xmpp-framing',
  httpbind: 'http://jabber.org/protocol/httpbind',
  xbosh: 'urn:xmpp:xbosh',
  client: 'jabber:client',
  push: 'urn:xmpp:push:0',
} as const;

// --- the lab ---------------------------------------------------------------------------------

/** A lab with IdS, Finesse and the console (FinesseLab: REST as any user, reset, stop). */
export function startXmppLab(finesse: NonNullable<LabConfigInput['finesse']> = {}, extra: Omit<LabConfigInput, 'finesse'> = {}): Promise<FinesseLab> {
  return FinesseLab.start(finesse, extra);
}

/** The XMPP domain (SystemInfo `xmppDomain`) and the pub-sub service's (`pubsub.<domain>`). */
export function domainOf(f: FinesseLab): string {
  return f.lab.state.finesse!.xmppDomain;
}

export function pubsubOf(f: FinesseLab): string {
  return `pubsub.${domainOf(f)}`;
}

/** `ws(s)://<finesse>/ws` or `http(s)://<finesse>/http-bind`. */
export function endpoint(f: FinesseLab, t: TransportName): string {
  const u = new URL(f.lab.urls.finesse!);
  return t === 'websocket' ? `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}/ws` : `${u.origin}/http-bind`;
}

export function bareJid(f: FinesseLab, username: string): string {
  return `${f.loginIdOf(username)}@${domainOf(f)}`;
}

/** What a desktop types as the XMPP password: the Basic password, or the IdS access token of an SSO user. */
export function credentialOf(f: FinesseLab, username: string): string {
  const user = findFinesseUser(f.lab.state.users, username);
  if (!user) throw new Error(`test: no Finesse user ${username}`);
  if (!usesSso(f.config.systemAuthMode, user)) return user.password;
  return f.authorization(username).replace(/^Bearer /, '');
}

/** A fresh IdS access token for `username`, minted in-process as IdS would after an SSO sign-in. */
export function issueToken(f: FinesseLab, username: string): { accessToken: string; expiresIn: number } {
  const user = findFinesseUser(f.lab.state.users, username)!;
  return f.lab.state.ids!.tokens.issue({ userId: user.username, upn: user.upn, realm: 'lab.example', clientId: f.config.idsClientId });
}

/** `/finesse/api/Team/<id>/Users` of the user's first `Team <X>` group. */
export function teamUsersNode(f: FinesseLab, username: string, which = 0): string {
  const user = findFinesseUser(f.lab.state.users, username)!;
  const name = teamNamesOf(user)[which];
  if (name === undefined) throw new Error(`test: ${username} is in no team #${which}`);
  return `${team(name).uri}/Users`;
}

/**
 * A customer call to an agent through the control API (`POST <console>/api/finesse/calls`, the
 * caller's side no REST client can play): the dialog id.
 */
export async function ringCall(f: FinesseLab, to: string): Promise<string> {
  const res = await fetch(`${f.console}/api/finesse/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to }) });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 201 || !body.id) throw new Error(`test: the call to ${to} was not placed: ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}

/** The caller hangs up (`POST <console>/api/finesse/calls/<id>/hangup`). */
export async function hangUpCall(f: FinesseLab, dialogId: string): Promise<void> {
  const res = await fetch(`${f.console}/api/finesse/calls/${dialogId}/hangup`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`test: hang-up of ${dialogId}: ${res.status} ${await res.text()}`);
}

/** `PUT /finesse/api/Dialog/<id>` with a requestedAction on the user's own extension (reference A.2.5). */
export async function dialogAction(f: FinesseLab, username: string, dialogId: string, action: string, requestId?: string): Promise<void> {
  const res = await f.put(username, `/Dialog/${dialogId}`, `<Dialog><requestedAction>${action}</requestedAction><targetMediaAddress>${f.extensionOf(username)}</targetMediaAddress></Dialog>`, {
    headers: requestId === undefined ? {} : { requestId },
  });
  if (res.status !== 202) throw new Error(`test: ${action} on ${dialogId} by ${username}: ${res.status} ${res.text}`);
}

/** Bounded polling of a condition the test cannot be told about (server-side state). */
export async function waitUntil<T>(check: () => T | undefined | false, what: string, ms = WAIT_MS): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`test: timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// --- XML -------------------------------------------------------------------------------------

export function parseXml(text: string): Element {
  const fail = (msg: string) => {
    throw new Error(`test: not well-formed XML from the server: ${msg}\n${text.slice(0, 500)}`);
  };
  const doc = new DOMParser({ errorHandler: { error: fail, fatalError: fail } }).parseFromString(text, 'text/xml');
  if (!doc.documentElement) fail('no root element');
  return doc.documentElement!;
}

export function children(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

export function child(el: Element, localName: string, ns?: string): Element | undefined {
  return children(el).find((c) => c.localName === localName && (ns === undefined || c.namespaceURI === ns));
}

/** The text of the one child `localName` ('' when empty), or undefined when there is none. */
export function childText(el: Element, localName: string): string | undefined {
  const c = child(el, localName);
  return c ? (c.textContent ?? '') : undefined;
}

/** An error's defined condition and `<text>` (RFC 6120 §4.9.2, §6.5, §8.3.2). */
export interface XmppError {
  condition: string;
  text: string;
  /** `[ERR_…]` at the start of the text: the lab's stable code. */
  code: string;
  /** A stanza error's type attribute / an application condition element (XEP-0060 §7). */
  type?: string;
  app?: string;
}

function errorOf(el: Element, conditionNs: string): XmppError {
  const kids = children(el);
  const condition = kids.find((c) => c.namespaceURI === conditionNs && c.localName !== 'text')?.localName ?? '';
  const text = kids.find((c) => c.localName === 'text')?.textContent ?? '';
  const app = kids.find((c) => c.namespaceURI !== conditionNs)?.localName;
  return { condition, text, code: /^\[([A-Z0-9_]+)\]/.exec(text)?.[1] ?? '', type: el.getAttribute('type') || undefined, ...(app ? { app } : {}) };
}

export function isStreamError(el: Element): boolean {
  return el.localName === 'error' && el.namespaceURI === NS.stream;
}

export function streamErrorOf(el: Element): XmppError {
  return errorOf(el, NS.streams);
}

export function stanzaErrorOf(stanza: Element): XmppError | undefined {
  const e = child(stanza, 'error');
  return e ? errorOf(e, NS.stanzas) : undefined;
}

// --- notifications ---------------------------------------------------------------------------

/** One Finesse notification as a desktop receives it (reference A.2.6). */
export interface Note {
  /** The message's from / to (`pubsub.<domain>`, the subscriber's bare or full JID). */
  from: string;
  to: string;
  node: string;
  itemId: string;
  /** The unescaped `<Update>` text and its parse. */
  xml: string;
  update: Element;
  event: string;
  /** undefined when the `<requestId>` element is missing, '' when it is empty. */
  requestId: string | undefined;
  source: string;
  /** The one element inside `<data>` (`user`, `dialogs`, `Dialog`, `apiErrors`). */
  data: Element;
}

/** Stanza knows XEP-0060 events but not Finesse's payload: the `urn:xmpp:push:0` item content. */
interface PushContent {
  itemType: typeof NS.push;
  text: string;
}

function defineFinessePayload(client: XMPP.Agent): void {
  client.stanzas.define({
    element: 'notification',
    namespace: NS.push,
    fields: { text: XMPP.JXT.text() },
    path: 'finesseNotification',
    aliases: XMPP.JXT.pubsubItemContentAliases(),
    type: NS.push,
    typeField: 'itemType',
  });
}

function toNote(msg: XMPP.Stanzas.ReceivedMessage, item: { id?: string; content?: unknown }): Note {
  const content = item.content as PushContent | undefined;
  if (!content || content.itemType !== NS.push) throw new Error(`test: an item without a urn:xmpp:push:0 notification: ${JSON.stringify(item)}`);
  const update = parseXml(content.text);
  if (update.tagName !== 'Update') throw new Error(`test: the notification is a <${update.tagName}>, not an <Update>`);
  const data = child(update, 'data');
  const inner = data ? children(data) : [];
  if (inner.length !== 1) throw new Error(`test: <data> holds ${inner.length} elements: ${content.text}`);
  return {
    from: msg.from,
    to: msg.to,
    node: (msg.pubsub as XMPP.Stanzas.PubsubEvent).items!.node,
    itemId: item.id ?? '',
    xml: content.text,
    update,
    event: childText(update, 'event') ?? '',
    requestId: childText(update, 'requestId'),
    source: childText(update, 'source') ?? '',
    data: inner[0]!,
  };
}

// --- stanza desktops -------------------------------------------------------------------------

export interface DesktopOptions {
  /** The JID localpart (default: the user's loginId). */
  local?: string;
  /** The SASL password (default: the user's credential, see credentialOf). */
  password?: string;
  /** The resource to bind (default: one the server generates). */
  resource?: string;
  /** Send initial available presence after binding (default true), with this priority. */
  presence?: boolean;
  priority?: number;
}

/** How a connection attempt ended. */
export type Outcome =
  | { kind: 'started'; jid: string }
  | { kind: 'sasl-failure'; error: XmppError }
  | { kind: 'stream-error'; error: XmppError }
  | { kind: 'disconnected' };

/** The desktops of the running test (closeDesktops ends them and reports what failed to decode). */
const created = new Set<Desktop>();

/**
 * One agent desktop: a stanza client over one transport, with everything it received (parsed
 * independently) and the Finesse notifications decoded from its XEP-0060 events.
 */
export class Desktop {
  readonly client: XMPP.Agent;
  /** Every top-level element received (for BOSH: the children of each `<body>`). */
  readonly elements: Element[] = [];
  /** BOSH: each `<body>` received. */
  readonly bodies: Element[] = [];
  readonly notes: Note[] = [];
  /** Problems found while decoding what arrived (reported by `assertClean`). */
  readonly problems: string[] = [];
  disconnected = false;
  private readonly events = new EventEmitter();

  private constructor(
    readonly f: FinesseLab,
    readonly user: string,
    readonly transport: TransportName,
    opts: DesktopOptions,
  ) {
    this.events.setMaxListeners(100);
    const local = opts.local ?? f.loginIdOf(user);
    this.client = XMPP.createClient({
      jid: `${local}@${domainOf(f)}`,
      password: opts.password ?? credentialOf(f, user),
      ...(opts.resource === undefined ? {} : { resource: opts.resource }),
      server: domainOf(f),
      timeout: WAIT_MS / 1000,
      transports: { websocket: transport === 'websocket' ? endpoint(f, 'websocket') : false, bosh: transport === 'bosh' ? endpoint(f, 'bosh') : false },
    });
    defineFinessePayload(this.client);
    this.client.on('raw:incoming', (xml) => {
      try {
        const root = parseXml(xml);
        if (transport === 'bosh') {
          this.bodies.push(root);
          this.elements.push(...children(root));
          // XEP-0124 §13/§17: a terminate body ends the session, whatever stanza makes of it.
          if (root.getAttribute('type') === 'terminate') this.markDisconnected();
        } else {
          this.elements.push(root);
        }
      } catch (e) {
        this.problems.push(String(e));
      }
      this.events.emit('update');
    });
    this.client.on('pubsub:published', (msg) => {
      for (const item of msg.pubsub.items.published ?? []) {
        try {
          this.notes.push(toNote(msg, item));
        } catch (e) {
          this.problems.push(String(e));
        }
      }
      this.events.emit('update');
    });
    this.client.on('disconnected', () => this.markDisconnected());
    created.add(this);
  }

  private markDisconnected(): void {
    this.disconnected = true;
    this.events.emit('update');
  }

  /** Connects; resolves with how it went (session started, SASL failure, stream error, closed). */
  static async attempt(f: FinesseLab, user: string, transport: TransportName, opts: DesktopOptions = {}): Promise<{ desktop: Desktop; outcome: Outcome }> {
    const d = new Desktop(f, user, transport, opts);
    const outcome = await d.connect();
    if (outcome.kind === 'started' && opts.presence !== false) await d.available(opts.priority);
    return { desktop: d, outcome };
  }

  /** Connects and expects the session to start (and sends available presence unless told not to). */
  static async open(f: FinesseLab, user: string, transport: TransportName, opts: DesktopOptions = {}): Promise<Desktop> {
    const { desktop, outcome } = await Desktop.attempt(f, user, transport, opts);
    if (outcome.kind !== 'started') throw new Error(`test: ${user} could not connect over ${transport}: ${JSON.stringify(outcome)}`);
    return desktop;
  }

  private connect(): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`test: ${this.user} over ${this.transport}: no session, SASL failure or disconnect within ${WAIT_MS} ms`)), WAIT_MS);
      const done = (o: Outcome) => {
        clearTimeout(timer);
        this.client.off('session:started', onStarted);
        this.client.off('sasl', onSasl);
        this.events.off('update', onUpdate);
        resolve(o);
      };
      const onStarted = () => done({ kind: 'started', jid: this.client.jid });
      const onSasl = (s: XMPP.Stanzas.SASL) => {
        if (s.type !== 'failure') return;
        // Decoded from the raw <failure>, not from stanza's enum (which drops unknown conditions).
        const raw = [...this.elements].reverse().find((e) => e.localName === 'failure' && e.namespaceURI === NS.sasl);
        done({ kind: 'sasl-failure', error: raw ? errorOf(raw, NS.sasl) : { condition: s.condition ?? '', text: s.text ?? '', code: '' } });
      };
      const onUpdate = () => {
        const se = this.streamError();
        if (se) return done({ kind: 'stream-error', error: se });
        if (this.disconnected) done({ kind: 'disconnected' });
      };
      this.client.on('session:started', onStarted);
      this.client.on('sasl', onSasl);
      this.events.on('update', onUpdate);
      void this.client.connect();
      // stanza's BOSH transport ends its stream on a terminate <body> and then still pushes the
      // stream error inside it ("push() after EOF"): the terminate itself is what we read.
      (this.client.transport as unknown as EventEmitter | undefined)?.on('error', (e: Error) => {
        if (!/after EOF/.test(e.message)) this.problems.push(`transport error: ${e.message}`);
      });
    });
  }

  /** The JID the server bound (RFC 6120 §7.6.1: `<bind><jid>`). */
  get jid(): string {
    return this.client.jid;
  }

  get bare(): string {
    return this.client.jid.split('/')[0]!;
  }

  /** Initial (or renewed) available presence (RFC 6121 §4.2), then a round trip so the server has it. */
  async available(priority?: number): Promise<void> {
    this.client.sendPresence(priority === undefined ? {} : { priority });
    await this.barrier();
  }

  async unavailable(): Promise<void> {
    this.client.sendPresence({ type: 'unavailable' });
    await this.barrier();
  }

  /**
   * An XMPP ping (XEP-0199) round trip: the server answers in order, so whatever it sent before
   * (a notification published by a REST call that has returned) has been received and decoded.
   */
  async barrier(): Promise<void> {
    await this.client.ping(domainOf(this.f));
  }

  /** Resolves when `check` returns something, re-checked on everything that arrives; bounded. */
  until<T>(check: () => T | undefined, what: string, ms = WAIT_MS): Promise<T> {
    return waitOn(this.events, check, ms, () => `test: ${this.user} over ${this.transport}: timed out after ${ms} ms waiting for ${what}; notes: ${this.describeNotes()}`);
  }

  /** The first notification (from index `since`) matching `match`. */
  note(match: (n: Note) => boolean, what: string, since = 0): Promise<Note> {
    return this.until(() => this.notes.slice(since).find(match), what);
  }

  notesOn(node: string): Note[] {
    return this.notes.filter((n) => n.node === node);
  }

  describeNotes(): string {
    return JSON.stringify(this.notes.map((n) => `${n.node} ${n.event} ${n.requestId ?? '(none)'} ${n.data.tagName}`));
  }

  /** The first stream error received, if any. */
  streamError(): XmppError | undefined {
    const el = this.elements.find(isStreamError);
    return el ? streamErrorOf(el) : undefined;
  }

  /** Waits for the stream error (RFC 6120 §4.9) and for the stream to end. */
  async expectStreamError(): Promise<XmppError> {
    const e = await this.until(() => this.streamError(), 'a stream error');
    await this.until(() => (this.disconnected ? true : undefined), 'the disconnect after the stream error');
    return e;
  }

  /**
   * An IQ whose error the caller asserts: stanza rejects with the error IQ; we decode the raw one
   * (its `<text>` and pub-sub condition) from what arrived.
   */
  async iqError(send: () => Promise<unknown>): Promise<XmppError> {
    try {
      await send();
    } catch (e) {
      const iq = e as { type?: string; id?: string; error?: { condition?: string } };
      if (iq.type !== 'error') throw e;
      const raw = this.elements.find((el) => el.localName === 'iq' && el.getAttribute('type') === 'error' && el.getAttribute('id') === iq.id);
      if (!raw) throw new Error(`test: no error iq ${iq.id} from the server (${iq.error?.condition ?? 'no condition'})`);
      return stanzaErrorOf(raw)!;
    }
    throw new Error('test: the request succeeded; an error was expected');
  }

  /** A clean end: `<close/>` (RFC 7395 §3.6) or a BOSH `type="terminate"` (XEP-0124 §13). */
  async close(): Promise<void> {
    if (this.disconnected) return;
    void this.client.disconnect();
    await this.until(() => (this.disconnected ? true : undefined), 'the disconnect');
  }

  /**
   * The desktop vanishes without a word: the WebSocket's TCP connection is destroyed (no close
   * frame, no `<close/>`); a BOSH client simply stops polling (XEP-0124 §7.1 inactivity).
   */
  kill(): void {
    const t = this.client.transport as unknown as { socket?: WebSocket; isEnded?: boolean; idleTimeout?: NodeJS.Timeout } | undefined;
    if (!t) throw new Error('test: no transport to kill');
    if (this.transport === 'websocket') {
      t.socket!.terminate();
    } else {
      t.isEnded = true;
      clearTimeout(t.idleTimeout);
    }
  }

  /** Everything decoded without problems (each notification an `<Update>`, each frame XML). */
  assertClean(): void {
    if (this.problems.length) throw new Error(`test: ${this.problems.join('\n')}`);
  }
}

/**
 * Ends every desktop of the test still open (afterEach), so no client outlives its test, and fails
 * if anything a desktop received could not be decoded (not XML, a notification without an Update).
 */
export async function closeDesktops(): Promise<void> {
  const list = [...created];
  created.clear();
  await Promise.all(
    list.map(async (d) => {
      if (d.disconnected) return;
      if (d.transport === 'bosh' && (d.client.transport as unknown as { isEnded?: boolean } | undefined)?.isEnded) return;
      try {
        await d.close();
      } catch {
        // a desktop the test broke on purpose
      }
    }),
  );
  for (const d of list) d.assertClean();
}

// --- raw WebSocket ---------------------------------------------------------------------------

/** A WebSocket the test writes frames to by hand (RFC 7395 framing, or deliberately not). */
export class RawWs {
  readonly frames: string[] = [];
  closeCode: number | undefined;
  private readonly events = new EventEmitter();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? `(binary ${String(data)})` : String(data));
      this.events.emit('update');
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.events.emit('update');
    });
    ws.on('error', () => this.events.emit('update'));
  }

  static connect(f: FinesseLab, path = '/ws', protocols: string[] | undefined = ['xmpp']): Promise<RawWs> {
    const url = endpoint(f, 'websocket').replace(/\/ws$/, path);
    const ws = protocols ? new WebSocket(url, protocols) : new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawWs(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`test: handshake refused with ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** A handshake the server must refuse: its HTTP status, headers and body. */
  static refused(f: FinesseLab, path = '/ws', protocols?: string[]): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
    const url = endpoint(f, 'websocket').replace(/\/ws$/, path);
    const ws = protocols ? new WebSocket(url, protocols) : new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        ws.terminate();
        reject(new Error('test: the handshake was accepted'));
      });
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      });
      ws.once('error', (e) => {
        if (!/Unexpected server response/.test(String(e))) reject(e);
      });
    });
  }

  send(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The first frame (from index `since`) for which `match` holds; bounded. */
  frame(match: (frame: string) => boolean, what: string, since = 0): Promise<string> {
    return this.until(() => this.frames.slice(since).find(match), what);
  }

  until<T>(check: () => T | undefined, what: string, ms = WAIT_MS): Promise<T> {
    return waitOn(this.events, check, ms, () => `test: timed out after ${ms} ms waiting for ${what}; frames: ${JSON.stringify(this.frames)}`);
  }

  /** `<open/>` (RFC 7395 §3.3.1) and the features that answer it. */
  async openStream(to: string): Promise<void> {
    const since = this.frames.length;
    this.send(`<open xmlns="${NS.framing}" to="${to}" version="1.0"/>`);
    await this.frame((fr) => fr.includes('features'), 'the stream features', since);
  }

  /** A SASL PLAIN `<auth>` (RFC 4616); resolves with the server's `<success/>` or `<failure>`. */
  async auth(authcid: string, password: string, authzid = ''): Promise<Element> {
    const since = this.frames.length;
    this.send(`<auth xmlns="${NS.sasl}" mechanism="PLAIN">${Buffer.from(`${authzid}\0${authcid}\0${password}`).toString('base64')}</auth>`);
    const fr = await this.frame((x) => /^<(success|failure)\b/.test(x), 'the SASL outcome', since);
    return parseXml(fr);
  }

  /**
   * A whole sign-in by hand: `<open/>`, SASL PLAIN, the stream restart (RFC 6120 §6.4.6) and
   * resource binding (§7); returns the bound JID.
   */
  async login(domain: string, authcid: string, password: string, resource: string): Promise<string> {
    await this.openStream(domain);
    const outcome = await this.auth(authcid, password);
    if (outcome.localName !== 'success') throw new Error(`test: SASL failed: ${new XMLSerializer().serializeToString(outcome)}`);
    await this.openStream(domain);
    const since = this.frames.length;
    this.send(`<iq xmlns="${NS.client}" type="set" id="bind-1"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><resource>${resource}</resource></bind></iq>`);
    const answer = parseXml(await this.frame((x) => x.includes('id="bind-1"'), 'the bind result', since));
    const jid = answer.getElementsByTagName('jid')[0]?.textContent;
    if (answer.getAttribute('type') !== 'result' || !jid) throw new Error(`test: bind failed: ${new XMLSerializer().serializeToString(answer)}`);
    return jid;
  }

  /** The stream error the server sent, its `<close/>` and the WebSocket close (RFC 7395 §3.6). */
  async expectStreamError(): Promise<XmppError> {
    const fr = await this.frame((x) => x.includes(':error') && x.includes(NS.stream), 'a stream error');
    await this.frame((x) => parseXml(x).localName === 'close', 'the <close/> after the stream error');
    await this.until(() => this.closeCode, 'the WebSocket close');
    return streamErrorOf(parseXml(fr));
  }

  close(): void {
    this.ws.terminate();
  }
}

// --- raw BOSH --------------------------------------------------------------------------------

export interface BoshAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** `X-Idp-Harness-Error`. */
  code: string | null;
  /** The parsed `<body>` when the answer is XML. */
  body: Element | undefined;
}

/** One POST (or other method) to `/http-bind`. */
export async function boshRequest(f: FinesseLab, payload: string | Uint8Array | undefined, init: { method?: string; headers?: Record<string, string> } = {}): Promise<BoshAnswer> {
  // Bounded: the server holds a request at most `wait` seconds (XEP-0124 §7.1), far below this.
  let res: Response;
  try {
    res = await fetch(endpoint(f, 'bosh'), {
      method: init.method ?? 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', ...init.headers },
      signal: AbortSignal.timeout(WAIT_MS),
      ...(payload === undefined ? {} : { body: typeof payload === 'string' ? payload : new Uint8Array(payload) }),
    });
  } catch (e) {
    throw new Error(`test: no BOSH answer within ${WAIT_MS} ms (${String(e)}) to: ${String(payload).slice(0, 300)}`);
  }
  const text = await res.text();
  const xml = /xml/.test(res.headers.get('content-type') ?? '') && text !== '';
  return { status: res.status, headers: res.headers, text, code: res.headers.get('x-idp-harness-error'), body: xml ? parseXml(text) : undefined };
}

/** A `<body>` with attributes and content (XEP-0124 §4). */
export function boshBody(attrs: Record<string, string | number>, inner = ''): string {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
  return `<body xmlns="${NS.httpbind}" xmlns:xmpp="${NS.xbosh}"${a}>${inner}</body>`;
}

/** A BOSH session opened by hand (XEP-0206 §4): its sid and the next rid. */
export async function boshSession(f: FinesseLab, attrs: Record<string, string | number> = {}): Promise<{ sid: string; rid: number; answer: BoshAnswer }> {
  const rid = 1000;
  const answer = await boshRequest(f, boshBody({ to: domainOf(f), rid, wait: 1, hold: 1, 'xmpp:version': '1.0', ...attrs }));
  const sid = answer.body?.getAttribute('sid');
  if (!sid) throw new Error(`test: no BOSH session: ${answer.text}`);
  return { sid, rid: rid + 1, answer };
}

/** Resolves with the first value `check` returns, re-checked on each 'update' of `events`; rejects after `ms`. */
function waitOn<T>(events: EventEmitter, check: () => T | undefined, ms: number, timeoutMessage: () => string): Promise<T> {
  return new Promise((resolve, reject) => {
    const first = check();
    if (first !== undefined) return resolve(first);
    const onUpdate = () => {
      const v = check();
      if (v === undefined) return;
      clearTimeout(timer);
      events.off('update', onUpdate);
      resolve(v);
    };
    const timer = setTimeout(() => {
      events.off('update', onUpdate);
      reject(new Error(timeoutMessage()));
    }, ms);
    events.on('update', onUpdate);
  });
}
