import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { IdpErrorCode } from '../../shared/errors.js';
import { childEls, parseFrame, type XEl } from './frame-xml.js';
import { NS } from './namespaces.js';
import type { NotificationService } from './notification-service.js';
import type { XmppSession, XmppTransport } from './session.js';
import { XmppStreamError } from './xmpp-errors.js';

/** XEP-0124 §17.2 terminal binding conditions the connection manager uses. */
type BindingCondition = 'bad-request' | 'host-unknown' | 'item-not-found' | 'policy-violation' | 'remote-stream-error' | 'undefined-condition';

/** Our `hold` (XEP-0124 §7.1: never more than the client asked for) and `polling` (seconds). */
const MAX_HOLD = 1;
const POLLING = 2;
const BODY_ATTRS = `xmlns="${NS.httpbind}" xmlns:xmpp="${NS.xbosh}" xmlns:stream="${NS.stream}"`;

function body(inner: string, attrs = ''): string {
  return `<body ${BODY_ATTRS}${attrs}>${inner}</body>`;
}

function terminate(condition: BindingCondition, inner = ''): string {
  return body(inner, ` type="terminate" condition="${condition}"`);
}

class BindingError extends Error {
  constructor(
    readonly condition: BindingCondition,
    readonly code: IdpErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface Held {
  rid: number;
  res: Response;
  timer: NodeJS.Timeout;
}

/**
 * One BOSH session (XEP-0124, XEP-0206): the HTTP requests a desktop keeps open, the stanzas
 * waiting for one, request ids in order, and the inactivity that ends it.
 */
class BoshSession implements XmppTransport {
  readonly kind = 'bosh';
  readonly sid = randomBytes(16).toString('hex');
  readonly xmpp: XmppSession;
  private queue: string[] = [];
  private held: Held[] = [];
  /** Out-of-order requests waiting for the ones before them (§14: "in order of rid"). */
  private early = new Map<number, { el: XEl; res: Response }>();
  /** Recent answers by rid, for a client that retransmits after a broken connection (§14.3). */
  private answers = new Map<number, string>();
  private idle: NodeJS.Timeout | undefined;
  private final: string | undefined;
  ended = false;

  constructor(
    private readonly manager: BoshManager,
    readonly wait: number,
    readonly hold: number,
    public nextRid: number,
  ) {
    this.xmpp = manager.service.newSession(this);
    this.touch();
  }

  get requests(): number {
    return this.hold + 1;
  }

  send(xml: string): void {
    if (this.final !== undefined) return;
    this.queue.push(xml);
    this.flush();
  }

  close(error?: XmppStreamError): void {
    if (this.final !== undefined) return;
    // XEP-0206 §7: a stream error travels in a terminate body with condition remote-stream-error.
    this.end(error ? terminate('remote-stream-error', this.queue.join('') + error.toXml()) : body(this.queue.join(''), ' type="terminate"'));
  }

  /** Ends the session with `final` as every open request's answer (and the next one's). */
  private end(final: string): void {
    if (this.final !== undefined) return;
    this.final = final;
    this.queue = [];
    const held = this.held;
    this.held = [];
    for (const h of held) this.answer(h, this.final);
    // Requests still waiting for an earlier rid carry the final answer too (never left open past `wait`).
    this.finish(held.length > 0 || this.early.size > 0);
  }

  /** A request with this session's sid, in any order. */
  request(rid: number, el: XEl, res: Response): void {
    this.touch();
    if (this.final !== undefined) return void res.type('text/xml').send(this.final);
    if (rid < this.nextRid) {
      // §14.3: a retransmission gets the same answer again, if we have it; one received but not
      // answered yet (still held, or its connection broke first) is held again.
      const again = this.answers.get(rid);
      if (again !== undefined) return void res.type('text/xml').send(again);
      if (rid >= this.nextRid - this.requests) return this.keep(rid, res);
      // §14.3: a rid outside the window is a terminal `item-not-found`: the session is over.
      this.end(terminate('item-not-found'));
      throw new BindingError('item-not-found', 'ERR_XMPP_BOSH_BAD_RID', `rid ${rid} is older than the window of ${this.requests} requests.`);
    }
    if (rid >= this.nextRid + this.requests) {
      // §14.2 (and §11 "overactive"): more requests ahead than the window allows.
      this.close(new XmppStreamError('policy-violation', 'ERR_XMPP_BOSH_OVERACTIVE', `rid ${rid} is beyond the window of ${this.requests}.`));
      throw new BindingError('item-not-found', 'ERR_XMPP_BOSH_OVERACTIVE', `rid ${rid} is beyond the window of ${this.requests} requests.`);
    }
    // §14.3: the same rid again (a resend) replaces a request still waiting for its turn; the one
    // it replaces gets an empty answer instead of staying open for ever.
    this.early.get(rid)?.res.type('text/xml').send(body(''));
    this.early.set(rid, { el, res });
    while (this.early.has(this.nextRid)) {
      const next = this.early.get(this.nextRid)!;
      this.early.delete(this.nextRid);
      try {
        this.process(this.nextRid++, next.el, next.res);
      } catch (e) {
        // The current request's failure goes to the surface's error handler; an earlier-queued
        // one's is answered here, so that it never stays open.
        if (next.res === res) throw e;
        this.manager.service.log.error({ svc: 'finesse', err: e }, 'BOSH request failed');
        if (!next.res.headersSent) next.res.set('X-Idp-Harness-Error', 'ERR_INTERNAL').type('text/xml').send(terminate('undefined-condition'));
      }
    }
  }

  private process(rid: number, el: XEl, res: Response): void {
    try {
      if (el.attrs[`{${NS.xbosh}}restart`] === 'true') this.queue.push(this.xmpp.opened(el.attrs['to']));
      for (const child of childEls(el)) if (this.final === undefined) this.xmpp.receive(child);
    } catch (e) {
      if (!(e instanceof XmppStreamError)) throw e;
      this.manager.service.log.info({ svc: 'finesse', event: 'xmpp.stream.error', code: e.code, condition: e.condition }, e.message);
      this.close(e);
    }
    if (el.attrs['type'] === 'terminate' && this.final === undefined) {
      // §13: the client ends the session; what is queued goes with the answer.
      this.final = body(this.queue.join(''), ' type="terminate"');
      this.queue = [];
      this.finish(true);
    }
    if (this.final !== undefined) return void res.type('text/xml').send(this.final);
    this.keep(rid, res);
  }

  /** Keeps the request open for what comes next (§7.1 `wait`), answering the oldest beyond `hold`. */
  private keep(rid: number, res: Response): void {
    // A client that already hung up has nothing to hold: a notification must not vanish into it.
    if (res.destroyed || res.req.socket.destroyed) return;
    const same = this.held.findIndex((h) => h.rid === rid);
    if (same >= 0) this.answer(this.held.splice(same, 1)[0]!, body(''));
    const h: Held = { rid, res, timer: setTimeout(() => this.release(h), this.wait * 1000) };
    h.timer.unref();
    this.held.push(h);
    res.on('close', () => this.drop(h));
    // §11: answer the oldest when more are held than `hold` (the client needs one to send with).
    while (this.held.length > this.hold) this.answer(this.held.shift()!, body(this.takeQueue()));
    this.flush();
  }

  private takeQueue(): string {
    const q = this.queue.join('');
    this.queue = [];
    return q;
  }

  private flush(): void {
    if (this.queue.length === 0 || this.held.length === 0) return;
    this.answer(this.held.shift()!, body(this.takeQueue()));
  }

  /** `wait` ran out: an empty answer (§7.1). */
  private release(h: Held): void {
    const i = this.held.indexOf(h);
    if (i < 0) return;
    this.held.splice(i, 1);
    this.answer(h, body(this.takeQueue()));
  }

  private drop(h: Held): void {
    const i = this.held.indexOf(h);
    if (i >= 0) this.held.splice(i, 1);
    clearTimeout(h.timer);
    this.touch();
  }

  private answer(h: Held, xml: string): void {
    clearTimeout(h.timer);
    this.answers.set(h.rid, xml);
    for (const rid of this.answers.keys()) if (rid < h.rid - this.requests) this.answers.delete(rid);
    if (!h.res.headersSent) h.res.type('text/xml').send(xml);
    this.touch();
  }

  /** §7.1 `inactivity`: with no request held for that long, the desktop is gone. */
  private touch(): void {
    clearTimeout(this.idle);
    if (this.ended) return;
    if (this.held.length > 0 && this.final === undefined) return;
    const seconds = this.final === undefined ? this.manager.service.config.boshInactivitySeconds : 5;
    this.idle = setTimeout(() => this.expire(), seconds * 1000);
    this.idle.unref();
  }

  private expire(): void {
    if (this.held.length > 0 && this.final === undefined) return;
    this.manager.service.log.info({ svc: 'finesse', event: 'xmpp.bosh.inactive', sid: this.sid }, 'BOSH session timed out');
    this.finish(true);
  }

  /** The XMPP session is over; `forget` drops the BOSH session now (else after the final answer is fetched). */
  private finish(forget: boolean): void {
    this.xmpp.ended();
    if (forget) {
      this.ended = true;
      clearTimeout(this.idle);
      for (const h of this.held) this.answer(h, this.final ?? terminate('undefined-condition'));
      this.held = [];
      for (const e of this.early.values()) e.res.type('text/xml').send(this.final ?? terminate('item-not-found'));
      this.early.clear();
      this.manager.sessions.delete(this.sid);
    } else {
      this.touch();
    }
  }
}

class BoshManager {
  readonly sessions = new Map<string, BoshSession>();
  constructor(readonly service: NotificationService) {}

  /** XEP-0124 §7.1 and XEP-0206 §4: the session creation request and its answer with the features. */
  create(el: XEl, rid: number, res: Response): void {
    const to = el.attrs['to'];
    if (to?.toLowerCase() !== this.service.domain.toLowerCase()) throw new BindingError('host-unknown', 'ERR_XMPP_HOST_UNKNOWN', `This service is ${this.service.domain}, not ${to ?? '(none)'}.`);
    const asked = (name: string, dflt: number) => {
      const v = el.attrs[name];
      if (v === undefined) return dflt;
      if (!/^\d{1,9}$/.test(v)) throw new BindingError('bad-request', 'ERR_XMPP_BOSH_BAD_REQUEST', `'${name}' must be a non-negative integer.`);
      return Number(v);
    };
    const max = this.service.config.boshMaxWaitSeconds;
    const wait = Math.max(1, Math.min(asked('wait', max), max));
    const hold = Math.min(asked('hold', MAX_HOLD), MAX_HOLD);
    const s = new BoshSession(this, wait, hold, rid + 1);
    this.sessions.set(s.sid, s);
    const features = s.xmpp.opened(to);
    const attrs =
      ` sid="${s.sid}" wait="${wait}" requests="${s.requests}" hold="${hold}" inactivity="${this.service.config.boshInactivitySeconds}"` +
      ` polling="${POLLING}" ver="1.11" from="${this.service.domain}" authid="${s.xmpp.id}" xmpp:version="1.0"`;
    this.service.log.info({ svc: 'finesse', event: 'xmpp.bosh.session', sid: s.sid }, 'BOSH session created');
    res.type('text/xml').send(body(features, attrs));
  }
}

/**
 * XMPP over BOSH (XEP-0124, XEP-0206) at `/http-bind` on the Finesse host, where Finesse's own
 * desktop and jabberwerx-based custom desktops connect (reference A.2.6). CORS is open, as
 * Openfire's http-bind is, so a desktop served from elsewhere can long-poll it. Binding errors
 * are `<body type="terminate" condition="…"/>` (XEP-0124 §17.2) with our code in
 * `X-Idp-Harness-Error`; they never reach the HTTP error pages.
 */
export function boshRouter(service: NotificationService): { router: Router; close(): void } {
  const manager = new BoshManager(service);
  const r = express.Router();
  r.use((_req, res, next) => {
    res.set({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'POST, OPTIONS', 'Access-Control-Allow-Headers': 'Content-Type', 'Access-Control-Max-Age': '86400', 'Cache-Control': 'no-store' });
    next();
  });
  r.options('/', (_req, res) => void res.status(204).end());
  r.post('/', express.text({ type: () => true, limit: service.maxStanzaBytes * 4 }), (req: Request, res: Response) => {
    const el = parseFrame(typeof req.body === 'string' ? req.body : '', service.maxStanzaBytes);
    if (el.name !== 'body' || el.ns !== NS.httpbind) throw new BindingError('bad-request', 'ERR_XMPP_BOSH_BAD_REQUEST', `The request must be a <body xmlns="${NS.httpbind}">.`);
    const ridText = el.attrs['rid'] ?? '';
    // §7.1: rid is a positive integer below 2^53, so it never wraps in JavaScript.
    if (!/^[1-9]\d{0,15}$/.test(ridText) || Number(ridText) > Number.MAX_SAFE_INTEGER) throw new BindingError('bad-request', 'ERR_XMPP_BOSH_BAD_REQUEST', 'The body has no valid rid.');
    const rid = Number(ridText);
    const sid = el.attrs['sid'];
    if (sid === undefined) return manager.create(el, rid, res);
    const s = manager.sessions.get(sid);
    if (!s) throw new BindingError('item-not-found', 'ERR_XMPP_BOSH_UNKNOWN_SESSION', 'No such BOSH session (it ended or never existed).');
    s.request(rid, el, res);
  });
  r.all('/', (_req, res) => {
    res.status(405).set('Allow', 'POST, OPTIONS').set('X-Idp-Harness-Error', 'ERR_HTTP_METHOD_NOT_ALLOWED').type('text/plain').send('BOSH requests are POSTs of a <body/> (XEP-0124 §4).');
  });
  r.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    let b: BindingError;
    if (err instanceof BindingError) b = err;
    else if (err instanceof XmppStreamError) b = new BindingError(err.condition === 'policy-violation' ? 'policy-violation' : 'bad-request', err.code, err.message);
    else if ((err as { type?: string }).type === 'entity.too.large') b = new BindingError('policy-violation', 'ERR_XMPP_TOO_LARGE', 'The body is too large.');
    else if (['charset.unsupported', 'encoding.unsupported'].includes((err as { type?: string }).type ?? '')) {
      b = new BindingError('bad-request', 'ERR_XMPP_BOSH_BAD_REQUEST', 'The body must be UTF-8 XML (XEP-0124 §4).');
    }
    else {
      service.log.error({ svc: 'finesse', err }, 'BOSH request failed');
      b = new BindingError('undefined-condition', 'ERR_INTERNAL', 'The connection manager failed on this request.');
    }
    service.log.info({ svc: 'finesse', event: 'xmpp.bosh.error', code: b.code, condition: b.condition }, b.message);
    if (res.headersSent) return;
    res.status(200).set('X-Idp-Harness-Error', b.code).type('text/xml').send(terminate(b.condition));
  });
  return {
    router: r,
    close() {
      for (const s of [...manager.sessions.values()]) s.close(new XmppStreamError('system-shutdown', 'ERR_XMPP_SHUTDOWN', 'The lab is stopping.'));
    },
  };
}
