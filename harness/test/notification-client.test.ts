import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  childText,
  FinesseNotificationClient,
  FinesseNotificationError,
  type FinesseNotificationClientOptions,
  type FinesseUpdate,
} from '../src/clients/finesse/notification-client.js';
import { FinesseRestClient } from '../src/clients/finesse/rest-client.js';
import { startTestLab } from '../src/start-lab.js';
import type { Lab } from '../../idp/src/lab.js';

/**
 * The reference notification client (harness/src/clients/finesse/notification-client.ts) against
 * the lab's Finesse notification service, over both transports (RFC 7395 WebSocket, XEP-0124/0206
 * BOSH): the session a desktop gets (JID, presence), the `<Update>` notifications of REST changes
 * (reference A.2.6), XEP-0060 subscriptions, presence, and every failure as a typed
 * FinesseNotificationError carrying the XMPP condition and the lab's `[ERR_…]` code. Then over
 * TLS, where the lab's private CA must be passed (`ca`) and a client without it is refused. Last,
 * against a scripted stand-in WebSocket server, what the lab never sends: server pings (XEP-0199)
 * and other iq requests, a malformed Update, and a stream error after the session started.
 */

const TRANSPORTS = ['websocket', 'bosh'] as const;
const NONSSO = { loginId: '1003', password: 'NonSso1Pass!' };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The clients a test opened, closed after it (a lab reset would end them anyway). */
const opened: FinesseNotificationClient[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

type Options = Partial<FinesseNotificationClientOptions> & Pick<FinesseNotificationClientOptions, 'transport'>;

/** nonsso1's desktop unless told otherwise, remembered for afterEach. */
async function connectTo(finesseUrl: string, o: Options): Promise<FinesseNotificationClient> {
  const c = await FinesseNotificationClient.connect({ finesseUrl, ...NONSSO, timeoutMs: 5000, ...o });
  opened.push(c);
  return c;
}

function connect(lab: Lab, o: Options): Promise<FinesseNotificationClient> {
  return connectTo(lab.urls.finesse!, o);
}

/** An IdS access token for an SSO fixture user, minted in-process (the SSO flow itself is f1-smoke's). */
function token(lab: Lab, username: string): string {
  const upn = `${username}@lab.example`;
  return lab.state.ids!.tokens.issue({ userId: username, upn, realm: 'lab.example', clientId: lab.config.finesse.idsClientId }).accessToken;
}

function rest(lab: Lab, authorization: string, ca?: string): FinesseRestClient {
  return new FinesseRestClient({ finesseUrl: lab.urls.finesse!, authorization: async () => authorization, ...(ca === undefined ? {} : { ca }) });
}

/** What a connect() rejected with (it must reject). */
async function refusal(p: Promise<unknown>): Promise<Error & { code?: string }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err as Error,
  );
  expect(e, 'connect() should have been refused').toBeInstanceOf(Error);
  return e!;
}

