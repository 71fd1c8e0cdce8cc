import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FinesseLab } from '../finesse-api/finesse-lab.js';
import { prng } from '../helpers/prng.js';
import { NS, RawWs, child, children, domainOf, parseXml, pubsubOf, stanzaErrorOf, startXmppLab, streamErrorOf, waitUntil } from './xmpp-test-client.js';

/**
 * XMPP over WebSocket (RFC 7395) at `/ws`, frame by frame with a raw `ws` client: what a
 * conforming library never sends. The handshake needs the `xmpp` subprotocol (§3.1); each frame
 * is one element (§3.3.3) starting with `<open/>` (§3.3.1); RFC 6120 §11.1 forbids DTDs, comments
 * and processing instructions; the stream errors are RFC 6120 §4.9.3's with our code in `<text>`,
 * followed by `<close/>` and the WebSocket close (RFC 7395 §3.6).
 */

const MAX = 4096;
let f: FinesseLab;
let domain: string;
const sockets: RawWs[] = [];
beforeAll(async () => {
  f = await startXmppLab({ xmpp: { maxStanzaBytes: MAX } });
  domain = domainOf(f);
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function connect(path = '/ws'): Promise<RawWs> {
  const s = await RawWs.connect(f, path);
  sockets.push(s);
  return s;
}

/** A socket with an open stream (features received), not yet authenticated. */
async function opened(): Promise<RawWs> {
  const s = await connect();
  await s.openStream(domain);
  return s;
}

const OPEN = (to = domain, version = '1.0') => `<open xmlns="${NS.framing}" to="${to}" version="${version}"/>`;
const PING = (id = 'p1', ns: string = NS.client) => `<iq xmlns="${ns}" type="get" id="${id}"><ping xmlns="urn:xmpp:ping"/></iq>`;

describe('the handshake (RFC 7395 §3.1)', () => {
  it('without the xmpp subprotocol: HTTP 400 ERR_XMPP_SUBPROTOCOL', async () => {
    for (const protocols of [undefined, ['chat']]) {
      const r = await RawWs.refused(f, '/ws', protocols);
      expect(r.status, JSON.stringify(protocols)).toBe(400);
      expect(r.headers['x-idp-harness-error']).toBe('ERR_XMPP_SUBPROTOCOL');
      expect(r.body).toMatch(/xmpp/);
    }
  });

  it('a plain GET of /ws is 426 Upgrade Required', async () => {
    for (const path of ['/ws', '/ws/']) {
      const res = await fetch(`${f.lab.urls.finesse}${path}`);
      expect(res.status, path).toBe(426);
      expect(res.headers.get('upgrade')).toBe('websocket');
      expect(res.headers.get('x-idp-harness-error')).toBe('ERR_XMPP_SUBPROTOCOL');
    }
  });

  it('an upgrade elsewhere is 404', async () => {
    const r = await RawWs.refused(f, '/xmpp', ['xmpp']);
    expect(r.status).toBe(404);
    expect(r.headers['x-idp-harness-error']).toBe('ERR_HTTP_NOT_FOUND');
  });

  it('with it, /ws and /ws/ answer <open/> with the domain and the SASL PLAIN feature', async () => {
    for (const path of ['/ws', '/ws/']) {
      const s = await connect(path);
      expect(s.ws.protocol).toBe('xmpp');
      s.send(OPEN());
      const open = parseXml(await s.frame((x) => x.startsWith('<open'), 'the <open/>'));
      expect(open.namespaceURI).toBe(NS.framing);
      expect(open.getAttribute('from')).toBe(domain);
      expect(open.getAttribute('version')).toBe('1.0');
      expect(open.getAttribute('id')).toMatch(/^\S+$/);
      const features = parseXml(await s.frame((x) => x.includes('features'), 'the features'));
      expect(features.namespaceURI).toBe(NS.stream);
      const mechanisms = child(features, 'mechanisms', NS.sasl)!;
      expect(children(mechanisms).map((m) => m.textContent)).toEqual(['PLAIN']);
    }
  });
});

describe('stream errors (RFC 6120 §4.9.3)', () => {
  it('a first frame other than <open/> is bad-format', async () => {
    const s = await connect();
    s.send(PING());
    expect(await s.expectStreamError()).toMatchObject({ condition: 'bad-format', code: 'ERR_XMPP_BAD_REQUEST' });
    // RFC 7395 §3.6: the server opens the stream before reporting the error on it, then closes.
    expect(s.frames[0]).toMatch(/^<open /);
    expect(s.closeCode).toBe(1000);
  });

  it('<open/> to another domain is host-unknown', async () => {
    const s = await connect();
    s.send(OPEN('example.org'));
    expect(await s.expectStreamError()).toMatchObject({ condition: 'host-unknown', code: 'ERR_XMPP_HOST_UNKNOWN' });
  });

  it('<open/> with a version other than 1.0 is unsupported-version', async () => {
    const s = await connect();
    s.send(OPEN(domain, '2.0'));
    expect((await s.expectStreamError()).condition).toBe('unsupported-version');
  });

  it('a DOCTYPE, a comment or a processing instruction is restricted-xml (RFC 6120 §11.1)', async () => {
    const frames = [
      `<!DOCTYPE open [<!ENTITY x "y">]>${OPEN()}`,
      `<!-- hi -->${OPEN()}`,
      `<?pi data?>${OPEN()}`,
      `<open xmlns="${NS.framing}" to="${domain}" version="1.0"><!-- inside --></open>`,
    ];
    for (const frame of frames) {
      const s = await connect();
      s.send(frame);
      expect(await s.expectStreamError(), frame).toMatchObject({ condition: 'restricted-xml', code: 'ERR_XMPP_RESTRICTED_XML' });
    }
    // …also once the stream is open, inside a stanza.
    const s = await opened();
    s.send(`<presence xmlns="${NS.client}"><!-- x --></presence>`);
    expect(await s.expectStreamError()).toMatchObject({ condition: 'restricted-xml', code: 'ERR_XMPP_RESTRICTED_XML' });
  });

  it('a frame that is not well-formed is not-well-formed', async () => {
    for (const frame of ['<presence xmlns="jabber:client">', '<a><b></a>', 'hello', '<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="x" to="y"/>']) {
      const s = await connect();
      s.send(frame);
      expect(await s.expectStreamError(), frame).toMatchObject({ condition: 'not-well-formed', code: 'ERR_XMPP_NOT_WELL_FORMED' });
    }
  });

  it('a binary frame is bad-format (XMPP uses text frames, RFC 7395 §3.2)', async () => {
    const s = await opened();
    s.send(Buffer.from(PING()), true);
    expect(await s.expectStreamError()).toMatchObject({ condition: 'bad-format', code: 'ERR_XMPP_NOT_WELL_FORMED' });
  });

  it('a stanza over maxStanzaBytes is policy-violation; one under it is processed', async () => {
    expect(f.config.xmpp.maxStanzaBytes).toBe(MAX);
    const s = await connect();
    const jid = await s.login(domain, '1003', 'NonSso1Pass!', 'big');
    const message = (n: number) => `<message xmlns="${NS.client}" to="1002@${domain}" id="m${n}"><body>${'x'.repeat(n)}</body></message>`;
    // Just under the cap: an ordinary stanza, answered at stanza level (no chat routing).
    s.send(message(MAX - 200));
    const answer = parseXml(await s.frame((x) => x.includes(`id="m${MAX - 200}"`), 'the answer to the large message'));
    expect(answer.getAttribute('to')).toBe(jid);
    expect(stanzaErrorOf(answer)?.condition).toBe('service-unavailable');
    s.send(message(MAX + 1));
    expect(await s.expectStreamError()).toMatchObject({ condition: 'policy-violation', code: 'ERR_XMPP_TOO_LARGE' });
    // Far beyond it, the WebSocket layer itself refuses the message: close 1009 (RFC 6455 §7.4.1).
    const huge = await opened();
    huge.send(message(MAX * 8));
    expect(await huge.until(() => huge.closeCode, 'the WebSocket close')).toBe(1009);
  });

  it('a stanza before authentication is not-authorized', async () => {
    const s = await opened();
    s.send(PING());
    expect(await s.expectStreamError()).toMatchObject({ condition: 'not-authorized', code: 'ERR_XMPP_NOT_AUTHORIZED' });
  });

  it('an <iq> outside jabber:client is invalid-namespace', async () => {
    const s = await connect();
    await s.login(domain, '1003', 'NonSso1Pass!', 'ns');
    s.send(PING('p2', 'jabber:server'));
    expect(await s.expectStreamError()).toMatchObject({ condition: 'invalid-namespace', code: 'ERR_XMPP_INVALID_NAMESPACE' });
  });

  it('an element that is no stanza is unsupported-stanza-type', async () => {
    for (const frame of ['<foo xmlns="urn:example"/>', `<stream:features xmlns:stream="${NS.stream}"/>`]) {
      const s = await opened();
      s.send(frame);
      expect(await s.expectStreamError(), frame).toMatchObject({ condition: 'unsupported-stanza-type', code: 'ERR_XMPP_UNSUPPORTED_STANZA' });
    }
  });

  it('three failed authentications: three SASL failures, then stream error not-authorized (RFC 6120 §6.4.5)', async () => {
    const s = await opened();
    for (let i = 0; i < 3; i++) {
      const failure = await s.auth('1003', `wrong-${i}`);
      expect(failure.localName).toBe('failure');
      expect(children(failure)[0]!.localName).toBe('not-authorized');
    }
    expect(await s.expectStreamError()).toMatchObject({ condition: 'not-authorized', code: 'ERR_XMPP_AUTH_FAILED' });
  });

  it('<close/> from the client: the server answers <close/> and closes the socket normally', async () => {
    const s = await opened();
    s.send(`<close xmlns="${NS.framing}"/>`);
    await s.frame((x) => x.startsWith('<close'), 'the <close/>');
    await s.until(() => s.closeCode, 'the WebSocket close');
    expect(s.closeCode).toBe(1000);
  });
});

describe('SASL PLAIN details (RFC 4616, RFC 6120 §6.5)', () => {
  async function failure(frame: string): Promise<{ condition: string; code: string }> {
    const s = await opened();
    s.send(frame);
    const f0 = parseXml(await s.frame((x) => /^<(success|failure)\b/.test(x), 'the SASL outcome'));
    expect(f0.localName).toBe('failure');
    const text = children(f0).find((c) => c.localName === 'text')?.textContent ?? '';
    return { condition: children(f0)[0]!.localName ?? '', code: /^\[([A-Z_]+)\]/.exec(text)?.[1] ?? '' };
  }
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('another mechanism is invalid-mechanism', async () => {
    expect(await failure(`<auth xmlns="${NS.sasl}" mechanism="DIGEST-MD5"/>`)).toEqual({ condition: 'invalid-mechanism', code: 'ERR_XMPP_AUTH_MECHANISM' });
  });

  it('a response that is not base64 is incorrect-encoding; an empty one malformed-request', async () => {
    expect(await failure(`<auth xmlns="${NS.sasl}" mechanism="PLAIN">not*base64</auth>`)).toEqual({ condition: 'incorrect-encoding', code: 'ERR_XMPP_AUTH_MALFORMED' });
    expect(await failure(`<auth xmlns="${NS.sasl}" mechanism="PLAIN">=</auth>`)).toEqual({ condition: 'malformed-request', code: 'ERR_XMPP_AUTH_MALFORMED' });
    expect(await failure(`<auth xmlns="${NS.sasl}" mechanism="PLAIN">${b64('1003\0NonSso1Pass!')}</auth>`)).toEqual({ condition: 'malformed-request', code: 'ERR_XMPP_AUTH_MALFORMED' });
  });

  it("an authzid other than the user's bare JID is invalid-authzid; the bare JID itself is accepted", async () => {
    expect(await failure(`<auth xmlns="${NS.sasl}" mechanism="PLAIN">${b64(`1002@${domain}\x001003\0NonSso1Pass!`)}</auth>`)).toEqual({
      condition: 'invalid-authzid',
      code: 'ERR_XMPP_AUTH_FAILED',
    });
    const s = await opened();
    expect((await s.auth('1003', 'NonSso1Pass!', `1003@${domain}`)).localName).toBe('success');
  });

  it('<abort/> is aborted', async () => {
    expect(await failure(`<abort xmlns="${NS.sasl}"/>`)).toEqual({ condition: 'aborted', code: 'ERR_XMPP_AUTH_ABORTED' });
  });
});

describe('the notification on the wire (reference A.2.6)', () => {
  it('a <message> from pubsub.<domain> whose push:0 notification holds the <Update> as escaped text', async () => {
    const s = await connect();
    const jid = await s.login(domain, '1003', 'NonSso1Pass!', 'wire');
    expect(jid).toBe(`1003@${domain}/wire`);
    s.send(`<presence xmlns="${NS.client}"/>`);
    await s.frame((x) => x.startsWith('<presence'), 'the own-presence echo (RFC 6121 §4.2.2)');
    const res = await f.put('nonsso1', '/User/1003', '<User><state>LOGIN</state><extension>3003</extension></User>', { headers: { requestId: 'wire-1' } });
    expect(res.status).toBe(202);
    const frame = await s.frame((x) => x.startsWith('<message'), 'the notification');
    // The payload is text, not child elements: Finesse escapes the Update (capture XMPP/login.xml).
    expect(frame).toContain('<notification xmlns="urn:xmpp:push:0">&lt;Update&gt;&lt;data&gt;&lt;user&gt;');
    const msg = parseXml(frame);
    expect(msg.namespaceURI).toBe(NS.client);
    expect(msg.getAttribute('from')).toBe(pubsubOf(f));
    expect(msg.getAttribute('to')).toBe(`1003@${domain}`);
    const items = child(child(msg, 'event', 'http://jabber.org/protocol/pubsub#event')!, 'items')!;
    expect(items.getAttribute('node')).toBe('/finesse/api/User/1003');
    const notification = child(children(items)[0]!, 'notification', NS.push)!;
    expect(children(notification)).toEqual([]);
    const update = parseXml(notification.textContent ?? '');
    expect(update.getElementsByTagName('requestId')[0]?.textContent).toBe('wire-1');
  });
});

describe('a seeded garbage stream', () => {
  it('random frames, before and after authentication, never crash the service nor get internal-server-error; every stream ends cleanly or in a defined error', async () => {
    const rnd = prng(7395);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    /** Any UTF-16 code units, control characters included (never well-formed XML). */
    const junk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(rnd() * 0x2fff))).join('');
    /** Characters valid in XML text and attributes, so that the frame parses and reaches the session. */
    const safe = (n: number) => Array.from({ length: n }, () => String.fromCharCode(0x20 + Math.floor(rnd() * 0x2fdf))).join('').replace(/[<&"]/g, '.');
    const iq = (type: string, payload: string, to?: string) => `<iq xmlns="${NS.client}" type="${type}" id="${safe(3)}"${to ? ` to="${to}"` : ''}>${payload}</iq>`;
    const pieces = [
      () => OPEN(pick([domain, 'evil.example', safe(4)])),
      () => `<open xmlns="${NS.framing}"/>`,
      () => PING(),
      () => `<presence xmlns="${NS.client}"${pick(['', ' type="unavailable"', ' type="subscribe"', ` to="${safe(4)}"`])}><priority>${pick(['1', '-200', 'x', '', '-1'])}</priority></presence>`,
      () => `<auth xmlns="${NS.sasl}" mechanism="PLAIN">${Buffer.from(junk(20)).toString('base64')}</auth>`,
      () => `<auth xmlns="${NS.sasl}" mechanism="${safe(5)}">${safe(8)}</auth>`,
      () => iq(pick(['get', 'set', 'result', 'error', safe(2)]), pick(['', '<a/><b/>', `<ping xmlns="urn:xmpp:ping"/>`, `<query xmlns="${safe(6)}"/>`]), pick([undefined, domain, pubsubOf(f), safe(5)])),
      () => iq('set', `<bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><resource>${pick(['g', safe(6), ''])}</resource></bind>`),
      () => iq(pick(['get', 'set']), `<pubsub xmlns="http://jabber.org/protocol/pubsub"><${pick(['subscribe', 'unsubscribe', 'subscriptions', 'publish', 'items', safe(3).replace(/\W/g, 'x') || 'y'])} node="${safe(10)}" jid="${pick([`1003@${domain}`, safe(5)])}"/></pubsub>`, pubsubOf(f)),
      () => iq('get', `<query xmlns="http://jabber.org/protocol/disco#info"/>`, pick([domain, pubsubOf(f), `1001@${domain}`])),
      () => `<message xmlns="${NS.client}" to="${safe(5)}" type="${pick(['chat', 'error', 'normal'])}"><body>${safe(30)}</body></message>`,
      () => `<${pick(['iq', 'message', 'presence', 'x:y', 'a'])}${pick(['', ' xmlns="jabber:client"', ' xmlns:x="u"', ' xmlns="jabber:server"'])}>${junk(Math.floor(rnd() * 40))}`,
      () => junk(Math.floor(rnd() * 200)),
      () => '<'.repeat(Math.floor(rnd() * 3000)),
      () => `<a${' b="c"'.repeat(Math.floor(rnd() * 300))}/>`,
      () => `<x xmlns="${safe(4)}">${safe(50)}</x>`,
      () => '',
    ];
    const KNOWN = new Set([
      'bad-format', 'conflict', 'host-unknown', 'invalid-namespace', 'not-authorized', 'not-well-formed', 'policy-violation', 'restricted-xml', 'unsupported-stanza-type', 'unsupported-version',
    ]);
    const conditions = new Set<string>();
    for (let c = 0; c < 40; c++) {
      const s = await connect();
      // Most streams start right, some get as far as a bound session, so that the garbage reaches every layer.
      const r = rnd();
      if (r < 0.35) await s.login(domain, '1003', 'NonSso1Pass!', `g${c}`);
      else if (r < 0.7) await s.openStream(domain);
      const n = 1 + Math.floor(rnd() * 6);
      for (let i = 0; i < n && s.closeCode === undefined; i++) {
        if (rnd() < 0.08) s.send(Buffer.from(junk(10)), true);
        else s.send(pick(pieces)());
      }
      // Whatever is still open is closed by the client (RFC 7395 §3.6): the server must answer it.
      if (s.closeCode === undefined) s.send(`<close xmlns="${NS.framing}"/>`);
      await s.until(() => s.closeCode, `connection ${c} to close`);
      for (const fr of s.frames) {
        const el = parseXml(fr); // every frame the server sent is well-formed XML
        if (el.localName === 'error' && el.namespaceURI === NS.stream) {
          const e = streamErrorOf(el);
          expect(KNOWN.has(e.condition), `connection ${c}: ${fr}`).toBe(true);
          expect(e.code).toMatch(/^ERR_XMPP_/);
          conditions.add(e.condition);
        }
      }
      s.close();
    }
    expect(conditions.size, [...conditions].join(' ')).toBeGreaterThanOrEqual(5);
    // Still serving: HTTP, a fresh desktop, and no leftover sessions.
    expect((await fetch(`${f.lab.urls.finesse}/healthz`)).status).toBe(200);
    const s = await connect();
    expect(await s.login(domain, '1003', 'NonSso1Pass!', 'after')).toBe(`1003@${domain}/after`);
    s.close();
    await waitUntil(() => f.lab.state.finesse!.notifications.connections().length === 0 || undefined, 'every garbage session to be gone');
  });
});
