import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FinesseLab } from '../finesse-api/finesse-lab.js';
import { prng } from '../helpers/prng.js';
import { NS, boshBody, boshRequest, boshSession, child, children, domainOf, isStreamError, parseXml, pubsubOf, startXmppLab, streamErrorOf, type BoshAnswer } from './xmpp-test-client.js';

/**
 * XMPP over BOSH (XEP-0124, XEP-0206) at `/http-bind`, request by request with `fetch`: what a
 * conforming library never sends. Binding errors are HTTP 200 with
 * `<body type="terminate" condition="…"/>` (XEP-0124 §17.2) and our code in `X-Idp-Harness-Error`;
 * stream errors travel in a terminate body with `remote-stream-error` (XEP-0206 §7). CORS is open,
 * as on Openfire's http-bind.
 */

const MAX = 4096;
let f: FinesseLab;
let domain: string;
beforeAll(async () => {
  // wait ≤ 1 s: a request the server holds (XEP-0124 §7.1) never costs a test more than that;
  // inactivity 2 s: a request waiting for a rid that never comes is answered when the session ends.
  f = await startXmppLab({ xmpp: { maxStanzaBytes: MAX, boshMaxWaitSeconds: 1, boshInactivitySeconds: 2 } });
  domain = domainOf(f);
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());

function expectTerminate(a: BoshAnswer, condition: string, code: string): void {
  expect(a.status, a.text).toBe(200);
  expect(a.body?.localName).toBe('body');
  expect(a.body?.namespaceURI).toBe(NS.httpbind);
  expect(a.body?.getAttribute('type')).toBe('terminate');
  expect(a.body?.getAttribute('condition')).toBe(condition);
  expect(a.code).toBe(code);
}

/** The stream error inside a `remote-stream-error` terminate body. */
function remoteStreamError(a: BoshAnswer) {
  expect(a.body?.getAttribute('type')).toBe('terminate');
  expect(a.body?.getAttribute('condition')).toBe('remote-stream-error');
  const el = children(a.body!).find(isStreamError);
  expect(el, a.text).toBeDefined();
  return streamErrorOf(el!);
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const AUTH = (user = '1003', password = 'NonSso1Pass!') => `<auth xmlns="${NS.sasl}" mechanism="PLAIN">${b64(`\0${user}\0${password}`)}</auth>`;

describe('session creation (XEP-0124 §7.1, XEP-0206 §4)', () => {
  it('answers with sid, the negotiated wait/hold/requests, inactivity, the domain, xmpp:version and the SASL features', async () => {
    const a = await boshRequest(f, boshBody({ to: domain, rid: 42, wait: 3600, hold: 5, 'xmpp:version': '1.0', ver: '1.6' }));
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toMatch(/^text\/xml/);
    const b = a.body!;
    expect(b.getAttribute('type')).toBe('');
    expect(b.getAttribute('sid')).toMatch(/^[0-9a-f]{32}$/);
    // The server never holds more than asked, and here never more than 1; requests = hold + 1.
    expect(b.getAttribute('hold')).toBe('1');
    expect(b.getAttribute('requests')).toBe('2');
    expect(b.getAttribute('wait')).toBe(String(f.config.xmpp.boshMaxWaitSeconds));
    expect(b.getAttribute('inactivity')).toBe(String(f.config.xmpp.boshInactivitySeconds));
    expect(b.getAttribute('from')).toBe(domain);
    expect(b.getAttributeNS(NS.xbosh, 'version')).toBe('1.0');
    const features = child(b, 'features', NS.stream)!;
    expect(children(child(features, 'mechanisms', NS.sasl)!).map((m) => m.textContent)).toEqual(['PLAIN']);
    expect(a.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('a whole sign-in: auth, restart, bind, presence; then a REST change arrives escaped in a held request', async () => {
    const { sid, rid } = await boshSession(f);
    const post = (r: number, inner: string, attrs: Record<string, string | number> = {}) => boshRequest(f, boshBody({ sid, rid: r, ...attrs }, inner));
    expect(children((await post(rid, AUTH())).body!)[0]!.localName).toBe('success');
    const restarted = await post(rid + 1, '', { to: domain, 'xmpp:restart': 'true' });
    expect(child(child(restarted.body!, 'features', NS.stream)!, 'bind')).toBeDefined();
    const bound = await post(rid + 2, `<iq xmlns="${NS.client}" type="set" id="b1"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><resource>raw</resource></bind></iq>`);
    expect(bound.body!.getElementsByTagName('jid')[0]?.textContent).toBe(`1003@${domain}/raw`);
    const presence = await post(rid + 3, `<presence xmlns="${NS.client}"/>`);
    expect(children(presence.body!)[0]!.localName).toBe('presence'); // RFC 6121 §4.2.2: the echo
    // An empty request is held (XEP-0124 §7.1) until there is something to say…
    const held = post(rid + 4, '');
    const res = await f.put('nonsso1', '/User/1003', '<User><state>LOGIN</state><extension>3003</extension></User>', { headers: { requestId: 'bosh-1' } });
    expect(res.status).toBe(202);
    // …and answered with the notification (reference A.2.6), its Update as escaped text.
    const answer = await held;
    expect(answer.text).toContain('<notification xmlns="urn:xmpp:push:0">&lt;Update&gt;');
    const msg = children(answer.body!)[0]!;
    expect(msg.localName).toBe('message');
    expect(msg.getAttribute('from')).toBe(pubsubOf(f));
    const notification = msg.getElementsByTagNameNS(NS.push, 'notification')[0]!;
    const update = parseXml(notification.textContent ?? '');
    expect(update.getElementsByTagName('requestId')[0]?.textContent).toBe('bosh-1');
    expect(update.getElementsByTagName('state')[0]?.textContent).toBe('NOT_READY');
    // A retransmitted rid gets the same answer again (XEP-0124 §14.3).
    expect((await post(rid + 3, `<presence xmlns="${NS.client}"/>`)).text).toBe(presence.text);
    // type="terminate" ends the session (§13); its sid is then unknown.
    const end = await post(rid + 5, '', { type: 'terminate' });
    expect(end.body!.getAttribute('type')).toBe('terminate');
    expectTerminate(await post(rid + 6, ''), 'item-not-found', 'ERR_XMPP_BOSH_UNKNOWN_SESSION');
  });
});

describe('binding errors (XEP-0124 §17.2)', () => {
  it('no body, or a body that is not XML: bad-request', async () => {
    expectTerminate(await boshRequest(f, undefined), 'bad-request', 'ERR_XMPP_NOT_WELL_FORMED');
    expectTerminate(await boshRequest(f, ''), 'bad-request', 'ERR_XMPP_NOT_WELL_FORMED');
    expectTerminate(await boshRequest(f, 'rid=1&sid=2'), 'bad-request', 'ERR_XMPP_NOT_WELL_FORMED');
    expectTerminate(await boshRequest(f, '<body xmlns="http://jabber.org/protocol/httpbind" rid="1">'), 'bad-request', 'ERR_XMPP_NOT_WELL_FORMED');
  });

  it('XML that is not an httpbind <body>, or without a valid rid, or with a bad wait: bad-request', async () => {
    expectTerminate(await boshRequest(f, `<open xmlns="${NS.framing}" to="${domain}"/>`), 'bad-request', 'ERR_XMPP_BOSH_BAD_REQUEST');
    expectTerminate(await boshRequest(f, `<body xmlns="urn:other" rid="1" to="${domain}"/>`), 'bad-request', 'ERR_XMPP_BOSH_BAD_REQUEST');
    for (const rid of [undefined, '', '-1', 'abc', '1.5', '99999999999999999']) {
      const attrs: Record<string, string> = { to: domain, 'xmpp:version': '1.0' };
      if (rid !== undefined) attrs['rid'] = rid;
      expectTerminate(await boshRequest(f, boshBody(attrs)), 'bad-request', 'ERR_XMPP_BOSH_BAD_REQUEST');
    }
    expectTerminate(await boshRequest(f, boshBody({ to: domain, rid: 1, wait: 'soon' })), 'bad-request', 'ERR_XMPP_BOSH_BAD_REQUEST');
  });

  it('a DOCTYPE is refused before parsing (RFC 6120 §11.1)', async () => {
    const a = await boshRequest(f, `<!DOCTYPE body [<!ENTITY x "y">]>${boshBody({ to: domain, rid: 1 })}`);
    expectTerminate(a, 'bad-request', 'ERR_XMPP_RESTRICTED_XML');
  });

  it('a body over maxStanzaBytes, or over the HTTP limit, is policy-violation', async () => {
    expectTerminate(await boshRequest(f, boshBody({ to: domain, rid: 1 }, `<!--${'x'.repeat(MAX)}-->`)), 'policy-violation', 'ERR_XMPP_TOO_LARGE');
    expectTerminate(await boshRequest(f, 'x'.repeat(MAX * 8)), 'policy-violation', 'ERR_XMPP_TOO_LARGE');
  });

  it('an unknown sid is item-not-found', async () => {
    expectTerminate(await boshRequest(f, boshBody({ sid: 'f'.repeat(32), rid: 7 })), 'item-not-found', 'ERR_XMPP_BOSH_UNKNOWN_SESSION');
  });

  it('a session request to another domain is host-unknown', async () => {
    expectTerminate(await boshRequest(f, boshBody({ to: 'example.org', rid: 1 })), 'host-unknown', 'ERR_XMPP_HOST_UNKNOWN');
    expectTerminate(await boshRequest(f, boshBody({ rid: 1 })), 'host-unknown', 'ERR_XMPP_HOST_UNKNOWN');
  });

  it('a rid far beyond the window terminates the session (XEP-0124 §14.2); its next request gets the stream error', async () => {
    const { sid, rid } = await boshSession(f);
    expectTerminate(await boshRequest(f, boshBody({ sid, rid: rid + 1000 })), 'item-not-found', 'ERR_XMPP_BOSH_OVERACTIVE');
    const after = await boshRequest(f, boshBody({ sid, rid }));
    expect(remoteStreamError(after)).toMatchObject({ condition: 'policy-violation', code: 'ERR_XMPP_BOSH_OVERACTIVE' });
  });

  it('a resent request still waiting for an earlier rid is replaced, and both are answered (XEP-0124 §14.3)', async () => {
    const { sid, rid } = await boshSession(f);
    // Two copies of rid+1 wait for rid (§14: requests are processed in rid order); then rid comes.
    const early = [boshRequest(f, boshBody({ sid, rid: rid + 1 })), boshRequest(f, boshBody({ sid, rid: rid + 1 }))];
    const first = boshRequest(f, boshBody({ sid, rid }, AUTH()));
    // Each is answered (boshRequest fails after a bounded wait): none is left open for ever.
    const answers = await Promise.all([first, ...early]);
    for (const a of answers) {
      expect(a.status, a.text).toBe(200);
      expect(a.body?.localName, a.text).toBe('body');
    }
    expect(answers[0]!.text).toContain('<success');
  });

  it('a request waiting for an earlier rid is answered with the end of the session when the session ends', async () => {
    const { sid, rid } = await boshSession(f);
    const waiting = boshRequest(f, boshBody({ sid, rid: rid + 1 })); // waits for rid (§14.2)
    expectTerminate(await boshRequest(f, boshBody({ sid, rid: rid + 1000 })), 'item-not-found', 'ERR_XMPP_BOSH_OVERACTIVE');
    // XEP-0124 §7.1: the server may wait at most `wait` (1 s here) before answering any request.
    const answer = await Promise.race([waiting, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('test: the waiting request was not answered within 3 s')), 3000).unref())]);
    expect(remoteStreamError(answer)).toMatchObject({ condition: 'policy-violation', code: 'ERR_XMPP_BOSH_OVERACTIVE' });
  });

  it('a rid older than the window is item-not-found, and ends the session (XEP-0124 §14.3: a terminal condition)', async () => {
    const { sid, rid } = await boshSession(f);
    expect((await boshRequest(f, boshBody({ sid, rid }, AUTH()))).status).toBe(200);
    expectTerminate(await boshRequest(f, boshBody({ sid, rid: rid - 500 })), 'item-not-found', 'ERR_XMPP_BOSH_BAD_RID');
    // The next request in order gets the same final answer: the session is gone, not left half-alive.
    const next = await boshRequest(f, boshBody({ sid, rid: rid + 1 }));
    expect([next.body?.getAttribute('type'), next.body?.getAttribute('condition')]).toEqual(['terminate', 'item-not-found']);
  });

  it('a request resent while its first copy is still held is held again (XEP-0124 §14.3), the older copy answered empty', async () => {
    const { sid, rid } = await boshSession(f);
    expect((await boshRequest(f, boshBody({ sid, rid }, AUTH()))).status).toBe(200);
    // The same rid twice, as a client does when it thinks the first connection broke: whichever
    // copy the server saw first is answered empty, the other is held (in either arrival order).
    const copies = [boshRequest(f, boshBody({ sid, rid: rid + 1 })), boshRequest(f, boshBody({ sid, rid: rid + 1 }))];
    const early = await Promise.race(copies);
    expect([early.status, early.body?.getAttribute('type') || 'no type', early.text.includes('<iq')]).toEqual([200, 'no type', false]);
    // Still the same session: the next rid restarts the stream, which releases the held copy (hold
    // is 1) and brings the post-auth features.
    const restart = await boshRequest(f, boshBody({ sid, rid: rid + 2, 'xmpp:restart': 'true' }));
    const both = [...(await Promise.all(copies)), restart];
    expect(both.every((a) => a.status === 200 && !a.body?.getAttribute('type'))).toBe(true);
    expect(both.map((a) => a.text).join('')).toContain('urn:ietf:params:xml:ns:xmpp-bind');
  });

  it('a stanza before authentication ends the session with remote-stream-error not-authorized (XEP-0206 §7)', async () => {
    const { sid, rid } = await boshSession(f);
    const a = await boshRequest(f, boshBody({ sid, rid }, `<iq xmlns="${NS.client}" type="get" id="x"><ping xmlns="urn:xmpp:ping"/></iq>`));
    expect(a.status).toBe(200);
    expect(remoteStreamError(a)).toMatchObject({ condition: 'not-authorized', code: 'ERR_XMPP_NOT_AUTHORIZED' });
  });

  it('a stanza after SASL success without the stream restart ends the session: policy-violation (RFC 6120 §6.4.6)', async () => {
    const { sid, rid } = await boshSession(f);
    expect((await boshRequest(f, boshBody({ sid, rid }, AUTH()))).text).toContain('<success');
    const bind = `<iq xmlns="${NS.client}" type="set" id="b"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></iq>`;
    const a = await boshRequest(f, boshBody({ sid, rid: rid + 1 }, bind));
    expect(remoteStreamError(a)).toMatchObject({ condition: 'policy-violation', code: 'ERR_XMPP_RESTART_REQUIRED' });
  });

  it('PLAIN without an initial response gets an empty challenge, and the <response/> carries the credentials (RFC 6120 §6.4.2)', async () => {
    const { sid, rid } = await boshSession(f);
    const challenge = await boshRequest(f, boshBody({ sid, rid }, `<auth xmlns="${NS.sasl}" mechanism="PLAIN"/>`));
    const c = children(challenge.body!).find((e) => e.localName === 'challenge');
    expect([c?.namespaceURI, c?.textContent]).toEqual([NS.sasl, '']);
    const answer = await boshRequest(f, boshBody({ sid, rid: rid + 1 }, `<response xmlns="${NS.sasl}">${b64('\u00001003\u0000NonSso1Pass!')}</response>`));
    expect(children(answer.body!).map((e) => e.localName)).toEqual(['success']);
  });

  it('a restart to another domain ends the session with remote-stream-error host-unknown', async () => {
    const { sid, rid } = await boshSession(f);
    await boshRequest(f, boshBody({ sid, rid }, AUTH()));
    const a = await boshRequest(f, boshBody({ sid, rid: rid + 1, to: 'example.org', 'xmpp:restart': 'true' }));
    expect(remoteStreamError(a)).toMatchObject({ condition: 'host-unknown', code: 'ERR_XMPP_HOST_UNKNOWN' });
  });
});

describe('HTTP methods and CORS', () => {
  it('GET is 405 with Allow', async () => {
    const a = await boshRequest(f, undefined, { method: 'GET' });
    expect(a.status).toBe(405);
    expect(a.headers.get('allow')).toBe('POST, OPTIONS');
    expect(a.code).toBe('ERR_HTTP_METHOD_NOT_ALLOWED');
  });

  it('OPTIONS (a CORS preflight) is 204 with the CORS headers', async () => {
    const a = await boshRequest(f, undefined, { method: 'OPTIONS', headers: { origin: 'https://desktop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(a.status).toBe(204);
    expect(a.text).toBe('');
    expect(a.headers.get('access-control-allow-origin')).toBe('*');
    expect(a.headers.get('access-control-allow-methods')).toMatch(/\bPOST\b/);
    expect(a.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
  });
});

describe('a seeded garbage stream', () => {
  it('random bodies: every request answered, never a 5xx or an internal error, and the service keeps working', async () => {
    const rnd = prng(124);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    /** Any UTF-16 code units, control characters included (never well-formed XML). */
    const junk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(rnd() * 0x2fff))).join('');
    /** Characters valid in XML text and attributes, so that the body parses and reaches the session logic. */
    const safe = (n: number) => Array.from({ length: n }, () => String.fromCharCode(0x20 + Math.floor(rnd() * 0x2fdf))).join('').replace(/[<&"]/g, '.');
    // Live sessions, one authenticated, so that garbage also reaches the rid window and the XMPP stream.
    const live = await Promise.all([boshSession(f), boshSession(f), boshSession(f)]);
    await boshRequest(f, boshBody({ sid: live[0]!.sid, rid: live[0]!.rid++ }, AUTH()));
    /** Attributes; an in-order rid only for a body that reaches the session, else the next one would wait for it. */
    const attrs = (parses: boolean): Record<string, string | number> => {
      const a: Record<string, string | number> = {};
      const s = pick(live);
      if (rnd() < 0.8) a['sid'] = rnd() < 0.85 ? s.sid : pick(['nope', safe(6)]);
      const r = rnd();
      if (r < 0.55 && parses && a['sid'] === s.sid) a['rid'] = s.rid++;
      else if (r < 0.7) a['rid'] = s.rid - 1 - Math.floor(rnd() * 3); // a resend, or older than the window
      else if (r < 0.8) a['rid'] = s.rid + 2 + Math.floor(rnd() * 1e6); // beyond the window
      else if (r < 0.9) a['rid'] = pick([-1, 'x', 2 ** 60, '']);
      if (rnd() < 0.5) a['to'] = pick([domain, 'evil.example', safe(3)]);
      if (rnd() < 0.3) a['wait'] = pick([0, 1, 'x', 99999]);
      if (rnd() < 0.3) a['hold'] = pick([0, 1, 7]);
      if (rnd() < 0.05) a['type'] = 'terminate';
      if (rnd() < 0.2) a['xmpp:restart'] = 'true';
      return a;
    };
    const inner = () =>
      pick([
        '',
        AUTH(),
        AUTH('1003', safe(5)),
        `<auth xmlns="${NS.sasl}" mechanism="PLAIN">${safe(12)}</auth>`,
        `<presence xmlns="${NS.client}"><priority>${pick(['1', '-300', safe(2)])}</priority></presence>`,
        `<iq xmlns="${NS.client}" type="${pick(['get', 'set', 'result', safe(3)])}" id="g"><ping xmlns="urn:xmpp:ping"/></iq>`,
        `<iq xmlns="${NS.client}" type="set" id="b"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><resource>${safe(8)}</resource></bind></iq>`,
        `<message xmlns="${NS.client}" to="${safe(5)}"><body>${safe(30)}</body></message>`,
        `<x xmlns="y">${safe(20)}</x>`,
        `<iq xmlns="jabber:server" type="get" id="s"/>`,
        `<stream:features xmlns:stream="${NS.stream}"/>`,
      ]);
    const body = () =>
      pick([
        () => boshBody(attrs(true), inner()),
        () => boshBody(attrs(true), inner() + inner()),
        () => boshBody(attrs(true), inner()),
        () => junk(Math.floor(rnd() * 300)),
        () => `<body xmlns="${NS.httpbind}"${' a="b"'.repeat(Math.floor(rnd() * 50))}>`,
        () => '<'.repeat(Math.floor(rnd() * 3000)),
        () => boshBody(attrs(false), '<'.repeat(10)),
      ])();
    const KNOWN = new Set(['bad-request', 'host-unknown', 'item-not-found', 'policy-violation', 'remote-stream-error']);
    const seen = new Set<string>();
    for (let batch = 0; batch < 5; batch++) {
      // Concurrent, as a desktop's two connections are; each answer bounded by boshRequest's wait.
      const answers = await Promise.all(Array.from({ length: 16 }, () => boshRequest(f, body())));
      for (const a of answers) {
        expect(a.status, a.text).toBe(200);
        expect(a.body?.localName, a.text).toBe('body');
        const condition = a.body!.getAttribute('condition');
        if (condition) expect(KNOWN.has(condition), a.text).toBe(true);
        expect(a.code ?? '', a.text).not.toBe('ERR_INTERNAL');
        seen.add(condition || (children(a.body!)[0]?.localName ?? 'empty'));
      }
    }
    // The stream reached more than the parser: session answers and several binding conditions.
    expect(seen.size, [...seen].join(' ')).toBeGreaterThanOrEqual(4);
    expect((await fetch(`${f.lab.urls.finesse}/healthz`)).status).toBe(200);
    const fresh = await boshSession(f);
    const ok = await boshRequest(f, boshBody({ sid: fresh.sid, rid: fresh.rid }, AUTH()));
    expect(children(ok.body!)[0]!.localName).toBe('success');
  });
});
