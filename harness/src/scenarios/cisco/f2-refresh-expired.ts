import { FrozenLabClock } from '../lab-clock.js';
import { labAgent } from '../lab-user.js';
import { expectThat, type Scenario } from '../scenario.js';
import { expectRefusal, ssoClient, ssoRefusal, tokenApi } from './finesse-clients.js';

const HOUR = 3_600_000;

/**
 * DESIGN F2, the negative side: a token "can be refreshed only when both the current access token
 * and the refresh token are valid" (reference A.1.5). Past the access token's life a refresh gets
 * 401 ERR_FINESSE_UNAUTHORIZED with ErrorData ERR_IDS_TOKEN_EXPIRED; past the refresh token's
 * (ids.tokens.refreshTokenHours) ErrorData ERR_IDS_REFRESH_TOKEN_EXPIRED, by GET and by POST;
 * then "the user must re-authenticate", which the reference client's token() does by itself.
 */
export const f2RefreshExpired: Scenario = {
  id: 'finesse-sso-refresh-expired',
  title: 'Finesse refresh refused once the tokens expired (ERR_IDS_TOKEN_EXPIRED, ERR_IDS_REFRESH_TOKEN_EXPIRED); the client signs in again',
  flow: 'F2',
  tags: ['cisco', 'finesse', 'ids', 'clock', 'negative'],
  needs: ['adfs', 'ids', 'finesse', 'console'],
  async run(ctx) {
    const agent = await labAgent(ctx, 'agent1');
    const clock = await ctx.step('freeze the lab clock', () => FrozenLabClock.freeze(ctx.target.control));
    const client = ssoClient(ctx, agent, { now: () => clock.now() });
    const t = await ctx.step('acquire a token with a refresh token', () => client.acquire());
    const api = tokenApi(ctx);
    const refreshHours = ctx.target.config.ids.tokens.refreshTokenHours;

    await ctx.step('1 min past expires_in: GET and POST refresh get 401 ERR_IDS_TOKEN_EXPIRED', async () => {
      await clock.moveTo(t.obtainedAt, t.expiresIn * 1000 + 60_000);
      expectRefusal('GET refresh', ssoRefusal(await api.refreshByGet(agent.username, t.refreshToken!)), { status: 401, code: 'ERR_FINESSE_UNAUTHORIZED', errorData: 'ERR_IDS_TOKEN_EXPIRED' });
      expectRefusal('POST refresh', ssoRefusal(await api.refreshByPost(t.token, t.refreshToken!)), { status: 401, code: 'ERR_FINESSE_UNAUTHORIZED', errorData: 'ERR_IDS_TOKEN_EXPIRED' });
    });
    await ctx.step(`past the refresh token's ${refreshHours} h as well: 401 ERR_IDS_REFRESH_TOKEN_EXPIRED`, async () => {
      await clock.moveTo(t.obtainedAt, refreshHours * HOUR + 60_000);
      expectRefusal('GET refresh', ssoRefusal(await api.refreshByGet(agent.username, t.refreshToken!)), { status: 401, code: 'ERR_FINESSE_UNAUTHORIZED', errorData: 'ERR_IDS_REFRESH_TOKEN_EXPIRED' });
      expectRefusal('POST refresh', ssoRefusal(await api.refreshByPost(t.token, t.refreshToken!)), { status: 401, code: 'ERR_FINESSE_UNAUTHORIZED', errorData: 'ERR_IDS_REFRESH_TOKEN_EXPIRED' });
    });
    await ctx.step('token() signs in again and gets a new token and refresh token', async () => {
      const token = await client.token();
      expectThat(token !== t.token, 'token() returned the expired token');
      expectThat(client.state?.refreshToken && client.state.refreshToken !== t.refreshToken, 'no new refresh token');
    });
  },
};
