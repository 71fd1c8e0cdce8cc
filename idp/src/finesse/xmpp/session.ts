import { randomBytes } from 'node:crypto';
import { escapeAttr, escapeText } from '../../shared/xml/escape.js';
import type { FinesseUser } from '../finesse-users.js';
import { childEl, childEls, textOf, type XEl } from './frame-xml.js';
import { NS } from './namespaces.js';
import { SaslFailure, XmppStanzaError, XmppStreamError } from './xmpp-errors.js';
import type { NotificationService } from './notification-service.js';

/** How a session reaches its desktop: a WebSocket (RFC 7395) or a BOSH session (XEP-0206). */
export interface XmppTransport {
  readonly kind: 'websocket' | 'bosh';
  /** Sends top-level elements, each complete and carrying its own namespace declarations. */
  send(xml: string): void;
  /** Ends the stream, after the stream error when there is one. */
  close(error?: XmppStreamError): void;
}

/** RFC 6120 §6.4.5: after this many failed SASL attempts the stream is closed. */
const MAX_AUTH_FAILURES = 3;

/** RFC 7622 §3.4: a resourcepart is 1–1023 bytes with no control characters. */
function validResource(r: string): boolean {
  return r.length > 0 && Buffer.byteLength(r, 'utf8') <= 1023 && !/[\u0000-\u001f\u007f]/.test(r);
}

export function stanzaXml(name: string, attrs: Record<string, string | undefined>, inner = ''): string {
  let a = '';
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) a += ` ${k}="${escapeAttr(v)}"`;
  return `<${name} xmlns="${NS.client}"${a}>${inner}</${name}>`;
}

/**
 * One desktop's client-to-server stream, whatever carries it: SASL PLAIN (RFC 6120 §6, RFC 4616),
 * resource binding (§7), the legacy session request (RFC 3921 §3), presence (RFC 6121 §4), XMPP
 * ping (XEP-0199), service discovery (XEP-0030) and the pub-sub requests Finesse desktops make
 * (XEP-0060 §6). Everything else gets the error RFC 6120 §8.4 prescribes. Throws
 * `XmppStreamError` for what ends the stream; the transport writes it and closes.
 */
export class XmppSession {
  /** The stream id, new on every stream header (RFC 6120 §4.7.3); BOSH's `authid` is the first. */
  id = randomBytes(8).toString('hex');
  state: 'new' | 'authenticated' | 'bound' = 'new';
  /** After `<success/>` the client must restart the stream before anything else (RFC 6120 §6.4.6). */
  private awaitingRestart = false;
  /** `<auth mechanism="PLAIN"/>` came without an initial response: the PLAIN message follows in `<response/>`. */
  private awaitingResponse = false;
  user: FinesseUser | undefined;
  resource = '';
  /** Sent available presence (RFC 6121 §4.2); `priority` from it. */
  available = false;
  priority = 0;
  private authFailures = 0;
  private closed = false;

  constructor(
    private readonly service: NotificationService,
    readonly transport: XmppTransport,
  ) {}

  get bareJid(): string {
    return this.user ? `${this.user.finesse.loginId}@${this.service.domain}` : '';
  }

  get fullJid(): string {
    return this.resource ? `${this.bareJid}/${this.resource}` : this.bareJid;
  }

  /**
   * A stream header (`<open/>` or the BOSH session request, and every restart): checks `to`
   * (RFC 6120 §4.9.3.6 host-unknown) and returns the features to offer: SASL PLAIN before
   * authentication, bind and session after (§4.3.2).
   */
  opened(to: string | undefined): string {
    if (to !== undefined && to.toLowerCase() !== this.service.domain.toLowerCase()) {
      throw new XmppStreamError('host-unknown', 'ERR_XMPP_HOST_UNKNOWN', `This service is ${this.service.domain}, not ${to}.`);
    }
    // RFC 6120 §4.3.3: the stream is restarted after SASL, never after binding.
    if (this.state === 'bound') throw new XmppStreamError('policy-violation', 'ERR_XMPP_RESTART_REQUIRED', 'The stream cannot be restarted after resource binding.');
    this.awaitingRestart = false;
    this.id = randomBytes(8).toString('hex');
    const inner =
      this.state === 'new'
        ? `<mechanisms xmlns="${NS.sasl}"><mechanism>PLAIN</mechanism></mechanisms>`
        : `<bind xmlns="${NS.bind}"/><session xmlns="${NS.session}"><optional/></session>`;
    return `<stream:features xmlns:stream="${NS.stream}">${inner}</stream:features>`;
  }

