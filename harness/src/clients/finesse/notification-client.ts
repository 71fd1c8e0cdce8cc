/**
 * A reference Finesse notification client for third-party agent desktops, written to be copied.
 * Finesse answers a state change or a call action with 202 and an empty body; the outcome (and
 * every call event) arrives on its notification service: XMPP publish-subscribe (XEP-0060) on
 * Openfire, which a desktop reaches over WebSocket (RFC 7395, `wss://<finesse>/ws/`) or BOSH
 * (XEP-0124/0206, `https://<finesse>/http-bind/`) (reference A.2.4, A.2.6). It needs only `ws`,
 * Node's `http`/`https` and `@xmldom/xmldom`, and takes the PEM of a private CA (`ca`), which is
 * why it does not sit on a general XMPP library. What it does, in order:
 *
 *   1. opens the stream to the XMPP domain: by default the host name of the Finesse URL, which is
 *      what Finesse uses unless configured otherwise; when it differs, pass `domain` (SystemInfo
 *      `xmppDomain`, `FinesseRestClient.systemInfo()`);
 *   2. SASL PLAIN (RFC 4616) as `\0<loginId>\0<secret>`: the JID's localpart is the agent's
 *      loginId, the secret the Basic password of a non-SSO agent or the IdS access token of an
 *      SSO agent (the same credentials as the REST API, reference A.2.6);
 *   3. restarts the stream, binds a resource (RFC 6120 §7; `desktop` is the Finesse desktop's
 *      own, so the default is `idp-harness-<random>`), sends the legacy session request
 *      (RFC 3921 §3) and initial presence (RFC 6121 §4.2), then pings (XEP-0199) so that the
 *      presence is known to be in place when connect() resolves. Finesse signs an agent out
 *      60 s after their last desktop goes unavailable: stay connected while signed in;
 *   4. answers the server's pings and turns each pub-sub event into a FinesseUpdate: the
 *      `<notification xmlns="urn:xmpp:push:0">` text of an item is an escaped `<Update>`.
 *
 * The agent's own nodes (`/finesse/api/User/<id>`, `…/Dialogs`) are subscribed by Finesse; a
 * supervisor subscribes to `/finesse/api/Team/<id>/Users` with subscribe(). A SASL failure, a
 * stream error, a BOSH terminate with a condition, an iq error and a refused HTTP handshake are
 * FinesseNotificationError: the XMPP condition, and the `[ERR_…]` code an idp-harness lab puts
 * in `<text>` (undefined from a real Finesse).
 *
 *   const n = await FinesseNotificationClient.connect({ finesseUrl, transport: 'websocket', loginId: '1001', password: token, ca });
 *   await api.setState('1001', 'READY', { requestId: 'r-1' });        // FinesseRestClient
 *   const u = await n.waitForState('READY', { requestId: 'r-1' });    // the User notification
 *   await n.close();
 */
import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { DOMParser } from '@xmldom/xmldom';
import WebSocket from 'ws';

export interface FinesseNotificationClientOptions {
  /** Finesse's base URL, e.g. https://finesse.example.com:8445. */
  finesseUrl: string;
  /** XMPP over WebSocket (RFC 7395) or BOSH (XEP-0124/0206). */
  transport: 'websocket' | 'bosh';
  /** The agent's loginId (peripheral id): the localpart of the JID. */
  loginId: string;
  /** The Basic password of a non-SSO agent, or the IdS access token of an SSO agent. */
  password: string;
  /** The XMPP domain (SystemInfo `xmppDomain`); default: the host name of the notification URL. */
  domain?: string;
  /** The resource to bind; default `idp-harness-<random>`. Never `desktop` (Finesse's own). */
  resource?: string;
  /** PEM of the CA that the TLS certificate chains to, when it is not a public one. */
  ca?: string;
  /** Base URL of the notification service when it is not Finesse's (a real Finesse: https://<host>:7443). */
  xmppUrl?: string;
  /** Give up on connecting, on an iq and on waitFor after this many milliseconds (default 10 s). */
  timeoutMs?: number;
  /** Called for each notification, in order (as on('update', …)). */
  onUpdate?: (update: FinesseUpdate) => void;
}

