import { labAgent } from '../lab-user.js';
import { expectThat, type Scenario } from '../scenario.js';
import { restClient, ssoClient } from './finesse-clients.js';
import { connectNotifications, userNotified } from './notifications.js';

/**
 * DESIGN F3: agent state changes with the SSO token — `PUT /finesse/api/User/<id>` LOGIN (with the
 * extension), READY, NOT_READY with a reason code, LOGOUT, each answered 202 and confirmed twice:
 * by the User notification that echoes the request's `requestId` (reference A.2.4, A.2.6) and by
 * reading the User back.
 */
export const f3AgentState: Scenario = {
  id: 'finesse-agent-state',
  title: 'Finesse agent state LOGIN → READY → NOT_READY (reason) → LOGOUT, seen by GET and by notification',
  flow: 'F3',
  tags: ['cisco', 'finesse', 'xmpp'],
  needs: ['adfs', 'ids', 'finesse', 'console'],
  async run(ctx) {
    const agent = await labAgent(ctx, 'agent1');
    const { loginId, extension } = agent.finesse;
    const t = await ctx.step('acquire a Finesse SSO token', () => ssoClient(ctx, agent).acquire());
    const api = restClient(ctx, `Bearer ${t.token}`);
    const n = await ctx.step('connect the notification channel (XMPP over WebSocket, token as password)', () => connectNotifications(ctx, loginId, t.token));
    try {
      const change = async (label: string, requestId: string, send: () => Promise<unknown>, expected: { state: string; reasonCodeId?: number }) =>
        ctx.step(`${label}: notified and read back as ${expected.state}`, async () => {
          await send();
          const notified = await userNotified(n, loginId, requestId);
          const read = await api.getUser(loginId);
          for (const [how, u] of [['notification', notified], ['GET', read]] as const) {
            expectThat(u.state === expected.state, `${how}: state ${u.state}, expected ${expected.state}`);
            if (expected.reasonCodeId !== undefined) expectThat(u.reasonCodeId === expected.reasonCodeId, `${how}: reasonCodeId ${u.reasonCodeId}, expected ${expected.reasonCodeId}`);
          }
          return read;
        });

      const signedIn = await change(`LOGIN on extension ${extension}`, 'sc-login', () => api.login(loginId, extension, { requestId: 'sc-login' }), { state: 'NOT_READY' });
      expectThat(signedIn.extension === extension, `signed in on ${signedIn.extension}`);
      await change('READY', 'sc-ready', () => api.setState(loginId, 'READY', { requestId: 'sc-ready' }), { state: 'READY' });
      const reason = await ctx.step('GET /User/<id>/ReasonCodes?category=NOT_READY', async () => {
        const codes = await api.reasonCodes(loginId, 'NOT_READY');
        expectThat(codes.length > 0, 'no NOT_READY reason codes');
        return codes[0]!;
      });
      await change(`NOT_READY with reason "${reason.label}"`, 'sc-not-ready', () => api.setState(loginId, 'NOT_READY', { reasonCodeId: reason.id, requestId: 'sc-not-ready' }), {
        state: 'NOT_READY',
        reasonCodeId: reason.id,
      });
      await change('LOGOUT', 'sc-logout', () => api.logout(loginId, undefined, { requestId: 'sc-logout' }), { state: 'LOGOUT' });
    } finally {
      await n.close();
    }
  },
};