  /** One top-level element from the desktop. */
  receive(el: XEl): void {
    if (this.closed) return;
    if (el.ns === NS.sasl) return this.sasl(el);
    if (this.awaitingRestart) throw new XmppStreamError('policy-violation', 'ERR_XMPP_RESTART_REQUIRED', 'Restart the stream after SASL success (RFC 6120 §6.4.6).');
    if (el.name === 'iq' || el.name === 'presence' || el.name === 'message') {
      // RFC 6120 §4.9.3.10: stanzas are qualified by the content namespace.
      if (el.ns !== NS.client) throw new XmppStreamError('invalid-namespace', 'ERR_XMPP_INVALID_NAMESPACE', `<${el.name}> must be in ${NS.client}, not '${el.ns}'.`);
      // RFC 6120 §6.4.1 and §4.9.3.12: nothing but SASL before authentication.
      if (this.state === 'new') throw new XmppStreamError('not-authorized', 'ERR_XMPP_NOT_AUTHORIZED', 'Authenticate (SASL PLAIN) before sending stanzas.');
      if (el.name === 'iq') return this.iq(el);
      if (this.state !== 'bound') return this.reply(el, new XmppStanzaError('not-authorized', 'ERR_XMPP_NOT_AUTHORIZED', 'Bind a resource first (RFC 6120 §7).'));
      return el.name === 'presence' ? this.presence(el) : this.message(el);
    }
    throw new XmppStreamError('unsupported-stanza-type', 'ERR_XMPP_UNSUPPORTED_STANZA', `<${el.name}> in '${el.ns}' is not a stanza this service knows.`);
  }

  /** The transport is gone (closed by either side, timed out): presence is lost. */
  ended(): void {
    if (this.closed) return;
    this.closed = true;
    this.service.sessionEnded(this);
  }

  /** Sends a stanza built by the service (a notification, a presence). */
  deliver(xml: string): void {
    if (!this.closed) this.transport.send(xml);
  }

  /** Ends the stream from the server side (conflict, reset, shutdown). */
  terminate(error: XmppStreamError): void {
    if (this.closed) return;
    this.transport.close(error);
    this.ended();
  }

  // --- SASL (RFC 6120 §6.4, RFC 4616) ----------------------------------------------------------

  private sasl(el: XEl): void {
    if (this.state !== 'new') throw new XmppStreamError('policy-violation', 'ERR_XMPP_BAD_REQUEST', 'The stream is already authenticated.');
    const responding = this.awaitingResponse;
    this.awaitingResponse = false;
    try {
      if (el.name === 'abort') throw new SaslFailure('aborted', 'ERR_XMPP_AUTH_ABORTED', 'The client aborted the authentication.');
      if (el.name !== (responding ? 'response' : 'auth')) throw new SaslFailure('malformed-request', 'ERR_XMPP_AUTH_MALFORMED', `<${el.name}> is not expected now.`);
      if (!responding && el.attrs['mechanism'] !== 'PLAIN') {
        throw new SaslFailure('invalid-mechanism', 'ERR_XMPP_AUTH_MECHANISM', `Mechanism '${el.attrs['mechanism'] ?? ''}' is not offered; use PLAIN.`);
      }
      const b64 = textOf(el).trim();
      if (!responding && b64 === '') {
        // RFC 6120 §6.4.2: no initial response; an empty challenge asks for it.
        this.awaitingResponse = true;
        this.transport.send(`<challenge xmlns="${NS.sasl}"/>`);
        return;
      }
      const { authzid, authcid, password } = decodePlain(b64);
      const user = this.service.authenticate(authcid, password);
      // RFC 4616 §2: an authzid, when given, must be an identity the authcid may act as: its own JID.
      const bare = `${user.finesse.loginId}@${this.service.domain}`;
      if (authzid !== '' && authzid !== bare) throw new SaslFailure('invalid-authzid', 'ERR_XMPP_AUTH_FAILED', `The authorization identity must be ${bare}.`);
      this.user = user;
      this.state = 'authenticated';
      this.awaitingRestart = true;
      this.transport.send(`<success xmlns="${NS.sasl}"/>`);
    } catch (e) {
      if (!(e instanceof SaslFailure)) throw e;
      this.transport.send(e.toXml());
      if (++this.authFailures >= MAX_AUTH_FAILURES) {
        throw new XmppStreamError('not-authorized', e.code, `${MAX_AUTH_FAILURES} failed authentication attempts.`);
      }
    }
  }

  // --- IQ (RFC 6120 §8.2.3) ----------------------------------------------------------------------