/** One Finesse notification: an `<Update>` published on a node (reference A.2.6). */
export interface FinesseUpdate {
  /** The pub-sub node, e.g. `/finesse/api/User/1001` or `/finesse/api/User/1001/Dialogs`. */
  node: string;
  /** The pub-sub item id. */
  itemId: string;
  /** PUT, POST, DELETE (`put` on an asynchronous error). */
  event: string;
  /** The `requestId` header of the REST request that caused it; '' when none. */
  requestId: string;
  /** The object that changed, e.g. `/finesse/api/User/1001` or `/finesse/api/Dialog/16777217`. */
  source: string;
  /** child element name of <data>: 'user' | 'dialogs' | 'Dialog' | 'apiErrors' */
  kind: string;
  /** That child element of `<data>` (the `<user>`, `<dialogs>`, `<Dialog>` or `<apiErrors>`). */
  data: Element;
  /** the unescaped <Update> */
  xml: string;
  /** Date.now() when it arrived. */
  receivedAt: number;
}

export interface WaitOptions {
  /** Default: the client's timeoutMs. */
  timeoutMs?: number;
  /** Look only at updates from this index of `updates` on (e.g. `client.updates.length` before a request). */
  since?: number;
}

/** What failed: SASL (RFC 6120 §6.5), the stream (§4.9), a BOSH session (XEP-0124 §17), an iq (§8.3), the HTTP handshake. */
export type FinesseNotificationErrorKind = 'sasl' | 'stream' | 'bosh' | 'stanza' | 'http';

export class FinesseNotificationError extends Error {
  constructor(
    readonly kind: FinesseNotificationErrorKind,
    /** The XMPP condition (`not-authorized`, `conflict`, `item-not-found`, …) or `HTTP <status>`. */
    readonly condition: string,
    /** The idp-harness lab's stable code (`[ERR_…]` in `<text>`, or `X-Idp-Harness-Error`); undefined from a real Finesse. */
    readonly code: string | undefined,
    /** The `<text>` (or HTTP body), as sent. */
    readonly text: string,
    /** An application condition of a stanza error, e.g. XEP-0060's `closed-node`. */
    readonly appCondition?: string,
  ) {
    super(`XMPP ${kind} error: ${condition}${code ? ` [${code}]` : ''}${text ? ` (${text})` : ''}`);
    this.name = 'FinesseNotificationError';
  }
}

const NS = {
  client: 'jabber:client',
  stream: 'http://etherx.jabber.org/streams',
  streams: 'urn:ietf:params:xml:ns:xmpp-streams',
  sasl: 'urn:ietf:params:xml:ns:xmpp-sasl',
  bind: 'urn:ietf:params:xml:ns:xmpp-bind',
  session: 'urn:ietf:params:xml:ns:xmpp-session',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  framing: 'urn:ietf:params:xml:ns:xmpp-framing',
  httpbind: 'http://jabber.org/protocol/httpbind',
  xbosh: 'urn:xmpp:xbosh',
  ping: 'urn:xmpp:ping',
  pubsub: 'http://jabber.org/protocol/pubsub',
  pubsubEvent: 'http://jabber.org/protocol/pubsub#event',
  push: 'urn:xmpp:push:0',
} as const;

/** Notifications are a few kilobytes; anything far larger is refused rather than buffered. */
const MAX_FRAME_BYTES = 1024 * 1024;
/** XEP-0124 `wait`: how long the server may hold our long-poll, in seconds. */
const BOSH_WAIT = 30;

export class FinesseNotificationClient {
  /** Every notification received, in order. */
  readonly updates: FinesseUpdate[] = [];
  /** The bound full JID, `<loginId>@<domain>/<resource>`. */
  jid = '';
  readonly domain: string;
  /** Resolves when the stream has ended: undefined after close(), else why it ended. */
  readonly closed: Promise<Error | undefined>;

  private transport: Transport | undefined;
  private readonly timeoutMs: number;
  private readonly expectations: Array<{ match: (el: Element) => boolean; resolve: (el: Element) => void; reject: (e: Error) => void }> = [];
  private readonly iqs = new Map<string, { resolve: (el: Element) => void; reject: (e: Error) => void }>();
  private readonly waiters = new Set<{ match: (u: FinesseUpdate) => boolean; resolve: (u: FinesseUpdate) => void; reject: (e: Error) => void }>();
  private readonly updateListeners = new Set<(u: FinesseUpdate) => void>();
  private readonly closeListeners = new Set<(error: Error | undefined) => void>();
  /** undefined while open; null after a clean close; else why it ended. */
  private ended: Error | null | undefined;
  private streamError: FinesseNotificationError | undefined;
  /** Why connect() failed, when it did. */
  private failure: Error | undefined;
  private closing = false;
  private lastId = 0;
  private resolveClosed!: (e: Error | undefined) => void;

