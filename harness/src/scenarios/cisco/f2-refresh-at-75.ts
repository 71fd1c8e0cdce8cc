import { FrozenLabClock } from '../lab-clock.js';
import { labAgent } from '../lab-user.js';
import { expectThat, type Scenario } from '../scenario.js';
import { expectRefusal, refreshedToken, restClient, restRefusal, ssoClient, tokenApi } from './finesse-clients.js';

/**
 * DESIGN F2: "Clients should refresh after 75% of expires_in" (Dev Guide 12.5(1) p.193). The lab
 * clock stands still and is moved to 74% and 75% of the token's life; the reference client
 * refreshes exactly then (GET form), the POST form refreshes too, and — as the lab defines it
 * (docs/cisco.md) — the old access token keeps working until its own expiry, then gets
 * 401 with ErrorData ERR_IDS_TOKEN_EXPIRED while the refreshed one still works.
 */
export const f2RefreshAt75: Scenario = {
  id: 'finesse-sso-refresh',
  title: 'Finesse token refreshed at 75% of expires_in (GET and POST forms); the old token lives until its expiry',
  flow: 'F2',
  tags: ['cisco', 'finesse', 'ids', 'clock'],
  needs: ['adfs', 'ids', 'finesse', 'console'],
  async run(ctx) {
    const agent = await labAgent(ctx, 'agent1');
    const clock = await ctx.step('freeze the lab clock', () => FrozenLabClock.freeze(ctx.target.control));
    const client = ssoClient(ctx, agent, { now: () => clock.now() });
    const first = await ctx.step('acquire a token with a refresh token', () => client.acquire());
    const life = first.expiresIn * 1000;
    const api = tokenApi(ctx);

    await ctx.step('at 74% of expires_in the client does not refresh', async () => {
      await clock.moveTo(first.obtainedAt, life * 0.74);
      expectThat(!client.refreshDue(), 'refreshDue() at 74%');
      expectThat((await client.token()) === first.token, 'the token changed before 75%');
    });
    const second = await ctx.step('at 75% token() refreshes with GET ?cc_username&refresh-token', async () => {
      await clock.moveTo(first.obtainedAt, life * 0.75);
      expectThat(client.refreshDue(), 'refreshDue() is false at 75%');
      const token = await client.token();
      expectThat(token !== first.token, 'token() did not refresh at 75%');
      ctx.note(`refreshed at ${Math.round((clock.now() - first.obtainedAt) / 1000)} s of ${first.expiresIn} s`);
      return token;
    });
    const third = await ctx.step('POST /desktop/sso/token (form token + refresh-token) refreshes too', async () =>
      refreshedToken(await api.refreshByPost(second, first.refreshToken!), 'POST'),
    );
    await ctx.step('the old and both new tokens all work on /finesse/api/User', async () => {
      for (const token of [first.token, second, third]) {
        const me = await restClient(ctx, `Bearer ${token}`).getUser(agent.finesse.loginId);
        expectThat(me.loginName === agent.username, `a token answered for ${me.loginName}`);
      }
    });
    await ctx.step('past the first token\'s expiry: it gets 401 ERR_IDS_TOKEN_EXPIRED, the refreshed one still works', async () => {
      await clock.moveTo(first.obtainedAt, life + 60_000);
      const e = await restRefusal('the expired first token', restClient(ctx, `Bearer ${first.token}`).getUser(agent.finesse.loginId));
      expectRefusal('the expired first token', e, { status: 401, code: 'ERR_FINESSE_UNAUTHORIZED', errorData: 'ERR_IDS_TOKEN_EXPIRED' });
      const me = await restClient(ctx, `Bearer ${third}`).getUser(agent.finesse.loginId);
      expectThat(me.loginName === agent.username, 'the refreshed token stopped working with the first');
    });
  },
};
