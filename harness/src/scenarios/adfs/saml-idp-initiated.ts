import { labUser } from '../lab-user.js';
import { expectThat, type Scenario } from '../scenario.js';
import { fetchAdfsTrust } from './adfs-metadata.js';
import { SAMPLE_SP_ENTITY_ID, SampleSpBrowser } from './sample-sp-browser.js';
import { verifyResponse } from './verify-response.js';

/**
 * DESIGN F7, IdP-initiated: AD FS's `IdpInitiatedSignOn.aspx?loginToRp=<identifier>` (reference
 * §1.9) signs the user in and posts an unsolicited response — no InResponseTo anywhere
 * (saml-profiles §4.1.5) — to the relying party's default ACS; node-saml verifies it against the
 * metadata certificate and the sample SP signs the user in.
 */
export const samlIdpInitiated: Scenario = {
  id: 'saml-idp-initiated',
  title: 'AD FS IdP-initiated sign-on (loginToRp) to the sample SP, verified by node-saml',
  flow: 'F7',
  tags: ['saml', 'adfs'],
  needs: ['adfs', 'console'],
  async run(ctx) {
    const user = await labUser(ctx, 'agent1');
    const trust = await ctx.step('read the IdP trust from FederationMetadata.xml', () => fetchAdfsTrust(ctx));
    const browser = new SampleSpBrowser(ctx, user);
    const signIn = await ctx.step(`IdpInitiatedSignOn.aspx?loginToRp=${SAMPLE_SP_ENTITY_ID}, forms sign-in`, async () => {
      const s = await browser.idpInitiated(SAMPLE_SP_ENTITY_ID);
      expectThat(s.loginShown, 'AD FS did not show its sign-in form');
      expectThat(s.response.action === browser.acsUrl, `the response goes to ${s.response.action}, not the sample SP's default ACS`);
      expectThat(!s.response.xml.includes('InResponseTo'), 'an unsolicited response carries InResponseTo');
      return s;
    });
    await ctx.step('node-saml verifies the unsolicited response against the metadata certificate', async () => {
      const profile = await verifyResponse(signIn.response.samlResponse, trust, { audience: SAMPLE_SP_ENTITY_ID, callbackUrl: browser.acsUrl, requestId: undefined });
      expectThat(profile.nameID === user.email, `NameID ${profile.nameID}, expected ${user.email}`);
    });
    await ctx.step('the sample SP accepts it and signs the user in', async () => {
      const verdict = await browser.deliver(signIn.response);
      expectThat(verdict.signedIn && verdict.nameId === user.email, `the sample SP: ${verdict.signedIn ? verdict.nameId : verdict.error}`);
    });
  },
};
