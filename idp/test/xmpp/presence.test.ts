import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { text, type FinesseLab } from '../finesse-api/finesse-lab.js';
import { Desktop, TRANSPORTS, childText, closeDesktops, dialogAction, pubsubOf, ringCall, startXmppLab, teamUsersNode, waitUntil, type TransportName } from './xmpp-test-client.js';

/**
 * Presence-based forced logout (Dev Guide "Desktop Presence and Forced Logout", reference A.2.6
 * "Finesse uses presence for auto-logout"): when an agent's last available desktop goes away,
 * Finesse waits 60 s for it to come back, then signs the agent out with reason code 255; an agent
 * on a call is signed out only after the call. The wait runs on the lab clock, which the tests
 * freeze and move: no test sleeps for lab time. Only BOSH inactivity (XEP-0124 §7.1) is real
 * time, so that lab uses the shortest inactivity the configuration allows (2 s).
 */

let f: FinesseLab;
beforeAll(async () => {
  f = await startXmppLab({ xmpp: { boshInactivitySeconds: 2, boshMaxWaitSeconds: 1 } });
});
afterAll(() => f?.stop());
beforeEach(() => {
  f.reset();
  // Frozen, so that 59 s is 59 s whatever the machine's speed.
  f.lab.state.clock.freeze();
});
afterEach(() => closeDesktops());

const pending = () => f.lab.state.finesse!.notifications.pendingLogouts().map((p) => p.loginId);

/** Waits until the service has noticed that agent1 has no available desktop left. */
async function presenceLost(): Promise<void> {
  await waitUntil(() => pending().includes('1001'), 'the presence loss of 1001 to be noticed');
}

async function agent1(): Promise<{ state: string; reasonCodeId: string }> {
  const u = await f.user('agent1');
  return { state: text(u, 'state'), reasonCodeId: text(u, 'reasonCodeId') };
}

const advance = (seconds: number) => f.lab.state.clock.advance(seconds * 1000);

describe.each(TRANSPORTS)('over %s', (t: TransportName) => {
  it("the only desktop disconnects: still READY after 59 s, LOGOUT with reason 255 after 61 s, seen on the supervisor's desktop", async () => {
    expect(f.config.xmpp.presenceLogoutSeconds).toBe(60);
    await f.ready('agent1');
    const sup = await Desktop.open(f, 'supervisor1', t);
    await sup.client.subscribeToNode(pubsubOf(f), { node: teamUsersNode(f, 'agent1'), jid: sup.jid });
    const desk = await Desktop.open(f, 'agent1', t);
    expect(pending()).toEqual([]);

    await desk.close(); // <close/> (RFC 7395 §3.6) / BOSH terminate (XEP-0124 §13)
    await presenceLost();
    advance(59);
    expect(await agent1()).toEqual({ state: 'READY', reasonCodeId: '-1' });
    advance(2);
    expect(await agent1()).toEqual({ state: 'LOGOUT', reasonCodeId: '255' });
    expect(pending()).toEqual([]);

    // The supervisor's desktop, still connected, is told (Team node summary, no requestId).
    const n = await sup.note((x) => x.node === teamUsersNode(f, 'agent1') && childText(x.data, 'state') === 'LOGOUT', 'the forced logout on the team node');
    expect(n.source).toBe('/finesse/api/User/1001');
    expect(n.requestId).toBe('');
  });

  it('reconnecting within 60 s cancels the logout', async () => {
    await f.ready('agent1');
    const first = await Desktop.open(f, 'agent1', t);
    await first.close();
    await presenceLost();
    advance(30);
    const again = await Desktop.open(f, 'agent1', t); // a page refresh: a new desktop, available
    expect(pending()).toEqual([]);
    advance(61);
    expect(await agent1()).toEqual({ state: 'READY', reasonCodeId: '-1' });
    // And it still receives the agent's notifications.
    await f.setState('agent1', 'NOT_READY', { reasonCodeId: '1' });
    expect(childText((await again.note((x) => x.node === '/finesse/api/User/1001', 'a notification after reconnecting')).data, 'state')).toBe('NOT_READY');
  });

  it('an explicit unavailable presence counts as loss, though the stream stays open', async () => {
    await f.ready('agent1');
    const desk = await Desktop.open(f, 'agent1', t);
    await desk.unavailable();
    await presenceLost();
    advance(61);
    expect(await agent1()).toEqual({ state: 'LOGOUT', reasonCodeId: '255' });
    expect(desk.disconnected).toBe(false);
    await desk.barrier();
  });

  it('with two desktops, losing one keeps the agent; losing the last starts the 60 s', async () => {
    await f.ready('agent1');
    const a = await Desktop.open(f, 'agent1', t, { resource: 'a' });
    const b = await Desktop.open(f, 'agent1', t, { resource: 'b' });
    await a.close();
    await b.barrier();
    expect(pending()).toEqual([]);
    advance(61);
    expect((await agent1()).state).toBe('READY');
    await b.unavailable();
    await presenceLost();
    advance(61);
    expect(await agent1()).toEqual({ state: 'LOGOUT', reasonCodeId: '255' });
  });

  it('an agent in a call is logged out only after the call ends', async () => {
    await f.ready('agent1');
    const desk = await Desktop.open(f, 'agent1', t);
    const id = await ringCall(f, '1001');
    await desk.note((x) => x.node === '/finesse/api/User/1001' && childText(x.data, 'state') === 'RESERVED', 'RESERVED');
    await desk.close();
    await presenceLost();
    advance(61);
    expect((await agent1()).state).toBe('RESERVED');
    expect(pending()).toEqual(['1001']);
    // The agent answers and talks from the phone (REST, no desktop).
    await dialogAction(f, 'agent1', id, 'ANSWER');
    advance(61);
    expect((await agent1()).state).toBe('TALKING');
    await dialogAction(f, 'agent1', id, 'DROP');
    advance(0.001);
    expect(await agent1()).toEqual({ state: 'LOGOUT', reasonCodeId: '255' });
    expect(pending()).toEqual([]);
  });
});

describe('losing the desktop without a word', () => {
  it('websocket: the TCP connection dies (no close frame, no <close/>)', async () => {
    await f.ready('agent1');
    const desk = await Desktop.open(f, 'agent1', 'websocket');
    desk.kill();
    await presenceLost();
    advance(59);
    expect((await agent1()).state).toBe('READY');
    advance(2);
    expect(await agent1()).toEqual({ state: 'LOGOUT', reasonCodeId: '255' });
  });

  it('bosh: the client stops polling; the session ends after `inactivity` seconds (XEP-0124 §7.1)', async () => {
    await f.ready('agent1');
    const desk = await Desktop.open(f, 'agent1', 'bosh');
    const connected = () => f.lab.state.finesse!.notifications.connections().filter((c) => c.jid.startsWith('1001@'));
    expect(connected().map((c) => c.transport)).toEqual(['bosh']);
    desk.kill();
    // Real time: the held request is answered after `wait` (1 s), then 2 s of inactivity.
    await waitUntil(() => connected().length === 0, 'the BOSH session to time out', 10_000);
    await presenceLost();
    advance(59);
    expect((await agent1()).state).toBe('READY');
    advance(2);
    expect(await agent1()).toEqual({ state: 'LOGOUT', reasonCodeId: '255' });
  });
});
