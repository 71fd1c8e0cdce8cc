import * as oidc from 'openid-client';
import { labUser } from '../lab-user.js';
import { expectThat, type Scenario } from '../scenario.js';
import { codeFlow, discoverAs, refusalOf, labClient } from './oidc-rp.js';

/**
 * DESIGN F7, refresh: the fixture client sample-web (client_secret_basic, refresh_token grant)
 * refreshes (RFC 6749 §6) and gets a new access token and ID token for the same subject. When the
 * lab rotates refresh tokens the old one is then refused (Security BCP §4.14.2); a revoked refresh
 * token (RFC 7009 §2.1) is refused with invalid_grant.
 */
export const oidcRefresh: Scenario = {
  id: 'oidc-refresh',
  title: 'OIDC refresh token grant (sample-web): new tokens, rotation, and invalid_grant once revoked',
  flow: 'F7',
  tags: ['oidc', 'refresh'],
  needs: ['oidc', 'console'],
  async run(ctx) {
    const user = await labUser(ctx, 'agent1');
    const client = await ctx.step('the fixture client sample-web (client_secret_basic)', () => labClient(ctx, 'sample-web'));
    expectThat(client.grant_types.includes('refresh_token'), 'sample-web may not use refresh tokens');
    const cfg = await discoverAs(ctx, client.client_id, oidc.ClientSecretBasic(String(client.client_secret)));
    const { tokens } = await ctx.step('code + PKCE sign-in; a refresh token is issued', async () => {
      const flow = await codeFlow(ctx, cfg, { redirectUri: client.redirect_uris[0]!, user, scope: 'openid offline_access' });
      expectThat(flow.tokens.refresh_token, 'no refresh_token');
      return flow;
    });
    const first = tokens.refresh_token!;
    const refreshed = await ctx.step('refresh: a new access token and ID token for the same subject', async () => {
      const r = await oidc.refreshTokenGrant(cfg, first);
      expectThat(r.access_token !== tokens.access_token, 'the same access token again');
      expectThat(r.claims()?.sub === tokens.claims()?.sub, 'another subject after refresh');
      return r;
    });
    await ctx.step('a rotated refresh token: the old one is refused with invalid_grant', async () => {
      const next = refreshed.refresh_token;
      if (next === undefined || next === first) {
        ctx.note('the lab does not rotate refresh tokens for this client');
        return;
      }
      // Reuse of a rotated-out token revokes the whole grant (oidc-provider), so the check comes
      // after a second refresh has proved `next` works.
      await oidc.refreshTokenGrant(cfg, next);
      const refused = await refusalOf(oidc.refreshTokenGrant(cfg, first));
      expectThat(refused.error === 'invalid_grant', `the rotated-out token: ${refused.error || refused.code}`);
      ctx.note('refresh tokens rotate; reuse of an old one is refused');
    });
    await ctx.step('revoke the refresh token, then refreshing is refused with invalid_grant', async () => {
      const fresh = await codeFlow(ctx, cfg, { redirectUri: client.redirect_uris[0]!, user, scope: 'openid offline_access' });
      const rt = fresh.tokens.refresh_token;
      expectThat(rt, 'no refresh_token');
      await oidc.tokenRevocation(cfg, rt, { token_type_hint: 'refresh_token' });
      const refused = await refusalOf(oidc.refreshTokenGrant(cfg, rt));
      expectThat(refused.error === 'invalid_grant', `after revocation: ${refused.error || refused.code}`);
    });
  },
};
