import { parseDialog, parseUser, type Dialog, type FinesseRestClient } from '../../clients/finesse/rest-client.js';
import type { FinesseUpdate } from '../../clients/finesse/notification-client.js';
import { labAgent } from '../lab-user.js';
import { expectThat, type Scenario } from '../scenario.js';
import { restClient, ssoClient } from './finesse-clients.js';
import { connectNotifications, userNotified } from './notifications.js';

/**
 * DESIGN F3: a routed call with the SSO token. The control API plays the caller (no REST client
 * can: `control.finesse.ring`), the agent answers and drops it with `PUT /finesse/api/Dialog/<id>`
 * (reference A.2.5); each step is confirmed by the Dialogs/User notifications and by GET.
 */
export const f3Dialog: Scenario = {
  id: 'finesse-dialog',
  title: 'Finesse routed call: ring → ANSWER → DROP, seen by GET and by notification',
  flow: 'F3',
  tags: ['cisco', 'finesse', 'xmpp'],
  needs: ['adfs', 'ids', 'finesse', 'console'],
  async run(ctx) {
    const agent = await labAgent(ctx, 'agent1');
    const { loginId, extension } = agent.finesse;
    const dialogsNode = `/finesse/api/User/${loginId}/Dialogs`;
    const userNode = `/finesse/api/User/${loginId}`;
    const t = await ctx.step('acquire a Finesse SSO token', () => ssoClient(ctx, agent).acquire());
    const api = restClient(ctx, `Bearer ${t.token}`);
    const n = await ctx.step('connect the notification channel (XMPP over WebSocket, token as password)', () => connectNotifications(ctx, loginId, t.token));
    try {
      await ctx.step(`LOGIN on ${extension}, then READY`, async () => {
        await api.login(loginId, extension, { requestId: 'sc-login' });
        await userNotified(n, loginId, 'sc-login');
        await api.setState(loginId, 'READY', { requestId: 'sc-ready' });
        expectThat((await userNotified(n, loginId, 'sc-ready')).state === 'READY', 'the agent is not READY');
      });
      const since = n.updates.length;
      const dialogId = await ctx.step('a caller rings the agent (control API)', async () => String((await ctx.target.control.finesse.ring({ to: loginId }))['id']));
      await ctx.step('the call is offered: Dialogs POST notification, ALERTING with ANSWER, agent RESERVED', async () => {
        const offered = await n.waitFor((u) => u.node === dialogsNode && u.event === 'POST', { since, description: 'the Dialogs POST of the routed call' });
        expectThat(parseDialog(dialogIn(offered)).id === dialogId, 'the notification is about another dialog');
        const leg = agentLeg(await readDialog(api, loginId, dialogId), extension);
        expectThat(leg.state === 'ALERTING' && leg.actions.includes('ANSWER'), `agent leg ${leg.state} [${leg.actions.join(',')}]`);
        await n.waitFor((u) => u.node === userNode && u.kind === 'user' && parseUser(u.data).state === 'RESERVED', { since, description: 'User RESERVED' });
        expectThat((await api.getUser(loginId)).state === 'RESERVED', 'GET: the agent is not RESERVED');
      });
      await ctx.step('ANSWER: the Dialog ACTIVE, the agent TALKING', async () => {
        await api.dialogAction(dialogId, 'ANSWER', { targetMediaAddress: extension, requestId: 'sc-answer' });
        const answered = await n.waitForRequest('sc-answer', { kind: 'Dialog', node: dialogsNode });
        expectThat(parseDialog(answered.data).state === 'ACTIVE', `notified dialog ${parseDialog(answered.data).state}`);
        expectThat((await readDialog(api, loginId, dialogId)).state === 'ACTIVE', 'GET: the dialog is not ACTIVE');
        expectThat((await userNotified(n, loginId, 'sc-answer')).state === 'TALKING', 'the agent is not TALKING');
      });
      await ctx.step('DROP: the dialog leaves Dialogs (DELETE notification), the agent back to READY', async () => {
        await api.dialogAction(dialogId, 'DROP', { targetMediaAddress: extension, requestId: 'sc-drop' });
        const removed = await n.waitFor((u) => u.requestId === 'sc-drop' && u.node === dialogsNode && u.event === 'DELETE', { description: 'the Dialogs DELETE' });
        expectThat(parseDialog(dialogIn(removed)).id === dialogId, 'another dialog was removed');
        expectThat((await userNotified(n, loginId, 'sc-drop')).state === 'READY', 'the agent is not READY after the call');
        const left = await api.dialogs(loginId);
        expectThat(!left.some((d) => d.id === dialogId), 'GET: the dropped dialog is still listed');
        expectThat((await api.getUser(loginId)).state === 'READY', 'GET: the agent is not READY');
      });
    } finally {
      await n.close();
    }
  },
};

/** The `<Dialog>` of a notification: the data itself, or the one inside a `<dialogs>` list. */
function dialogIn(u: FinesseUpdate): Element {
  return u.kind === 'Dialog' ? u.data : (u.data.getElementsByTagName('Dialog')[0] as Element);
}

async function readDialog(api: FinesseRestClient, loginId: string, dialogId: string): Promise<Dialog> {
  const d = (await api.dialogs(loginId)).find((x) => x.id === dialogId);
  expectThat(d, `GET /User/${loginId}/Dialogs does not list dialog ${dialogId}`);
  return d;
}

function agentLeg(d: Dialog, extension: string) {
  const leg = d.participants.find((p) => p.mediaAddress === extension);
  expectThat(leg, `dialog ${d.id} has no participant on ${extension}`);
  return leg;
}
