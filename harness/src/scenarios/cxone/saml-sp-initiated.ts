import { postAutoPost } from '../../clients/cxone/adfs-pages.js';
import { redirectTarget } from '../../clients/cxone/cxone-sign-in.js';
import { authorizationRequest, codeFromCallback, fetchUserinfo, redeemCode, verifyCxoneJwt, type CxoneApp } from '../../clients/cxone/op-client.js';
import { expectThat, type Scenario } from '../scenario.js';
import { AGENT1, SAMPLE_SPA } from './fixtures.js';
import { expectSignedIn, withCxoneLab } from './kit.js';
import { labAdfsAuthenticator, spInitiatedAtAdfs } from './saml-steps.js';

/**
 * F4 SP-initiated, as an application sees it: cxone-sample-spa sends the user to CXone's
 * `/auth/authorize` (code + PKCE S256); agent1's login authenticator is "Lab AD FS", so CXone
 * sends an AuthnRequest to the lab AD FS, AD FS posts the signed response back to CXone's ACS,
 * and CXone answers the application with a code. The application redeems it at `/auth/token`
 * and calls `/auth/userinfo` (reference B.3): CXone as an OP for a federated user.
 */
export const samlSpInitiated: Scenario = {
  id: 'cxone-saml-sp-initiated',
  title: 'CXone SAML (Lab AD FS): SP-initiated sign-in of agent1 for an app, code + PKCE, userinfo',
  flow: 'F4',
  tags: ['cxone', 'saml'],
  needs: ['adfs', 'cxone', 'console'],
  run: (ctx) =>
    withCxoneLab(ctx, async (lab) => {
      const a = await ctx.step('read the "Lab AD FS" authenticator (entity ID, ACS URL)', () => labAdfsAuthenticator(lab));
      ctx.note(`entity ID ${a.entityId}; ACS ${a.acsUrl}`);
      const app: CxoneApp = { cxoneUrl: lab.cxone, clientId: SAMPLE_SPA.clientId, redirectUri: SAMPLE_SPA.redirectUri, ...(lab.ca && { ca: lab.ca }) };
      const request = authorizationRequest(app);
      const ua = lab.browser();
      const post = await ctx.step(`${SAMPLE_SPA.clientId} → CXone → AuthnRequest → AD FS sign-in as ${AGENT1.idpUser}`, () => spInitiatedAtAdfs(lab, ua, a, request.url));
      const code = await ctx.step("CXone's ACS accepts the response and returns a code to the app", async () => {
        const back = redirectTarget(await postAutoPost(ua, post));
        expectThat(back.toString().startsWith(SAMPLE_SPA.redirectUri), `CXone sent the browser to ${back.origin}${back.pathname}, not the app's redirect URI`);
        return codeFromCallback(back, request.state);
      });
      const tokens = await ctx.step('redeem the code with the PKCE verifier at /auth/token', () => redeemCode(app, code, request.codeVerifier));
      const idToken = await ctx.step("verify the ID token against /auth/jwks (issuer, audience, nonce, amr fed)", async () => {
        const claims = await verifyCxoneJwt(app, tokens.id_token, await lab.now());
        expectThat(claims['nonce'] === request.nonce, 'the ID token carries another nonce');
        expectThat(Array.isArray(claims['amr']) && (claims['amr'] as unknown[]).includes('fed'), `the ID token's amr is ${JSON.stringify(claims['amr'])}, expected fed`);
        return claims;
      });
      ctx.note(`ID token sub ${idToken.sub}`);
      await ctx.step('/auth/userinfo with the access token names agent1', async () => {
        const info = await fetchUserinfo(app, tokens.access_token);
        expectThat(info['sub'] === idToken.sub, `userinfo is about ${String(info['sub'])}, the ID token about ${idToken.sub}`);
        expectThat(info['preferred_username'] === AGENT1.username, `userinfo preferred_username is ${String(info['preferred_username'])}`);
      });
      await ctx.step('the browser has a CXone session for agent1 (amr fed)', () => expectSignedIn(lab, ua, AGENT1.username, ['fed']));
    }),
};
