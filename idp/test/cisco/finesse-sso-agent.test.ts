import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinesseNotificationClient } from '../../../harness/src/clients/finesse/notification-client.js';
import { parseDialog, parseUser, type FinesseRestClient, type Participant } from '../../../harness/src/clients/finesse/rest-client.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { RecordingUserAgent, advanceClock, control, restClient, ssoClient } from './finesse-sso-helpers.js';

/**
 * A whole shift of an SSO agent with the reference clients only (DESIGN F1–F3): the desktop gets
 * a token (A.1.5), learns its loginId from its loginName (A.2.1), signs in on its phone, goes
 * READY, takes a call the ACD routes to it (the control API plays the caller), answers, holds,
 * retrieves, hangs up, takes a break with a reason code and signs out (A.2.4, A.2.5). Midway the
 * token passes 75% of its lifetime on the lab clock: the REST client's next request carries a
 * refreshed token, obtained by the SSO client by itself, and the calls go on. Beside the REST
 * client the desktop keeps the notification channel open over BOSH (XEP-0124/0206), signed in
 * with the first token (reference A.2.6): each step is also confirmed by its notification, with
 * the request's `requestId` echoed, and the stream outlives the token refresh.
 */
describe('an SSO agent desktop, start to finish, with the reference clients', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('acquires a token, resolves the loginId, LOGIN, READY, answers/holds/retrieves/drops a routed call across a 75% refresh, NOT_READY with a reason, LOGOUT; each step also on the notification channel', async () => {
    const ua = new RecordingUserAgent();
    const sso = ssoClient(lab, 'agent1', { userAgent: ua });
    const sent: string[] = []; // the token each REST request carried
    const api: FinesseRestClient = restClient(lab, async () => {
      const token = await sso.token();
      sent.push(token);
      return `Bearer ${token}`;
    });

    const first = await sso.acquire();
    expect(first.expiresIn).toBe(3600);

    // UCCE: one GET by loginName to learn the loginId, then loginId everywhere (A.2.1).
    const id = await api.resolveLoginId('agent1');
    expect(id).toBe('1001');
    const requests = sent.length;
    expect(await api.resolveLoginId('agent1')).toBe('1001');
    expect(sent.length).toBe(requests); // remembered: no second request

    // The notification channel: JID localpart = loginId, password = the access token (reference A.2.6).
    const n = await FinesseNotificationClient.connect({ finesseUrl: lab.urls.finesse!, transport: 'bosh', loginId: id, password: first.token, timeoutMs: 5000 });
    const userNode = `/finesse/api/User/${id}`;
    const dialogsNode = `${userNode}/Dialogs`;
    /** The agent's state as the User notification of `requestId` reports it. */
    const notifiedState = async (requestId: string) => parseUser((await n.waitForRequest(requestId, { kind: 'user', node: userNode })).data).state;
    /** The agent's leg of the Dialog PUT notification of `requestId`. */
    const notifiedLeg = async (requestId: string) => {
      const u = await n.waitForRequest(requestId, { kind: 'Dialog', node: dialogsNode });
      expect([u.event, u.source]).toEqual(['PUT', `/finesse/api/Dialog/${dialogId}`]);
      return parseDialog(u.data).participants.find((x) => x.mediaAddress === '3001')!;
    };

    expect(await api.login(id, '3001', { requestId: 'shift-login' })).toBe('shift-login');
    let me = await api.getUser(id);
    expect([me.state, me.extension]).toEqual(['NOT_READY', '3001']);
    expect(await notifiedState('shift-login')).toBe('NOT_READY');
    await api.setState(id, 'READY', { requestId: 'shift-ready' });
    expect((await api.getUser(id)).state).toBe('READY');
    expect(await notifiedState('shift-ready')).toBe('READY');

    const beforeCall = n.updates.length;
    const routed = await control(lab, 'POST', '/finesse/calls', { to: '1001' });
    expect(routed.status, JSON.stringify(routed.json)).toBe(201);
    const dialogId = String(routed.json.id);
    const offered = await n.waitFor((u) => u.node === dialogsNode && u.event === 'POST', { since: beforeCall, description: 'the Dialogs POST of the routed call' });
    const offeredDialog = parseDialog(offered.data.getElementsByTagName('Dialog')[0]!);
    expect([offered.kind, offered.requestId, offeredDialog.id]).toEqual(['dialogs', '', dialogId]);
    expect(offeredDialog.participants.find((x) => x.mediaAddress === '3001')?.state).toBe('ALERTING');

    const mine = async (): Promise<Participant> => {
      const list = await api.dialogs(id);
      expect(list.map((d) => d.id)).toEqual([dialogId]);
      const p = list[0]!.participants.filter((x) => x.mediaAddress === '3001');
      expect(p.length).toBe(1);
      return p[0]!;
    };
    let p = await mine();
    expect([p.state, p.actions]).toEqual(['ALERTING', ['ANSWER']]);
    expect((await api.getUser(id)).state).toBe('RESERVED');

    await api.dialogAction(dialogId, 'ANSWER', { targetMediaAddress: '3001', requestId: 'shift-answer' });
    p = await mine();
    expect(p.state).toBe('ACTIVE');
    expect(p.actions).toContain('HOLD');
    expect((await api.getUser(id)).state).toBe('TALKING');
    expect(await notifiedLeg('shift-answer')).toEqual(p);
    expect(await notifiedState('shift-answer')).toBe('TALKING');

    await api.dialogAction(dialogId, 'HOLD', { targetMediaAddress: '3001', requestId: 'shift-hold' });
    p = await mine();
    expect([p.state, p.actions.sort()]).toEqual(['HELD', ['DROP', 'RETRIEVE']]);
    expect((await api.getUser(id)).state).toBe('HOLD');
    expect((await notifiedLeg('shift-hold')).state).toBe('HELD');
    expect(await notifiedState('shift-hold')).toBe('HOLD');
    expect(sent.every((t) => t === first.token)).toBe(true);

    // 46 of 60 minutes: past the 75% mark (45 min), not yet expired.
    await advanceClock(lab, 46 * 60_000);
    expect(sso.refreshDue()).toBe(true);
    const before = sent.length;
    await api.dialogAction(dialogId, 'RETRIEVE', { targetMediaAddress: '3001', requestId: 'shift-retrieve' });
    const refreshed = sent[before]!;
    expect(refreshed).not.toBe(first.token);
    expect(sso.state!.token).toBe(refreshed);
    const refreshCalls = ua.seen.filter((s) => new URL(s.url).searchParams.has('refresh-token'));
    expect(refreshCalls.length).toBe(1);
    expect(refreshCalls[0]!.res.status).toBe(200);

    p = await mine();
    expect(p.state).toBe('ACTIVE');
    expect((await api.getUser(id)).state).toBe('TALKING');
    // The stream signed in with the first token is still the desktop's channel after the refresh.
    expect((await notifiedLeg('shift-retrieve')).state).toBe('ACTIVE');
    expect(await notifiedState('shift-retrieve')).toBe('TALKING');

    await api.dialogAction(dialogId, 'DROP', { targetMediaAddress: '3001', requestId: 'shift-drop' });
    expect(await api.dialogs(id)).toEqual([]);
    expect((await api.getUser(id)).state).toBe('READY'); // after an inbound call, with no pending state
    expect((await notifiedLeg('shift-drop')).state).toBe('DROPPED');
    const removed = await n.waitFor((u) => u.requestId === 'shift-drop' && u.node === dialogsNode && u.event === 'DELETE', { description: 'the Dialogs DELETE' });
    expect(parseDialog(removed.data.getElementsByTagName('Dialog')[0]!).id).toBe(dialogId);
    expect(await notifiedState('shift-drop')).toBe('READY');

    const notReady = await api.reasonCodes(id, 'NOT_READY');
    const brk = notReady.find((c) => c.label === 'Break');
    expect(brk?.category).toBe('NOT_READY');
    await api.setState(id, 'NOT_READY', { reasonCodeId: brk!.id, requestId: 'shift-break' });
    me = await api.getUser(id);
    expect([me.state, me.reasonCodeId, me.reasonCode?.label]).toEqual(['NOT_READY', brk!.id, 'Break']);
    const onBreak = parseUser((await n.waitForRequest('shift-break', { kind: 'user', node: userNode })).data);
    expect([onBreak.state, onBreak.reasonCodeId, onBreak.reasonCode?.label]).toEqual(['NOT_READY', brk!.id, 'Break']);

    const logout = (await api.reasonCodes(id, 'LOGOUT'))[0]!;
    expect(logout.category).toBe('LOGOUT');
    await api.logout(id, logout.id, { requestId: 'shift-logout' });
    me = await api.getUser(id);
    expect([me.state, me.reasonCodeId]).toEqual(['LOGOUT', logout.id]);
    const signedOut = parseUser((await n.waitForRequest('shift-logout', { kind: 'user', node: userNode })).data);
    expect([signedOut.state, signedOut.reasonCodeId]).toEqual(['LOGOUT', logout.id]);
    await n.close();
    expect(await n.closed).toBeUndefined();

    // Everything after the clock move went with the refreshed token, and only two tokens were ever used.
    expect(sent.slice(before).every((t) => t === refreshed)).toBe(true);
    expect(new Set(sent).size).toBe(2);
  });
});
