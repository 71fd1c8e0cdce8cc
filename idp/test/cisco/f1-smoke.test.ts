import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinesseNotificationClient, type FinesseUpdate } from '../../../harness/src/clients/finesse/notification-client.js';
import { FinesseRestClient, parseDialog, parseUser, type Participant } from '../../../harness/src/clients/finesse/rest-client.js';
import { FinesseSsoClient } from '../../../harness/src/clients/finesse/sso-token-client.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';

/**
 * DESIGN F1–F3 end to end through HTTP with the reference clients: token, refresh at 75%, REST;
 * then the notification channel (reference A.2.6) with the same SSO token, where each REST step
 * is confirmed by its notification rather than by reading the object back.
 */
describe('Finesse SSO through IdS and AD FS (F1–F3)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('acquires a token, refreshes it after 75% of its lifetime on the lab clock, and calls the REST API with it', async () => {
    const clock = lab.state.clock;
    const client = new FinesseSsoClient({ finesseUrl: lab.urls.finesse!, username: 'agent1', password: 'Agent1Pass!', now: () => clock.now() });
    const first = await client.acquire();
    expect(first.userId).toBe('agent1');
    expect(first.userPrincipal).toBe('agent1@lab.example');
    expect(first.realm).toBe('lab.example');
    expect(first.expiresIn).toBe(3600);
    expect(first.refreshToken).toBeTruthy();
    expect(client.refreshDue()).toBe(false);
    clock.advance(0.76 * 3600_000);
    expect(client.refreshDue()).toBe(true);
    const second = await client.token();
    expect(second).not.toBe(first.token);
    const res = await fetch(`${lab.urls.finesse}/finesse/api/User/1001`, { headers: { authorization: `Bearer ${second}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<loginId>1001</loginId>');
  });

  it('with the SSO token as XMPP password, the desktop sees every REST step as a notification: LOGIN, READY, a routed call, ANSWER, DROP, NOT_READY, LOGOUT, and a refused READY', async () => {
    lab.state.reset();
    const finesseUrl = lab.urls.finesse!;
    const sso = new FinesseSsoClient({ finesseUrl, username: 'agent1', password: 'Agent1Pass!', now: () => lab.state.clock.now() });
    const { token } = await sso.acquire();
    // SASL PLAIN with the loginId and the access token (reference A.2.6), over WebSocket (RFC 7395).
    const n = await FinesseNotificationClient.connect({ finesseUrl, transport: 'websocket', loginId: '1001', password: token, timeoutMs: 5000 });
    const api = new FinesseRestClient({ finesseUrl, authorization: async () => `Bearer ${await sso.token()}` });
    const USER_NODE = '/finesse/api/User/1001';
    const DIALOGS_NODE = '/finesse/api/User/1001/Dialogs';
    /** The User notification a request caused: on the agent's node, with the requestId echoed. */
    const userAfter = async (requestId: string) => {
      const u = await n.waitForRequest(requestId, { kind: 'user', node: USER_NODE });
      expect([u.event, u.source]).toEqual(['PUT', USER_NODE]);
      return parseUser(u.data);
    };
    const agentLeg = (d: Element): Participant => parseDialog(d).participants.find((p) => p.mediaAddress === '3001')!;
    const dialogIn = (u: FinesseUpdate): Element => (u.kind === 'Dialog' ? u.data : (u.data.getElementsByTagName('Dialog')[0] as Element));

    try {
      expect(n.jid).toMatch(/^1001@localhost\//);
      await api.login('1001', '3001', { requestId: 'f1-login' });
      let me = await userAfter('f1-login');
      expect([me.state, me.extension, me.loginName]).toEqual(['NOT_READY', '3001', 'agent1']);
      await api.setState('1001', 'READY', { requestId: 'f1-ready' });
      expect((await userAfter('f1-ready')).state).toBe('READY');

      // The ACD routes a call (the control API plays the caller): no REST request, so an empty requestId.
      const since = n.updates.length;
      const routed = await fetch(`${lab.urls.console}/api/finesse/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: '1001' }) });
      expect(routed.status).toBe(201);
      const dialogId = String(((await routed.json()) as { id: string }).id);
      const offered = await n.waitFor((u) => u.node === DIALOGS_NODE && u.event === 'POST', { since, description: 'the Dialogs POST of the routed call' });
      expect([offered.kind, offered.source, offered.requestId]).toEqual(['dialogs', DIALOGS_NODE, '']);
      expect(parseDialog(dialogIn(offered)).id).toBe(dialogId);
      expect(agentLeg(dialogIn(offered))).toMatchObject({ state: 'ALERTING', actions: ['ANSWER'] });
      const reserved = await n.waitFor((u) => u.node === USER_NODE && parseUser(u.data).state === 'RESERVED', { since, description: 'User RESERVED' });
      expect(reserved.requestId).toBe('');

      await api.dialogAction(dialogId, 'ANSWER', { targetMediaAddress: '3001', requestId: 'f1-answer' });
      const answered = await n.waitForRequest('f1-answer', { kind: 'Dialog', node: DIALOGS_NODE });
      expect([answered.event, answered.source]).toEqual(['PUT', `/finesse/api/Dialog/${dialogId}`]);
      expect(parseDialog(answered.data).state).toBe('ACTIVE');
      expect(agentLeg(answered.data).state).toBe('ACTIVE');
      expect((await userAfter('f1-answer')).state).toBe('TALKING');

      await api.dialogAction(dialogId, 'DROP', { targetMediaAddress: '3001', requestId: 'f1-drop' });
      const dropped = await n.waitForRequest('f1-drop', { kind: 'Dialog', node: DIALOGS_NODE });
      expect(parseDialog(dropped.data).state).toBe('DROPPED');
      const removed = await n.waitFor((u) => u.requestId === 'f1-drop' && u.node === DIALOGS_NODE && u.event === 'DELETE', { description: 'the Dialogs DELETE' });
      expect([removed.kind, removed.source, parseDialog(dialogIn(removed)).id]).toEqual(['dialogs', DIALOGS_NODE, dialogId]);
      expect((await userAfter('f1-drop')).state).toBe('READY'); // after an inbound call, with no pending state

      const brk = (await api.reasonCodes('1001', 'NOT_READY')).find((c) => c.label === 'Break')!;
      await api.setState('1001', 'NOT_READY', { reasonCodeId: brk.id, requestId: 'f1-break' });
      me = await userAfter('f1-break');
      expect([me.state, me.reasonCodeId, me.reasonCode?.label]).toEqual(['NOT_READY', brk.id, 'Break']);
      await api.logout('1001', undefined, { requestId: 'f1-logout' });
      me = await userAfter('f1-logout');
      expect(me.state).toBe('LOGOUT');

      // READY while signed out depends on the CTI state: 202, then an <apiErrors> on the User node (reference A.2.2).
      await api.setState('1001', 'READY', { requestId: 'f1-refused' });
      const refused = await n.waitForRequest('f1-refused');
      expect([refused.node, refused.kind, refused.event, refused.source]).toEqual([USER_NODE, 'apiErrors', 'put', USER_NODE]);
      const apiError = refused.data.getElementsByTagName('apiError')[0]!;
      const field = (name: string) => apiError.getElementsByTagName(name)[0]?.textContent;
      expect([field('errorType'), field('errorMessage'), field('errorData')]).toEqual(['Invalid State', 'CF_INVALID_OBJECT_STATE', '22']);

      // The User node told the whole story, in order, each step under its own requestId.
      const story = n.updates.filter((u) => u.node === USER_NODE).map((u) => `${u.requestId || '-'} ${u.kind === 'user' ? parseUser(u.data).state : u.kind}`);
      expect(story).toEqual([
        'f1-login NOT_READY',
        'f1-ready READY',
        '- RESERVED',
        'f1-answer TALKING',
        'f1-drop READY',
        'f1-break NOT_READY',
        'f1-logout LOGOUT',
        'f1-refused apiErrors',
      ]);
    } finally {
      await n.close();
    }
  });
});
