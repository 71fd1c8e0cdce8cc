import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FinesseLab } from '../finesse-api/finesse-lab.js';
import { Desktop, TRANSPORTS, children, childText, closeDesktops, domainOf, pubsubOf, startXmppLab, teamUsersNode, type TransportName } from './xmpp-test-client.js';

/**
 * Explicit pub-sub (XEP-0060 §6.1 subscribe, §6.2 unsubscribe, §5.6 subscriptions) on
 * `pubsub.<domain>`, as a Finesse supervisor desktop uses it (reference A.2.6, Dev Guide "Team
 * Notification"): `/finesse/api/Team/<id>/Users` carries a summary `<user>` of each team agent's
 * change. Refusals are stanza errors with the XEP-0060 §7 application condition and our code.
 */

let f: FinesseLab;
beforeAll(async () => {
  f = await startXmppLab();
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());
afterEach(() => closeDesktops());

describe.each(TRANSPORTS)('over %s', (t: TransportName) => {
  it("a supervisor subscribes its full JID to its team's Users node and sees the team's agents change; unsubscribe stops it", async () => {
    const sales = teamUsersNode(f, 'agent1'); // agent1 and supervisor1 are in Team Sales
    expect(teamUsersNode(f, 'supervisor1')).toBe(sales);
    const sup = await Desktop.open(f, 'supervisor1', t, { resource: 'sup-desk' });
    const sub = await sup.client.subscribeToNode(pubsubOf(f), { node: sales, jid: sup.jid });
    expect(sub.node).toBe(sales);
    expect(sub.jid).toBe(`2001@${domainOf(f)}/sup-desk`);
    expect(sub.state).toBe('subscribed');
    expect(sub.subid).toMatch(/^\S{8,}$/);

    const listed = await sup.client.getSubscriptions(pubsubOf(f));
    expect((listed.items ?? []).map((s) => ({ node: s.node, jid: s.jid, subid: s.subid }))).toEqual([{ node: sales, jid: sup.jid, subid: sub.subid }]);

    await f.login('agent1');
    const n = await sup.note((x) => x.node === sales, 'the team notification');
    expect(n.from).toBe(pubsubOf(f));
    expect(n.to).toBe(sup.jid); // a full-JID subscription is delivered to that resource
    expect(n.event).toBe('PUT');
    expect(n.source).toBe('/finesse/api/User/1001');
    expect(n.requestId).toBe('');
    expect(n.data.tagName).toBe('user');
    expect(children(n.data).map((c) => c.tagName)).toEqual(['uri', 'loginId', 'firstName', 'lastName', 'extension', 'pendingState', 'state', 'stateChangeTime']);
    expect(childText(n.data, 'uri')).toBe('/finesse/api/User/1001');
    expect(childText(n.data, 'loginId')).toBe('1001');
    expect(childText(n.data, 'firstName')).toBe('Alice');
    expect(childText(n.data, 'extension')).toBe('3001');
    expect(childText(n.data, 'state')).toBe('NOT_READY');
    // The team node carries the same state and time as the agent's own User object.
    const user = await f.get('supervisor1', '/User/1001');
    expect(childText(n.data, 'stateChangeTime')).toBe(childText(user.root!, 'stateChangeTime'));

    // An agent of a team the supervisor did not subscribe to (Support) is not delivered.
    await f.login('agent2');
    await sup.barrier();
    expect(sup.notes.map((x) => x.node)).toEqual([sales]);

    await sup.client.unsubscribeFromNode(pubsubOf(f), { node: sales, jid: sup.jid });
    expect((await sup.client.getSubscriptions(pubsubOf(f))).items ?? []).toEqual([]);
    await f.setState('agent1', 'READY');
    await sup.barrier();
    expect(sup.notes.length).toBe(1);
  });

  it('a bare-JID subscription reaches every available resource of non-negative priority, and outlives the session', async () => {
    const sales = teamUsersNode(f, 'agent1');
    const a = await Desktop.open(f, 'supervisor1', t, { resource: 'a' });
    const sub = await a.client.subscribeToNode(pubsubOf(f), sales); // stanza's default: the bare JID
    expect(sub.jid).toBe(a.bare);
    const b = await Desktop.open(f, 'supervisor1', t, { resource: 'b' });
    // RFC 6121 §8.5.2.1.1: a negative priority opts a resource out of bare-JID delivery.
    const c = await Desktop.open(f, 'supervisor1', t, { resource: 'c', priority: -1 });
    await f.login('agent1');
    for (const d of [a, b]) expect((await d.note((x) => x.node === sales, 'the team notification')).to).toBe(a.bare);
    await c.barrier();
    expect(c.notes).toEqual([]);

    // Finesse keeps subscriptions on the node after the desktop leaves (Dev Guide "Subscription Management").
    await Promise.all([a.close(), b.close(), c.close()]);
    const again = await Desktop.open(f, 'supervisor1', t, { resource: 'later' });
    const listed = await again.client.getSubscriptions(pubsubOf(f));
    expect((listed.items ?? []).map((s) => s.subid)).toEqual([sub.subid]);
    await f.setState('agent1', 'READY');
    expect(childText((await again.note((x) => x.node === sales, 'the team notification after reconnecting')).data, 'state')).toBe('READY');
  });

  it('an agent subscribing to a team node is forbidden (closed-node)', async () => {
    const d = await Desktop.open(f, 'agent1', t);
    const e = await d.iqError(() => d.client.subscribeToNode(pubsubOf(f), teamUsersNode(f, 'agent1')));
    expect(e).toMatchObject({ condition: 'forbidden', type: 'auth', app: 'closed-node', code: 'ERR_XMPP_PUBSUB_FORBIDDEN' });
  });

  it("an agent subscribing to another agent's User node is forbidden", async () => {
    const d = await Desktop.open(f, 'agent1', t);
    const e = await d.iqError(() => d.client.subscribeToNode(pubsubOf(f), '/finesse/api/User/1002'));
    expect(e).toMatchObject({ condition: 'forbidden', code: 'ERR_XMPP_PUBSUB_FORBIDDEN' });
  });

  it('an unknown node is item-not-found', async () => {
    const d = await Desktop.open(f, 'supervisor1', t);
    for (const node of ['/finesse/api/Team/99999/Users', '/finesse/api/Queue/1/Users', '/finesse/api/User/4242']) {
      const e = await d.iqError(() => d.client.subscribeToNode(pubsubOf(f), node));
      expect(e, node).toMatchObject({ condition: 'item-not-found', type: 'cancel', code: 'ERR_XMPP_PUBSUB_NODE_NOT_FOUND' });
    }
  });

  it("subscribing another user's JID is bad-request (invalid-jid)", async () => {
    const d = await Desktop.open(f, 'supervisor1', t);
    const e = await d.iqError(() => d.client.subscribeToNode(pubsubOf(f), { node: teamUsersNode(f, 'supervisor1'), jid: `1001@${domainOf(f)}/x` }));
    expect(e).toMatchObject({ condition: 'bad-request', type: 'modify', app: 'invalid-jid', code: 'ERR_XMPP_PUBSUB_BAD_JID' });
  });

  it('unsubscribing twice: the second is unexpected-request (not-subscribed)', async () => {
    const d = await Desktop.open(f, 'supervisor1', t);
    const node = teamUsersNode(f, 'supervisor1');
    await d.client.subscribeToNode(pubsubOf(f), { node, jid: d.jid });
    await d.client.unsubscribeFromNode(pubsubOf(f), { node, jid: d.jid });
    const e = await d.iqError(() => d.client.unsubscribeFromNode(pubsubOf(f), { node, jid: d.jid }));
    expect(e).toMatchObject({ condition: 'unexpected-request', app: 'not-subscribed', code: 'ERR_XMPP_PUBSUB_NOT_SUBSCRIBED' });
  });

  it('unsubscribing with another subid is not-acceptable (invalid-subid); from a node that does not exist item-not-found (XEP-0060 §6.2.3)', async () => {
    const d = await Desktop.open(f, 'supervisor1', t);
    const node = teamUsersNode(f, 'supervisor1');
    await d.client.subscribeToNode(pubsubOf(f), { node, jid: d.jid });
    const wrong = await d.iqError(() => d.client.unsubscribeFromNode(pubsubOf(f), { node, jid: d.jid, subid: 'not-the-subid' }));
    expect(wrong).toMatchObject({ condition: 'not-acceptable', type: 'modify', app: 'invalid-subid', code: 'ERR_XMPP_PUBSUB_BAD_SUBID' });
    const none = await d.iqError(() => d.client.unsubscribeFromNode(pubsubOf(f), { node: '/finesse/api/Nothing', jid: d.jid }));
    expect(none).toMatchObject({ condition: 'item-not-found', code: 'ERR_XMPP_PUBSUB_NODE_NOT_FOUND' });
    // The subscription is still there after both refusals.
    expect((await d.client.getSubscriptions(pubsubOf(f))).items?.map((x) => x.node)).toContain(node);
  });
});