  private iq(el: XEl): void {
    const type = el.attrs['type'];
    if (type === 'result' || type === 'error') return; // answers to our pings; nothing to do
    try {
      const payloads = childEls(el);
      if ((type !== 'get' && type !== 'set') || !el.attrs['id'] || payloads.length !== 1) {
        throw new XmppStanzaError('bad-request', 'ERR_XMPP_BAD_REQUEST', 'An iq get or set has an id and exactly one child (RFC 6120 §8.2.3).');
      }
      const q = payloads[0]!;
      if (this.state !== 'bound') {
        if (q.ns === NS.bind && q.name === 'bind' && type === 'set') return this.bind(el, q);
        if (q.ns === NS.session && type === 'set') return this.result(el);
        throw new XmppStanzaError('not-authorized', 'ERR_XMPP_NOT_AUTHORIZED', 'Bind a resource first (RFC 6120 §7).');
      }
      // RFC 7622 §3.2: domainparts compare case-insensitively (loginIds are digits).
      const to = el.attrs['to']?.toLowerCase();
      if (to === this.service.pubsubDomain.toLowerCase()) return this.pubsubIq(el, q, type);
      if (to !== undefined && to !== this.service.domain.toLowerCase() && to !== this.bareJid.toLowerCase()) {
        throw new XmppStanzaError('service-unavailable', 'ERR_XMPP_SERVICE_UNAVAILABLE', `${to} does not answer here.`);
      }
      this.serverIq(el, q, type);
    } catch (e) {
      if (e instanceof XmppStanzaError) return this.reply(el, e);
      throw e;
    }
  }

  private bind(el: XEl, q: XEl): void {
    const asked = childEl(q, 'resource') ? textOf(childEl(q, 'resource')!).trim() : '';
    if (asked !== '' && !validResource(asked)) throw new XmppStanzaError('bad-request', 'ERR_XMPP_BAD_REQUEST', 'The resource is not a valid resourcepart (RFC 7622 §3.4).');
    this.resource = asked || `idp-harness-${randomBytes(4).toString('hex')}`;
    this.service.bound(this);
    this.state = 'bound';
    this.result(el, `<bind xmlns="${NS.bind}"><jid>${escapeText(this.fullJid)}</jid></bind>`);
  }

  private serverIq(el: XEl, q: XEl, type: string): void {
    const from = el.attrs['to'];
    if (q.ns === NS.ping && type === 'get') return this.result(el, '', from);
    if (q.ns === NS.session && type === 'set') return this.result(el, '', from);
    if (q.ns === NS.roster && type === 'get') return this.result(el, `<query xmlns="${NS.roster}"/>`, from);
    if (q.ns === NS.discoInfo && type === 'get') {
      return this.result(
        el,
        `<query xmlns="${NS.discoInfo}"><identity category="server" type="im" name="Cisco Finesse Notification Service (idp-harness)"/>` +
          `<feature var="${NS.discoInfo}"/><feature var="${NS.discoItems}"/><feature var="${NS.ping}"/></query>`,
        from,
      );
    }
    if (q.ns === NS.discoItems && type === 'get') {
      return this.result(el, `<query xmlns="${NS.discoItems}"><item jid="${this.service.pubsubDomain}" name="Publish-Subscribe service"/></query>`, from);
    }
    throw new XmppStanzaError('service-unavailable', 'ERR_XMPP_SERVICE_UNAVAILABLE', `<${q.name} xmlns="${q.ns}"> is not supported.`);
  }

  /** XEP-0060 §5.6 (subscriptions), §6.1 (subscribe), §6.2 (unsubscribe) on `pubsub.<domain>`. */
  private pubsubIq(el: XEl, q: XEl, type: string): void {
    const from = this.service.pubsubDomain;
    if (q.ns === NS.ping && type === 'get') return this.result(el, '', from);
    if (q.ns === NS.discoInfo && type === 'get') {
      return this.result(
        el,
        `<query xmlns="${NS.discoInfo}"><identity category="pubsub" type="service" name="Finesse notifications"/>` +
          `<feature var="${NS.pubsub}"/><feature var="${NS.pubsub}#subscribe"/><feature var="${NS.pubsub}#retrieve-subscriptions"/></query>`,
        from,
      );
    }
    if (q.ns !== NS.pubsub || q.name !== 'pubsub') {
      throw new XmppStanzaError('service-unavailable', 'ERR_XMPP_SERVICE_UNAVAILABLE', `<${q.name} xmlns="${q.ns}"> is not supported by the pub-sub service.`);
    }
    const ops = childEls(q);
    const op = ops[0];
    if (!op) throw new XmppStanzaError('bad-request', 'ERR_XMPP_BAD_REQUEST', 'The pubsub element is empty.');
    if (op.name === 'subscribe' && type === 'set') {
      const sub = this.service.subscribe(this, op.attrs['node'] ?? '', op.attrs['jid'] ?? '');
      return this.result(
        el,
        `<pubsub xmlns="${NS.pubsub}"><subscription node="${escapeAttr(sub.node)}" jid="${escapeAttr(sub.jid)}" subid="${sub.subid}" subscription="subscribed"/></pubsub>`,
        from,
      );
    }
    if (op.name === 'unsubscribe' && type === 'set') {
      this.service.unsubscribe(this, op.attrs['node'] ?? '', op.attrs['jid'] ?? '', op.attrs['subid']);
      return this.result(el, '', from);
    }
    if (op.name === 'subscriptions' && type === 'get') {
      const subs = this.service.subscriptionsOf(this, op.attrs['node']);
      const items = subs.map((s) => `<subscription node="${escapeAttr(s.node)}" jid="${escapeAttr(s.jid)}" subid="${s.subid}" subscription="subscribed"/>`).join('');
      return this.result(el, `<pubsub xmlns="${NS.pubsub}"><subscriptions>${items}</subscriptions></pubsub>`, from);
    }
    // Finesse's nodes are written by Finesse alone; item retrieval and the rest are not offered.
    const feature = op.name === 'publish' ? 'publish' : op.name === 'items' ? 'retrieve-items' : op.name;
    throw new XmppStanzaError(
      op.name === 'publish' ? 'forbidden' : 'feature-not-implemented',
      op.name === 'publish' ? 'ERR_XMPP_PUBSUB_FORBIDDEN' : 'ERR_XMPP_PUBSUB_NOT_IMPLEMENTED',
      `pub-sub '${op.name}' is not available to desktops.`,
      `<unsupported xmlns="${NS.pubsubErrors}" feature="${escapeAttr(feature)}"/>`,
    );
  }