describe('over plain HTTP', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['ids', 'finesse', 'console'], tls: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });
  beforeEach(() => lab.state.reset());

  const nonsso = () => rest(lab, basic('nonsso1', NONSSO.password));
  const service = () => lab.state.finesse!.notifications;

  describe.each(TRANSPORTS)('%s', (transport) => {
    it('binds <loginId>@<the SystemInfo xmppDomain>/idp-harness-<random>, is an available desktop, and parses the User notification of a REST change', async () => {
      const seen: string[] = [];
      const c = await connect(lab, { transport, onUpdate: (u) => seen.push(`callback ${u.requestId}`) });
      c.on('update', (u) => seen.push(`listener ${u.requestId}`));
      // The default domain (the Finesse URL's host) is the one Finesse reports (reference A.2.3).
      expect(c.domain).toBe((await nonsso().systemInfo()).xmppDomain);
      expect(c.jid).toMatch(new RegExp(`^1003@${c.domain}/idp-harness-[0-9a-f]{8}$`));
      expect(c.bareJid).toBe(`1003@${c.domain}`);
      expect(service().connections()).toEqual([{ jid: c.jid, transport, available: true }]);

      expect(await nonsso().login('1003', '3003', { requestId: `login-${transport}` })).toBe(`login-${transport}`);
      const u = await c.waitForRequest(`login-${transport}`, { timeoutMs: 5000 });
      expect(u).toMatchObject({ node: '/finesse/api/User/1003', event: 'PUT', requestId: `login-${transport}`, source: '/finesse/api/User/1003', kind: 'user' });
      expect(u.itemId).toMatch(/^[0-9a-f-]{36}$/);
      expect([childText(u.data, 'state'), childText(u.data, 'extension'), childText(u.data, 'loginName')]).toEqual(['NOT_READY', '3003', 'nonsso1']);
      expect(u.xml).toMatch(/^<Update><data><user>[\s\S]*<\/user><\/data><event>PUT<\/event><requestId>login-\w+<\/requestId><source>\/finesse\/api\/User\/1003<\/source><\/Update>$/);
      expect(c.updates).toEqual([u]);
      expect(seen).toEqual([`callback login-${transport}`, `listener login-${transport}`]);
    });

    it('signs an SSO agent in with the IdS access token, on the resource it asks for; ping() is answered', async () => {
      const c = await connect(lab, { transport, loginId: '1001', password: token(lab, 'agent1'), resource: `desk-${transport}` });
      expect(c.jid).toBe(`1001@${c.domain}/desk-${transport}`);
      await c.ping();
      await rest(lab, `Bearer ${token(lab, 'agent1')}`).login('1001', '3001', { requestId: 'sso-login' });
      expect(childText((await c.waitForState('NOT_READY', { requestId: 'sso-login' })).data, 'loginId')).toBe('1001');
    });

    it('a wrong password, a forged token and an expired token are typed SASL failures', async () => {
      const wrong = await refusal(connect(lab, { transport, password: 'not-the-password' }));
      expect(wrong).toBeInstanceOf(FinesseNotificationError);
      expect(wrong).toMatchObject({ kind: 'sasl', condition: 'not-authorized', code: 'ERR_XMPP_AUTH_FAILED' });

      const forged = await refusal(connect(lab, { transport, loginId: '1001', password: 'eyJhbGciOiJub25lIn0.e30.' }));
      expect(forged).toMatchObject({ kind: 'sasl', condition: 'not-authorized', code: 'ERR_XMPP_AUTH_FAILED' });

      const old = token(lab, 'agent1');
      lab.state.clock.advance(61 * 60_000); // past the 60-minute access token lifetime (IdS default)
      const expired = await refusal(connect(lab, { transport, loginId: '1001', password: old }));
      expect(expired).toMatchObject({ kind: 'sasl', condition: 'credentials-expired', code: 'ERR_XMPP_TOKEN_EXPIRED' });
      expect(service().connections()).toEqual([]);
    });

    it('twenty iqs sent at once are all answered and the session stays (BOSH: queued within the request window, never overactive)', async () => {
      const c = await connect(lab, { transport });
      await Promise.all(Array.from({ length: 20 }, () => c.ping()));
      expect(service().connections()).toEqual([{ jid: c.jid, transport, available: true }]);
    });

    it('a wrong XMPP domain is refused as host-unknown (a stream error over WebSocket, a BOSH terminate condition)', async () => {
      const e = await refusal(connect(lab, { transport, domain: 'not-finesse.example' }));
      expect(e).toMatchObject(
        transport === 'websocket'
          ? { kind: 'stream', condition: 'host-unknown', code: 'ERR_XMPP_HOST_UNKNOWN' }
          : { kind: 'bosh', condition: 'host-unknown', code: 'ERR_XMPP_HOST_UNKNOWN' },
      );
    });

    it('a supervisor subscribes to a team node, gets its notifications, unsubscribes; refusals are typed stanza errors', async () => {
      const supToken = token(lab, 'supervisor1');
      const sales = (await rest(lab, `Bearer ${supToken}`).getUser('2001')).teams.find((t) => t.name === 'Sales');
      expect(sales, 'supervisor1 supervises Sales').toBeDefined();
      const node = `/finesse/api/Team/${sales!.id}/Users`;
      const sup = await connect(lab, { transport, loginId: '2001', password: supToken });
      const subid = await sup.subscribe(node);
      expect(subid).toMatch(/^[0-9a-f]{24}$/);

      await rest(lab, `Bearer ${token(lab, 'agent1')}`).login('1001', '3001', { requestId: 'team-1' });
      const u = await sup.waitForRequest('team-1', { node, timeoutMs: 5000 });
      expect([u.kind, u.source, childText(u.data, 'loginId'), childText(u.data, 'state')]).toEqual(['user', '/finesse/api/User/1001', '1001', 'NOT_READY']);

      await sup.unsubscribe(node, subid);
      const again = await refusal(sup.unsubscribe(node, subid));
      expect(again).toMatchObject({ kind: 'stanza', condition: 'unexpected-request', code: 'ERR_XMPP_PUBSUB_NOT_SUBSCRIBED', appCondition: 'not-subscribed' });

      const agent = await connect(lab, { transport, loginId: '1001', password: token(lab, 'agent1') });
      const forbidden = await refusal(agent.subscribe(node));
      expect(forbidden).toMatchObject({ kind: 'stanza', condition: 'forbidden', code: 'ERR_XMPP_PUBSUB_FORBIDDEN', appCondition: 'closed-node' });
      const unknown = await refusal(agent.subscribe('/finesse/api/Team/0/Users'));
      expect(unknown).toMatchObject({ kind: 'stanza', condition: 'item-not-found', code: 'ERR_XMPP_PUBSUB_NODE_NOT_FOUND' });
    });

    it('unavailable presence starts the forced-logout countdown, available cancels it, close() ends the session', async () => {
      const c = await connect(lab, { transport });
      await nonsso().login('1003', '3003');
      await c.setUnavailable();
      expect(service().connections()).toEqual([{ jid: c.jid, transport, available: false }]);
      expect(service().pendingLogouts().map((p) => p.loginId)).toEqual(['1003']);
      await c.setAvailable();
      expect(service().pendingLogouts()).toEqual([]);

      await c.close();
      expect(await c.closed).toBeUndefined();
      expect(service().connections()).toEqual([]);
      expect(service().pendingLogouts().map((p) => p.loginId)).toEqual(['1003']);
    });

    it('a lab reset ends the stream with the stream error reset, and a pending waitFor fails with it', async () => {
      const c = await connect(lab, { transport });
      const pending = c.waitForState('READY', { timeoutMs: 5000 });
      lab.state.reset();
      const why = await c.closed;
      expect(why).toBeInstanceOf(FinesseNotificationError);
      expect(why).toMatchObject({ kind: 'stream', condition: 'reset', code: 'ERR_XMPP_RESET' });
      await expect(pending).rejects.toThrow(/ended \(XMPP stream error: reset \[ERR_XMPP_RESET\]/);
      await expect(c.waitForState('READY')).rejects.toThrow(/has ended/);
    });
  });

  it('waitFor: an update received before, one received later, `since`, and a timeout that names what arrived', async () => {
    const c = await connect(lab, { transport: 'websocket' });
    const later = c.waitForState('NOT_READY', { requestId: 'w-1' });
    await nonsso().login('1003', '3003', { requestId: 'w-1' });
    const first = await later;
    expect(await c.waitForRequest('w-1')).toBe(first);
    const since = c.updates.length;
    const late = await refusal(c.waitForRequest('w-1', { since, timeoutMs: 200 }));
    expect(late.message).toBe(
      "no notification for requestId 'w-1' within 200 ms; received 1 notification(s), the last: /finesse/api/User/1003 PUT user=NOT_READY requestId='w-1'",
    );
    await nonsso().setState('1003', 'READY', { requestId: 'w-2' });
    const ready: FinesseUpdate = await c.waitForRequest('w-2', { since });
    expect(childText(ready.data, 'state')).toBe('READY');
    expect(c.updates.indexOf(ready)).toBe(since);
  });

  it('a refused WebSocket handshake is a typed HTTP error with the lab code', async () => {
    const e = await refusal(connect(lab, { transport: 'websocket', xmppUrl: `${lab.urls.finesse}/elsewhere`, domain: 'localhost' }));
    expect(e).toMatchObject({ kind: 'http', condition: 'HTTP 404', code: 'ERR_HTTP_NOT_FOUND' });
  });
});

