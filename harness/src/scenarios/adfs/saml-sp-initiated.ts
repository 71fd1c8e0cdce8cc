import { labUser } from '../lab-user.js';
import { expectThat, type Scenario } from '../scenario.js';
import { fetchAdfsTrust } from './adfs-metadata.js';
import { SAMPLE_SP_ENTITY_ID, SampleSpBrowser } from './sample-sp-browser.js';
import { verifyResponse } from './verify-response.js';

/**
 * DESIGN F7, SP-initiated: the console's sample SP asks AD FS by HTTP-Redirect, the user signs in
 * with the forms page, and the response is verified by node-saml against the metadata's signing
 * certificate (InResponseTo = the request's ID) before the sample SP takes it; then HTTP-POST
 * binding, where the AD FS session signs the user in without the form (SSO).
 */
export const samlSpInitiated: Scenario = {
  id: 'saml-sp-initiated',
  title: 'AD FS SAML sign-in started by the sample SP (HTTP-Redirect, then HTTP-POST with SSO), verified by node-saml',
  flow: 'F7',
  tags: ['saml', 'adfs'],
  needs: ['adfs', 'console'],
  async run(ctx) {
    const user = await labUser(ctx, 'agent1');
    const trust = await ctx.step('read the IdP trust from FederationMetadata.xml', () => fetchAdfsTrust(ctx));
    ctx.note(`AD FS identifier ${trust.entityId}, ${trust.signingCertificates.length} signing certificate(s)`);
    const browser = new SampleSpBrowser(ctx, user);
    for (const binding of ['redirect', 'post'] as const) {
      const signIn = await ctx.step(`sample SP AuthnRequest by HTTP-${binding === 'redirect' ? 'Redirect' : 'POST'}, AD FS ${binding === 'redirect' ? 'forms sign-in' : 'session (SSO)'}`, async () => {
        const s = await browser.spInitiated(binding);
        expectThat(s.loginShown === (binding === 'redirect'), binding === 'redirect' ? 'AD FS did not show its sign-in form' : 'AD FS asked to sign in again despite its session');
        expectThat(s.response.action === browser.acsUrl, `the response goes to ${s.response.action}, not the sample SP's ACS`);
        return s;
      });
      await ctx.step('node-saml verifies the response against the metadata certificate (issuer, audience, time, InResponseTo)', async () => {
        const profile = await verifyResponse(signIn.response.samlResponse, trust, { audience: SAMPLE_SP_ENTITY_ID, callbackUrl: browser.acsUrl, requestId: signIn.requestId });
        expectThat(profile.nameID === user.email, `NameID ${profile.nameID}, expected ${user.email}`);
        expectThat(profile.inResponseTo === signIn.requestId, 'InResponseTo is not the request ID');
      });
      await ctx.step('the sample SP accepts the response and signs the user in', async () => {
        const verdict = await browser.deliver(signIn.response);
        expectThat(verdict.signedIn, `the sample SP refused: ${verdict.signedIn ? '' : verdict.error}`);
        expectThat(verdict.nameId === user.email, `the sample SP signed in ${verdict.nameId}`);
      });
    }
  },
};