  // --- presence and messages (RFC 6121 §4, §5) ---------------------------------------------------

  private presence(el: XEl): void {
    const type = el.attrs['type'];
    // Directed presence (to the pub-sub service, to another user) and subscription requests are
    // not used by Finesse desktops: accepted and ignored, as RFC 6121 allows a server to.
    if (el.attrs['to'] !== undefined || (type !== undefined && type !== 'unavailable')) return;
    if (type === 'unavailable') {
      this.available = false;
    } else {
      const p = childEl(el, 'priority');
      const raw = p ? textOf(p).trim() : '0';
      const n = /^[+-]?\d{1,3}$/.test(raw) ? Number(raw) : NaN;
      if (!(n >= -128 && n <= 127)) {
        return this.reply(el, new XmppStanzaError('bad-request', 'ERR_XMPP_BAD_REQUEST', 'priority is an integer from -128 to 127 (RFC 6121 §4.7.2.3).'));
      }
      this.priority = n;
      this.available = true;
    }
    this.service.presenceChanged(this, el);
  }

  private message(el: XEl): void {
    if (el.attrs['type'] === 'error') return; // RFC 6120 §8.3.1: never answer an error with an error
    // The notification service routes no chat: there is nobody to deliver a message to.
    this.reply(el, new XmppStanzaError('service-unavailable', 'ERR_XMPP_SERVICE_UNAVAILABLE', 'This service does not route messages.'));
  }

  // --- replies -----------------------------------------------------------------------------------

  private result(el: XEl, inner = '', from?: string): void {
    this.transport.send(stanzaXml('iq', { type: 'result', id: el.attrs['id'], from, to: this.fullJid || undefined }, inner));
  }

  /** RFC 6120 §8.3.1: the error goes back to the sender, `from` the entity addressed. */
  private reply(el: XEl, e: XmppStanzaError): void {
    this.service.log.info({ svc: 'finesse', event: 'xmpp.stanza.error', code: e.code, condition: e.condition, user: this.user?.username }, e.message);
    this.transport.send(stanzaXml(el.name, { type: 'error', id: el.attrs['id'], from: el.attrs['to'], to: this.fullJid || undefined }, e.toXml()));
  }
}

/** RFC 4616 §2: `[authzid] NUL authcid NUL passwd`, base64 (RFC 6120 §6.4.2; `=` is empty). */
function decodePlain(b64: string): { authzid: string; authcid: string; password: string } {
  if (b64 === '' || b64 === '=') throw new SaslFailure('malformed-request', 'ERR_XMPP_AUTH_MALFORMED', 'An empty PLAIN message (RFC 4616 §2 needs authcid and password).');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) {
    throw new SaslFailure('incorrect-encoding', 'ERR_XMPP_AUTH_MALFORMED', 'The initial response is not base64 (RFC 6120 §6.4.2).');
  }
  const parts = Buffer.from(b64, 'base64').toString('utf8').split('\u0000');
  if (parts.length !== 3 || parts[1] === '' || parts[2] === '') {
    throw new SaslFailure('malformed-request', 'ERR_XMPP_AUTH_MALFORMED', 'PLAIN is authzid NUL authcid NUL password (RFC 4616 §2).');
  }
  return { authzid: parts[0]!, authcid: parts[1]!, password: parts[2]! };
}
