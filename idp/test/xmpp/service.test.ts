import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FinesseLab } from '../finesse-api/finesse-lab.js';
import { Desktop, TRANSPORTS, closeDesktops, domainOf, pubsubOf, stanzaErrorOf, startXmppLab, type TransportName } from './xmpp-test-client.js';

/**
 * The service around the notifications, as a stanza desktop meets it: XMPP ping (XEP-0199, which
 * Finesse desktops use as keep-alive, reference A.2.6), service discovery (XEP-0030) of the
 * server and of `pubsub.<domain>`, the empty roster (RFC 6121 §2), resource conflict
 * (RFC 6120 §7.7.2.2), no message routing (§8.3.3.19 service-unavailable), and the lab reset
 * that disconnects every desktop (§4.9.3.16 `reset`).
 */

let f: FinesseLab;
beforeAll(async () => {
  f = await startXmppLab();
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());
afterEach(() => closeDesktops());

describe.each(TRANSPORTS)('over %s', (t: TransportName) => {
  it('answers XMPP pings addressed to the server, the pub-sub service and the user itself', async () => {
    const d = await Desktop.open(f, 'nonsso1', t);
    await d.client.ping(domainOf(f));
    await d.client.ping(pubsubOf(f));
    await d.client.ping(); // no `to`: the user's own account, answered by the server (RFC 6120 §10.3.3)
    const pings = d.elements.filter((e) => e.localName === 'iq' && e.getAttribute('type') === 'result');
    expect(pings.map((e) => e.getAttribute('from') ?? '')).toEqual(expect.arrayContaining([domainOf(f), pubsubOf(f)]));
  });

  it('disco#info of the server: an IM server with ping and disco; disco#items lists pubsub.<domain>', async () => {
    const d = await Desktop.open(f, 'nonsso1', t);
    const info = await d.client.getDiscoInfo(domainOf(f));
    expect(info.identities).toEqual([expect.objectContaining({ category: 'server', type: 'im' })]);
    expect(info.features).toEqual(expect.arrayContaining(['urn:xmpp:ping', 'http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items']));
    const items = await d.client.getDiscoItems(domainOf(f));
    expect(items.items?.map((i) => i.jid)).toEqual([pubsubOf(f)]);
  });

  it('disco#info of pubsub.<domain>: a pub-sub service with subscribe and retrieve-subscriptions', async () => {
    const d = await Desktop.open(f, 'nonsso1', t);
    const info = await d.client.getDiscoInfo(pubsubOf(f));
    expect(info.identities).toEqual([expect.objectContaining({ category: 'pubsub', type: 'service' })]);
    expect(info.features).toEqual(
      expect.arrayContaining([
        'http://jabber.org/protocol/pubsub',
        'http://jabber.org/protocol/pubsub#subscribe',
        'http://jabber.org/protocol/pubsub#retrieve-subscriptions',
      ]),
    );
  });

  it('the roster is empty (Finesse desktops have no contacts)', async () => {
    const d = await Desktop.open(f, 'nonsso1', t);
    const roster = await d.client.getRoster();
    expect(roster.items ?? []).toEqual([]);
  });

  it('a second session binding the same resource replaces the first, which gets stream error conflict', async () => {
    const first = await Desktop.open(f, 'agent1', t, { resource: 'desktop-a' });
    const second = await Desktop.open(f, 'agent1', t, { resource: 'desktop-a' });
    const e = await first.expectStreamError();
    expect(e).toMatchObject({ condition: 'conflict', code: 'ERR_XMPP_CONFLICT' });
    expect(second.jid).toBe(first.jid);
    await second.barrier();
    // The survivor gets the agent's notifications.
    await f.login('agent1');
    await second.note((n) => n.node === '/finesse/api/User/1001', 'the notification on the new session');
  });

  it('a second session with another resource coexists', async () => {
    const a = await Desktop.open(f, 'agent1', t, { resource: 'a' });
    const b = await Desktop.open(f, 'agent1', t, { resource: 'b' });
    await a.barrier();
    expect(a.streamError()).toBeUndefined();
    await f.login('agent1');
    for (const d of [a, b]) await d.note((n) => n.node === '/finesse/api/User/1001', 'the notification on both resources');
  });

  it('a message to another user is service-unavailable: the service routes no chat', async () => {
    const d = await Desktop.open(f, 'agent1', t);
    const id = d.client.sendMessage({ to: `1002@${domainOf(f)}`, body: 'hello', type: 'chat' });
    const err = await d.until(() => d.elements.find((e) => e.localName === 'message' && e.getAttribute('id') === id && e.getAttribute('type') === 'error'), 'the message error');
    expect(stanzaErrorOf(err)).toMatchObject({ condition: 'service-unavailable', type: 'cancel', code: 'ERR_XMPP_SERVICE_UNAVAILABLE' });
    expect(err.getAttribute('from')).toBe(`1002@${domainOf(f)}`);
  });

  it('an iq to another user, or with a payload the server does not know, is service-unavailable', async () => {
    const d = await Desktop.open(f, 'agent1', t);
    const other = await d.iqError(() => d.client.ping(`1002@${domainOf(f)}`));
    expect(other).toMatchObject({ condition: 'service-unavailable', code: 'ERR_XMPP_SERVICE_UNAVAILABLE' });
    const unknown = await d.iqError(() => d.client.getVCard(domainOf(f)));
    expect(unknown).toMatchObject({ condition: 'service-unavailable', code: 'ERR_XMPP_SERVICE_UNAVAILABLE' });
  });

  it('a lab reset ends every session with stream error reset; the desktop can connect again', async () => {
    const a = await Desktop.open(f, 'agent1', t);
    const b = await Desktop.open(f, 'supervisor1', t);
    f.reset();
    for (const d of [a, b]) expect(await d.expectStreamError()).toMatchObject({ condition: 'reset', code: 'ERR_XMPP_RESET' });
    expect(f.lab.state.finesse!.notifications.connections()).toEqual([]);
    const again = await Desktop.open(f, 'agent1', t);
    await f.login('agent1');
    await again.note((n) => n.node === '/finesse/api/User/1001', 'a notification after the reset');
  });
});