describe('over TLS with the lab CA', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['ids', 'finesse', 'console'], tls: true });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it.each(TRANSPORTS)('%s: connects with `ca` and receives notifications; without it the certificate is refused', async (transport) => {
    lab.state.reset();
    const ca = lab.state.pki.caPem;
    expect(lab.urls.finesse).toMatch(/^https:/);
    const c = await connect(lab, { transport, ca });
    await rest(lab, basic('nonsso1', NONSSO.password), ca).login('1003', '3003', { requestId: `tls-${transport}` });
    expect(childText((await c.waitForRequest(`tls-${transport}`, { kind: 'user' })).data, 'state')).toBe('NOT_READY');

    const untrusted = await refusal(connect(lab, { transport }));
    expect(untrusted).not.toBeInstanceOf(FinesseNotificationError);
    // The lab serves its leaf certificate alone; without the CA, Node cannot verify it.
    expect(untrusted.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});

describe('against a scripted stand-in server (RFC 7395 on 127.0.0.1)', () => {
  const DOMAIN = 'finesse.example';
  const FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';
  let wss: WebSocketServer;
  let url: string;
  /** Every frame the client sent, in order. */
  const received: string[] = [];
  let server: WebSocket | undefined;
  /** Resolves with the next frame the client sends that matches. */
  let nextFrame: ((frame: string) => void) | undefined;

  beforeAll(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (p) => (p.has('xmpp') ? 'xmpp' : false) });
    await new Promise((resolve) => wss.once('listening', resolve));
    url = `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    wss.on('connection', (ws) => {
      server = ws;
      let authenticated = false;
      ws.on('message', (data) => {
        const frame = data.toString();
        received.push(frame);
        nextFrame?.(frame);
        const id = /\bid="([^"]+)"/.exec(frame)?.[1];
        // Just enough of an XMPP server (RFC 6120 §4.3, §6, §7; RFC 7395 §3.3) for the client to get through.
        if (frame.startsWith('<open ')) {
          ws.send(`<open xmlns="${FRAMING}" from="${DOMAIN}" id="s1" version="1.0"/>`);
          const features = authenticated
            ? '<bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/>'
            : '<mechanisms xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><mechanism>PLAIN</mechanism></mechanisms>';
          ws.send(`<stream:features xmlns:stream="http://etherx.jabber.org/streams">${features}</stream:features>`);
        } else if (frame.startsWith('<auth ')) {
          authenticated = true;
          ws.send('<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>');
        } else if (frame.includes('xmpp-bind')) {
          ws.send(`<iq xmlns="jabber:client" type="result" id="${id}"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><jid>1003@${DOMAIN}/desk</jid></bind></iq>`);
        } else if (frame.includes('urn:xmpp:ping') && frame.includes('type="get"')) {
          ws.send(`<iq xmlns="jabber:client" type="result" id="${id}" from="${DOMAIN}"/>`);
        } else if (frame.startsWith('<close ')) {
          ws.send(`<close xmlns="${FRAMING}"/>`);
          ws.close();
        }
      });
    });
  });
  afterAll(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
  });

  /** Sends `frame` to the client and returns its answer (the next frame it sends). */
  async function ask(frame: string): Promise<string> {
    const answer = new Promise<string>((resolve) => (nextFrame = resolve));
    server!.send(frame);
    return answer;
  }

  it('sends the RFC 7395 open, PLAIN credentials, the resource; answers server pings, refuses other requests, and parses pub-sub items', async () => {
    const c = await connectTo(url, { transport: 'websocket', domain: DOMAIN, resource: 'desk', password: 's3cret' });
    expect(c.jid).toBe(`1003@${DOMAIN}/desk`);
    expect(received[0]).toBe(`<open xmlns="${FRAMING}" to="${DOMAIN}" version="1.0"/>`);
    const plain = /<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">([^<]+)<\/auth>/.exec(received[1]!)?.[1];
    expect(Buffer.from(plain!, 'base64').toString()).toBe('\u00001003\u0000s3cret'); // RFC 4616: empty authzid
    expect(received[2]).toBe(received[0]); // the restart after SASL
    expect(received[3]).toMatch(/<bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><resource>desk<\/resource><\/bind>/);
    expect(received[4]).toBe('<presence xmlns="jabber:client"/>');

    // XEP-0199 §4.2: a server ping gets an empty result; RFC 6120 §8.4: any other request service-unavailable.
    expect(await ask(`<iq xmlns="jabber:client" type="get" id="p1" from="${DOMAIN}" to="${c.jid}"><ping xmlns="urn:xmpp:ping"/></iq>`)).toBe(
      `<iq xmlns="jabber:client" type="result" to="${DOMAIN}" id="p1"/>`,
    );
    expect(await ask(`<iq xmlns="jabber:client" type="get" id="v1" from="${DOMAIN}"><query xmlns="jabber:iq:version"/></iq>`)).toBe(
      `<iq xmlns="jabber:client" type="error" to="${DOMAIN}" id="v1"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`,
    );

    // Two items in one event: a well-formed Update and one that is not (skipped).
    const update = '<Update><data><user><state>READY</state></user></data><event>PUT</event><requestId>r&amp;1</requestId><source>/finesse/api/User/1003</source></Update>';
    const escaped = (x: string) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const seen = c.waitForState('READY', { timeoutMs: 2000 });
    server!.send(
      `<message xmlns="jabber:client" from="pubsub.${DOMAIN}" to="1003@${DOMAIN}"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="/finesse/api/User/1003">` +
        `<item id="i-bad"><notification xmlns="urn:xmpp:push:0">${escaped('<Update><data>')}</notification></item>` +
        `<item id="i-good"><notification xmlns="urn:xmpp:push:0">${escaped(update)}</notification></item></items></event></message>`,
    );
    const u = await seen;
    expect(u).toMatchObject({ node: '/finesse/api/User/1003', itemId: 'i-good', event: 'PUT', requestId: 'r&1', source: '/finesse/api/User/1003', kind: 'user', xml: update });
    expect(c.updates.length).toBe(1);

    // A stream error after the session started ends it, typed; without a lab the code is whatever <text> says.
    server!.send('<stream:error xmlns:stream="http://etherx.jabber.org/streams"><conflict xmlns="urn:ietf:params:xml:ns:xmpp-streams"/><text xmlns="urn:ietf:params:xml:ns:xmpp-streams">Replaced by new connection</text></stream:error>');
    server!.close();
    const why = await c.closed;
    expect(why).toMatchObject({ kind: 'stream', condition: 'conflict', code: undefined, text: 'Replaced by new connection' });
  });
});
