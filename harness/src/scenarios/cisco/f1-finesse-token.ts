import { labAgent } from '../lab-user.js';
import { expectThat, type Scenario } from '../scenario.js';
import { restClient, ssoClient } from './finesse-clients.js';

/**
 * DESIGN F1: a third-party desktop's token, fetched the way TAC 215626 describes it (Finesse →
 * IdS → AD FS forms sign-in → IdS → Finesse authcode), with the JSON Cisco documents
 * (reference A.1.3), and the token accepted by the Finesse REST API (F3's `/User/<id>`).
 */
export const f1FinesseToken: Scenario = {
  id: 'finesse-sso-token',
  title: 'Finesse SSO token through IdS and AD FS, accepted by /finesse/api/User',
  flow: 'F1',
  tags: ['cisco', 'finesse', 'ids', 'saml'],
  needs: ['adfs', 'ids', 'finesse', 'console'],
  async run(ctx) {
    const agent = await labAgent(ctx, 'agent1');
    const client = ssoClient(ctx, agent);
    const t = await ctx.step('GET /desktop/sso/token?cc_username&return_refresh_token=true, through IdS and the AD FS sign-in form', () => client.acquire());
    await ctx.step('the token JSON has token, refresh_token, expires_in, user_id, realm, user_principal', async () => {
      expectThat(t.token.length > 0, 'empty token');
      expectThat(t.refreshToken, 'no refresh_token although return_refresh_token=true');
      // IdS's access token lifetime is an admin setting (DESIGN F2: 60 min, 5–120).
      const minutes = ctx.target.config.ids.tokens.accessTokenMinutes;
      expectThat(t.expiresIn === minutes * 60, `expires_in ${t.expiresIn}, expected ${minutes * 60} (ids.tokens.accessTokenMinutes)`);
      expectThat(t.userId === agent.username, `user_id ${t.userId}, expected ${agent.username}`);
      expectThat(t.userPrincipal === agent.upn, `user_principal ${t.userPrincipal}, expected ${agent.upn}`);
      expectThat(t.realm === agent.upn.split('@')[1], `realm ${t.realm}, expected the UPN's domain`);
      ctx.note(`expires_in ${t.expiresIn} s, user_id ${t.userId}, realm ${t.realm}`);
    });
    await ctx.step(`GET /finesse/api/User/${agent.finesse.loginId} with Authorization: Bearer <token>`, async () => {
      const me = await restClient(ctx, `Bearer ${t.token}`).getUser(agent.finesse.loginId);
      expectThat(me.loginId === agent.finesse.loginId && me.loginName === agent.username, `the User is ${me.loginId}/${me.loginName}`);
    });
  },
};
