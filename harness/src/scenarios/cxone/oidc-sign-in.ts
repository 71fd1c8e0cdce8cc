import { expectThat, type Scenario } from '../scenario.js';
import { AGENT2, LAB_OIDC } from './fixtures.js';
import { expectSignedIn, withCxoneLab } from './kit.js';
import { oidcAuthenticatorOf, signInThroughOp } from './oidc-steps.js';
import { expectAnswer } from './answers.js';

/**
 * F5 with FICAM off: agent2's login authenticator "Lab OIDC" (client `cxone-lab`,
 * client_secret_basic, the lab OP's default issuer). CXone sends agent2 to the lab OP with code +
 * PKCE, redeems the code, validates the ID token and finds agent2 — by `claim(email):` on the
 * first sign-in, by `sub` afterwards — and lands on CXone's home page.
 */
export const oidcSignIn: Scenario = {
  id: 'cxone-oidc-sign-in',
  title: 'CXone OIDC (Lab OIDC, FICAM off): sign-in of agent2 through the lab OP',
  flow: 'F5',
  tags: ['cxone', 'oidc'],
  needs: ['oidc', 'cxone', 'console'],
  run: (ctx) =>
    withCxoneLab(ctx, async (lab) => {
      const a = await ctx.step('read the "Lab OIDC" authenticator (FICAM off)', async () => {
        const found = oidcAuthenticatorOf(await lab.admin.authenticators.get(LAB_OIDC.name));
        expectThat(!found.ficam, '"Lab OIDC" has FICAM on');
        return found;
      });
      ctx.note(`issuer ${a.issuer}; login redirect URI ${a.loginRedirectUri}`);
      const ua = lab.browser();
      const signIn = await ctx.step(`username at CXone → lab OP sign-in as ${AGENT2.idpUser} → CXone's callback`, () => signInThroughOp(lab, ua, a, AGENT2));
      await ctx.step('no acr_values sent with FICAM off', async () => {
        expectThat(!signIn.authorizationRequest.searchParams.has('acr_values'), 'acr_values sent although FICAM is off and none is configured');
      });
      await ctx.step("CXone's callback accepts the IdP's answer: 303 to the home page", async () => {
        const r = signIn.answer;
        expectAnswer(r, 303, '/');
      });
      await ctx.step('the browser has a CXone session for agent2 (amr fed)', () => expectSignedIn(lab, ua, AGENT2.username, ['fed']));
    }),
};