  private constructor(private readonly opts: FinesseNotificationClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.domain = opts.domain ?? new URL(opts.xmppUrl ?? opts.finesseUrl).hostname.replace(/^\[|\]$/g, '');
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    if (opts.onUpdate) this.updateListeners.add(opts.onUpdate);
  }

  /** Connects, authenticates, binds and sends presence; rejects with a FinesseNotificationError or a network error. */
  static async connect(opts: FinesseNotificationClientOptions): Promise<FinesseNotificationClient> {
    const client = new FinesseNotificationClient(opts);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no XMPP session with ${client.baseUrl()} within ${client.timeoutMs} ms`)), client.timeoutMs);
    });
    try {
      await Promise.race([client.handshake(), deadline]);
      return client;
    } catch (e) {
      client.failure = e as Error;
      await client.transport?.end('', 1000);
      client.finish(e as Error);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The bare JID, `<loginId>@<domain>`. */
  get bareJid(): string {
    return this.jid.replace(/\/.*$/, '');
  }

  /** `on('update')`: each notification, in order; `on('close')`: the stream ended (with why). Returns an unsubscribe. */
  on(event: 'update', listener: (update: FinesseUpdate) => void): () => void;
  on(event: 'close', listener: (error: Error | undefined) => void): () => void;
  on(event: 'update' | 'close', listener: ((u: FinesseUpdate) => void) | ((e: Error | undefined) => void)): () => void {
    const set = (event === 'update' ? this.updateListeners : this.closeListeners) as Set<typeof listener>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * The first update matching `predicate`, among those received so far (from `since`) or later.
   * Rejects after the timeout, or when the stream ends first, naming what did arrive.
   */
  waitFor(predicate: (u: FinesseUpdate) => boolean, opts: WaitOptions & { description?: string } = {}): Promise<FinesseUpdate> {
    const found = this.updates.slice(opts.since ?? 0).find(predicate);
    if (found) return Promise.resolve(found);
    const what = opts.description ?? 'a matching notification';
    if (this.ended !== undefined) return Promise.reject(new Error(`the XMPP stream has ended (${this.ended?.message ?? 'closed'}) without ${what}; ${this.summary()}`));
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    return new Promise((resolve, reject) => {
      const w = {
        match: predicate,
        resolve: (u: FinesseUpdate) => {
          clearTimeout(timer);
          resolve(u);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(new Error(`the XMPP stream ended (${e.message}) before ${what}; ${this.summary()}`));
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`no ${what} within ${timeoutMs} ms; ${this.summary()}`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  /** The first update carrying this `requestId` (of one `kind`, e.g. 'user', when given). */
  waitForRequest(requestId: string, opts: WaitOptions & { kind?: string; node?: string } = {}): Promise<FinesseUpdate> {
    return this.waitFor((u) => u.requestId === requestId && (opts.kind === undefined || u.kind === opts.kind) && (opts.node === undefined || u.node === opts.node), {
      ...opts,
      description: `notification for requestId '${requestId}'${opts.kind ? ` of kind ${opts.kind}` : ''}${opts.node ? ` on ${opts.node}` : ''}`,
    });
  }

  /** The first User notification of this agent in `state` (and with `requestId`, when given). */
  waitForState(state: string, opts: WaitOptions & { requestId?: string } = {}): Promise<FinesseUpdate> {
    const node = `/finesse/api/User/${this.opts.loginId}`;
    return this.waitFor((u) => u.node === node && u.kind === 'user' && childText(u.data, 'state') === state && (opts.requestId === undefined || u.requestId === opts.requestId), {
      ...opts,
      description: `User notification with state ${state}${opts.requestId === undefined ? '' : ` and requestId '${opts.requestId}'`}`,
    });
  }

  /** XEP-0060 §6.1: subscribes the bare JID to `node` (e.g. `/finesse/api/Team/<id>/Users`); returns the subid. */
  async subscribe(node: string): Promise<string> {
    const result = await this.iq('set', `pubsub.${this.domain}`, `<pubsub xmlns="${NS.pubsub}"><subscribe node="${esc(node)}" jid="${esc(this.bareJid)}"/></pubsub>`);
    const sub = find(find(result, 'pubsub', NS.pubsub), 'subscription', NS.pubsub);
    return sub?.getAttribute('subid') ?? '';
  }

  /** XEP-0060 §6.2: ends the bare JID's subscription to `node`. */
  async unsubscribe(node: string, subid?: string): Promise<void> {
    const id = subid === undefined ? '' : ` subid="${esc(subid)}"`;
    await this.iq('set', `pubsub.${this.domain}`, `<pubsub xmlns="${NS.pubsub}"><unsubscribe node="${esc(node)}" jid="${esc(this.bareJid)}"${id}/></pubsub>`);
  }

  /** XEP-0199: a round trip to the server (stanzas are handled in order, so what was sent before is done). */
  async ping(): Promise<void> {
    await this.iq('get', this.domain, `<ping xmlns="${NS.ping}"/>`);
  }

  /** RFC 6121 §4.5: unavailable presence; Finesse starts its forced-logout countdown (reference A.2.6). */
  async setUnavailable(): Promise<void> {
    this.send(`<presence xmlns="${NS.client}" type="unavailable"/>`);
    await this.ping();
  }

  /** Available presence again (RFC 6121 §4.2), e.g. after setUnavailable(). */
  async setAvailable(): Promise<void> {
    this.send(`<presence xmlns="${NS.client}"/>`);
    await this.ping();
  }

  /** Unavailable presence and the end of the stream (RFC 6121 §4.6; `<close/>` or a BOSH terminate). */
  async close(): Promise<void> {
    if (this.ended !== undefined || !this.transport) return;
    this.closing = true;
    await this.transport.end(`<presence xmlns="${NS.client}" type="unavailable"/>`, this.timeoutMs);
    this.finish(undefined);
  }

  // --- the stream ----------------------------------------------------------------------------

  private baseUrl(): string {
    return (this.opts.xmppUrl ?? this.opts.finesseUrl).replace(/\/+$/, '');
  }

  private async handshake(): Promise<void> {
    const events: TransportEvents = { element: (el) => this.onElement(el), closed: (e) => this.finish(e) };
    const base = this.baseUrl();
    this.transport =
      this.opts.transport === 'websocket'
        ? await WebSocketTransport.connect(`${base.replace(/^http/, 'ws')}/ws/`, this.domain, this.opts.ca, this.timeoutMs, events)
        : new BoshTransport(new URL(`${base}/http-bind/`), this.domain, this.opts.ca, this.timeoutMs, events);
    if (this.ended !== undefined) return this.transport.destroy(); // connect() gave up while the socket opened

    const features = await this.streamStart(false);
    const mechanisms = find(features, 'mechanisms', NS.sasl);
    if (!mechanisms || !children(mechanisms).some((m) => m.textContent?.trim() === 'PLAIN')) throw new Error('the server does not offer SASL PLAIN');
    // RFC 4616 §2: [authzid] NUL authcid NUL passwd, base64 in <auth> (RFC 6120 §6.4.2).
    const outcome = this.expect((el) => el.namespaceURI === NS.sasl && (el.localName === 'success' || el.localName === 'failure'));
    this.send(`<auth xmlns="${NS.sasl}" mechanism="PLAIN">${Buffer.from(`\0${this.opts.loginId}\0${this.opts.password}`).toString('base64')}</auth>`);
    const result = await outcome;
    if (result.localName === 'failure') throw errorOf('sasl', result, NS.sasl);

    const restarted = await this.streamStart(true);
    const resource = this.opts.resource ?? `idp-harness-${randomBytes(4).toString('hex')}`;
    const bound = await this.iq('set', undefined, `<bind xmlns="${NS.bind}"><resource>${esc(resource)}</resource></bind>`);
    this.jid = find(find(bound, 'bind', NS.bind), 'jid', NS.bind)?.textContent?.trim() ?? '';
    if (this.jid === '') throw new Error('the server bound no JID');
    if (find(restarted, 'session', NS.session)) await this.iq('set', undefined, `<session xmlns="${NS.session}"/>`);
    this.send(`<presence xmlns="${NS.client}"/>`);
    await this.ping();
  }

  /** Opens the stream (or restarts it after SASL, RFC 6120 §6.4.6) and waits for its features. */
  private streamStart(restart: boolean): Promise<Element> {
    const features = this.expect((el) => el.namespaceURI === NS.stream && el.localName === 'features');
    this.transport!.open(restart);
    return features;
  }

  private expect(match: (el: Element) => boolean): Promise<Element> {
    return new Promise((resolve, reject) => {
      if (this.ended !== undefined) return reject(this.ended ?? new Error('the XMPP stream is closed'));
      this.expectations.push({ match, resolve, reject });
    });
  }

  private send(xml: string): void {
    if (this.ended !== undefined || !this.transport) throw new Error(`the XMPP stream is closed${this.ended ? ` (${this.ended.message})` : ''}`);
    this.transport.send(xml);
  }

  /** An iq get/set and its result (RFC 6120 §8.2.3); an error answer rejects with a FinesseNotificationError. */
  private iq(type: 'get' | 'set', to: string | undefined, inner: string): Promise<Element> {
    const id = `c${++this.lastId}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.iqs.delete(id);
        reject(new Error(`no answer to iq ${id} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const done = () => (clearTimeout(timer), this.iqs.delete(id));
      this.iqs.set(id, { resolve: (el) => (done(), resolve(el)), reject: (e) => (done(), reject(e)) });
      try {
        this.send(`<iq xmlns="${NS.client}" type="${type}" id="${id}"${to === undefined ? '' : ` to="${esc(to)}"`}>${inner}</iq>`);
      } catch (e) {
        this.iqs.get(id)!.reject(e as Error);
      }
    });
  }

  private onElement(el: Element): void {
    if (el.namespaceURI === NS.stream && el.localName === 'error') {
      // RFC 6120 §4.9: fatal; the server closes the stream next.
      this.streamError = errorOf('stream', el, NS.streams);
      for (const x of this.expectations.splice(0)) x.reject(this.streamError);
      for (const p of [...this.iqs.values()]) p.reject(this.streamError);
      return;
    }
    const i = this.expectations.findIndex((x) => x.match(el));
    if (i >= 0) return this.expectations.splice(i, 1)[0]!.resolve(el);
    if (el.namespaceURI !== NS.client) return;
    if (el.localName === 'iq') this.onIq(el);
    else if (el.localName === 'message') this.onMessage(el);
    // Presence: the server's echo of ours (RFC 6121 §4.2.2) and other resources'; nothing to do.
  }

  private onIq(el: Element): void {
    const type = el.getAttribute('type');
    const id = el.getAttribute('id') ?? '';
    if (type === 'result' || type === 'error') {
      const pending = this.iqs.get(id);
      if (pending && type === 'result') pending.resolve(el);
      else if (pending) pending.reject(errorOf('stanza', find(el, 'error', NS.client) ?? el, NS.stanzas));
      return;
    }
    if (type !== 'get' && type !== 'set') return;
    const to = el.getAttribute('from');
    const addr = `${to ? ` to="${esc(to)}"` : ''} id="${esc(id)}"`;
    // XEP-0199 §4.2: answer the server's ping; RFC 6120 §8.4: any other request gets service-unavailable.
    if (type === 'get' && find(el, 'ping', NS.ping)) return this.trySend(`<iq xmlns="${NS.client}" type="result"${addr}/>`);
    this.trySend(`<iq xmlns="${NS.client}" type="error"${addr}><error type="cancel"><service-unavailable xmlns="${NS.stanzas}"/></error></iq>`);
  }

  /** XEP-0060 §7.1.2 event notifications; Finesse puts an escaped `<Update>` in each item (reference A.2.6). */
  private onMessage(el: Element): void {
    const items = find(find(el, 'event', NS.pubsubEvent), 'items', NS.pubsubEvent);
    if (!items) return;
    const node = items.getAttribute('node') ?? '';
    for (const item of children(items)) {
      if (item.localName !== 'item') continue;
      const payload = find(item, 'notification', NS.push);
      const update = payload ? parseUpdate(node, item.getAttribute('id') ?? '', payload.textContent ?? '') : undefined;
      if (update) this.deliver(update);
    }
  }

  private deliver(u: FinesseUpdate): void {
    this.updates.push(u);
    for (const l of this.updateListeners) l(u);
    for (const w of [...this.waiters]) {
      if (!w.match(u)) continue;
      this.waiters.delete(w);
      w.resolve(u);
    }
  }

  private trySend(xml: string): void {
    if (this.ended === undefined) this.transport?.send(xml);
  }

  /** The stream is over: everything still waiting learns why. */
  private finish(error: Error | undefined): void {
    if (this.ended !== undefined) return;
    const why = this.streamError ?? this.failure ?? (this.closing ? undefined : (error ?? new Error('the server closed the stream')));
    this.ended = why ?? null;
    const reason = why ?? new Error('the XMPP stream was closed');
    for (const x of this.expectations.splice(0)) x.reject(reason);
    for (const p of [...this.iqs.values()]) p.reject(reason);
    for (const w of this.waiters) w.reject(reason);
    this.waiters.clear();
    this.transport?.destroy();
    for (const l of this.closeListeners) l(why);
    this.resolveClosed(why);
  }

  private summary(): string {
    const last = this.updates.slice(-8).map((u) => `${u.node} ${u.event} ${u.kind}${u.kind === 'user' ? `=${childText(u.data, 'state')}` : ''} requestId='${u.requestId}'`);
    return `received ${this.updates.length} notification(s)${last.length ? `, the last: ${last.join('; ')}` : ''}`;
  }
}

// --- transports ----------------------------------------------------------------------------

interface TransportEvents {
  /** One top-level element from the server (a stanza, features, a SASL answer, a stream error). */
  element(el: Element): void;
  /** The connection is gone (with why, when it was not our close). */
  closed(error?: Error): void;
}

interface Transport {
  /** Opens the XMPP stream, or a new one after SASL (`restart`). */
  open(restart: boolean): void;
  send(xml: string): void;
  /** Sends `final` (e.g. unavailable presence), ends the stream and waits up to `waitMs` for the server to end it too. */
  end(final: string, waitMs: number): Promise<void>;
  /** Drops the connection at once. */
  destroy(): void;
}

/**
 * RFC 7395: one WebSocket with the `xmpp` subprotocol (§3.1), one complete element per text frame
 * (§3.3.3), `<open/>` and `<close/>` in the framing namespace instead of a stream header (§3.3.2,
 * §3.6). WebSocket pings are answered by `ws` itself.
 */
class WebSocketTransport implements Transport {
  private constructor(
    private readonly ws: WebSocket,
    private readonly domain: string,
  ) {}

  static connect(url: string, domain: string, ca: string | undefined, timeoutMs: number, ev: TransportEvents): Promise<WebSocketTransport> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, 'xmpp', { handshakeTimeout: timeoutMs, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, ...(ca === undefined ? {} : { ca }) });
      let opened = false;
      ws.on('unexpected-response', (req, res) => {
        // The handshake was refused: the status and the lab's code (e.g. a missing xmpp subprotocol).
        const code = res.headers['x-idp-harness-error'];
        reject(new FinesseNotificationError('http', `HTTP ${res.statusCode ?? 0}`, typeof code === 'string' ? code : undefined, res.statusMessage ?? ''));
        req.destroy();
      });
      ws.on('error', (err) => (opened ? ev.closed(err) : reject(err)));
      ws.on('open', () => {
        opened = true;
        resolve(new WebSocketTransport(ws, domain));
      });
      ws.on('message', (data, isBinary) => {
        const el = isBinary ? undefined : parseXml(data.toString());
        if (!el) {
          ev.closed(new Error('the server sent a frame that is not one well-formed XML element (RFC 7395 §3.3.3)'));
          return void ws.terminate();
        }
        if (el.namespaceURI === NS.framing) return; // <open/>, and <close/> before the socket closes (§3.6)
        ev.element(el);
      });
      // Before 'open', a failed handshake is connect()'s rejection, not a closed stream.
      ws.on('close', () => opened && ev.closed());
    });
  }

  open(): void {
    // The same header starts the stream and restarts it after SASL (RFC 7395 §3.3.2, §3.5).
    this.send(`<open xmlns="${NS.framing}" to="${esc(this.domain)}" version="1.0"/>`);
  }

  send(xml: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(xml);
  }

  end(final: string, waitMs: number): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.ws.terminate(), resolve()), waitMs);
      this.ws.once('close', () => (clearTimeout(timer), resolve()));
      if (final) this.send(final);
      this.send(`<close xmlns="${NS.framing}"/>`);
    });
  }

  destroy(): void {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }
}

/**
 * XEP-0124/0206: a session of HTTP POSTs of `<body/>`. The client keeps one request held by the
 * server (the long poll, answered when there is something to deliver or after `wait`), sends
 * stanzas in a second request (never more than `requests` at once, §11), numbers every request
 * with the next `rid` (§7.1, the server handles them in that order), restarts the stream with
 * `xmpp:restart` (XEP-0206 §5) and ends it with `type="terminate"` (§13).
 */
class BoshTransport implements Transport {
  private rid = 1 + Math.floor(Math.random() * 2 ** 32);
  private sid: string | undefined;
  private requests = 2;
  private wait = BOSH_WAIT;
  private outstanding = 0;
  private queue: Array<{ payload: string; attrs: string }> = [];
  private terminating = false;
  private done = false;
  private readonly agent: HttpAgent;
  private onTerminated: (() => void) | undefined;

  constructor(
    private readonly url: URL,
    private readonly domain: string,
    private readonly ca: string | undefined,
    private readonly timeoutMs: number,
    private readonly ev: TransportEvents,
  ) {
    // Our own agent, so close() ends its sockets; never fewer sockets than requests (the long poll holds one).
    this.agent = url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, ...(ca === undefined ? {} : { ca }) }) : new HttpAgent({ keepAlive: true });
  }

  open(restart: boolean): void {
    const to = ` to="${esc(this.domain)}" xml:lang="en"`;
    if (restart) return this.enqueue('', `${to} xmpp:restart="true"`);
    // §7.1 session creation request; XEP-0206 §4 adds xmpp:version.
    this.post('', `${to} content="text/xml; charset=utf-8" ver="1.11" wait="${BOSH_WAIT}" hold="1" xmpp:version="1.0"`);
  }

  send(xml: string): void {
    this.enqueue(xml, '');
  }

  end(final: string, waitMs: number): Promise<void> {
    if (this.done || this.sid === undefined) return Promise.resolve(this.destroy());
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.destroy(), resolve()), waitMs);
      this.onTerminated = () => (clearTimeout(timer), resolve());
      this.enqueue(final, ' type="terminate"');
      this.terminating = true;
    });
  }

  destroy(): void {
    this.done = true;
    this.agent.destroy();
  }

  private enqueue(payload: string, attrs: string): void {
    if (this.done || this.terminating) return;
    const last = this.queue[this.queue.length - 1];
    if (attrs === '' && last && last.attrs === '') last.payload += payload;
    else this.queue.push({ payload, attrs });
    this.pump();
  }

  /** Sends what is queued while the window allows, and a fresh long poll when nothing is held. */
  private pump(): void {
    if (this.sid === undefined || this.done) return;
    while (this.outstanding < this.requests) {
      const next = this.queue.shift();
      if (next) this.post(next.payload, next.attrs);
      else if (this.outstanding === 0 && !this.terminating) this.post('', '');
      else break;
    }
  }

  private post(payload: string, attrs: string): void {
    const rid = this.rid++;
    const sid = this.sid === undefined ? '' : ` sid="${this.sid}"`;
    const body = `<body xmlns="${NS.httpbind}" xmlns:xmpp="${NS.xbosh}" rid="${rid}"${sid}${attrs}>${payload}</body>`;
    const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    this.outstanding++;
    const headers = { 'content-type': 'text/xml; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) };
    const req = send(this.url, { method: 'POST', headers, agent: this.agent, ...(this.ca === undefined ? {} : { ca: this.ca }) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_FRAME_BYTES) req.destroy(new Error(`a BOSH answer larger than ${MAX_FRAME_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('error', (e) => this.fail(e));
      res.on('end', () => {
        this.outstanding--;
        const header = res.headers['x-idp-harness-error'];
        this.received(res.statusCode ?? 0, typeof header === 'string' ? header : undefined, Buffer.concat(chunks).toString('utf8'));
        this.pump();
      });
    });
    // The server answers a held request after `wait` seconds at the latest.
    req.setTimeout(this.wait * 1000 + this.timeoutMs, () => req.destroy(new Error(`no BOSH answer within ${this.wait} s + ${this.timeoutMs} ms`)));
    req.on('error', (e) => this.fail(e));
    req.end(body);
  }

  private received(status: number, code: string | undefined, text: string): void {
    if (this.done) return;
    if (status !== 200) return this.fail(new FinesseNotificationError('http', `HTTP ${status}`, code, text.slice(0, 200)));
    const body = parseXml(text);
    if (!body || body.localName !== 'body' || body.namespaceURI !== NS.httpbind) return this.fail(new Error('the BOSH answer is not a <body/> of XEP-0124'));
    if (this.sid === undefined) {
      const sid = body.getAttribute('sid');
      if (!sid && body.getAttribute('type') !== 'terminate') return this.fail(new Error('the session creation answer has no sid (XEP-0124 §7.1)'));
      this.sid = sid ?? undefined;
      this.requests = Math.max(1, Number(body.getAttribute('requests') ?? 2) || 2);
      this.wait = Number(body.getAttribute('wait') ?? BOSH_WAIT) || BOSH_WAIT;
    }
    for (const el of children(body)) if (!this.done) this.ev.element(el);
    if (body.getAttribute('type') === 'terminate' && !this.done) {
      // §17.2: a condition is an error; remote-stream-error carries the stream error, delivered above.
      const condition = body.getAttribute('condition');
      this.destroy();
      this.onTerminated?.();
      this.ev.closed(condition ? new FinesseNotificationError('bosh', condition, code, '') : undefined);
    }
  }

  private fail(e: Error): void {
    if (this.done) return;
    this.destroy();
    this.onTerminated?.();
    this.ev.closed(e);
  }
}

// --- XML -----------------------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** One element, or undefined when the text is not well-formed XML. */
function parseXml(text: string): Element | undefined {
  if (Buffer.byteLength(text) > MAX_FRAME_BYTES) return undefined;
  let failed = false;
  const onError = () => {
    failed = true;
  };
  const doc = new DOMParser({ errorHandler: { warning: () => {}, error: onError, fatalError: onError } }).parseFromString(text, 'text/xml');
  return failed ? undefined : (doc.documentElement ?? undefined);
}

function children(el: Element | undefined): Element[] {
  const out: Element[] = [];
  for (let n = el?.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

/** The first child element with this local name (in this namespace, when given). */
function find(el: Element | undefined, localName: string, ns?: string): Element | undefined {
  return children(el).find((c) => c.localName === localName && (ns === undefined || c.namespaceURI === ns));
}

/** The trimmed text of the first child element `name` of `el`; '' when absent. */
export function childText(el: Element, name: string): string {
  return find(el, name)?.textContent?.trim() ?? '';
}

/**
 * A SASL failure, stream error or stanza error (RFC 6120 §6.5, §4.9, §8.3): the condition is the
 * element in `ns`, the lab's code the `[ERR_…]` that starts `<text>`.
 */
function errorOf(kind: FinesseNotificationErrorKind, el: Element, ns: string): FinesseNotificationError {
  const parts = children(el);
  const condition = parts.find((c) => c.localName !== 'text' && c.namespaceURI === ns)?.localName ?? 'undefined-condition';
  const text = parts.find((c) => c.localName === 'text')?.textContent ?? '';
  const app = parts.find((c) => c.localName !== 'text' && c.namespaceURI !== ns && kind === 'stanza')?.localName;
  return new FinesseNotificationError(kind, condition, /^\[(ERR_[A-Z0-9_]+)\]/.exec(text)?.[1], text, app);
}

/** An `<Update>` (reference A.2.6): event, requestId, source and the one child of `<data>`. */
function parseUpdate(node: string, itemId: string, xml: string): FinesseUpdate | undefined {
  const root = parseXml(xml);
  const data = children(find(root, 'data'))[0];
  if (!root || root.localName !== 'Update' || !data) return undefined;
  return {
    node,
    itemId,
    event: childText(root, 'event'),
    requestId: childText(root, 'requestId'),
    source: childText(root, 'source'),
    kind: data.localName,
    data,
    xml,
    receivedAt: Date.now(),
  };
}
