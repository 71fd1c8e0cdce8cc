import { postAutoPost, signInAtAdfs } from '../../clients/cxone/adfs-pages.js';
import { expectThat, type Scenario } from '../scenario.js';
import { AGENT1 } from './fixtures.js';
import { expectSignedIn, withCxoneLab } from './kit.js';
import { labAdfsAuthenticator } from './saml-steps.js';
import { expectAnswer } from './answers.js';

/**
 * F4 IdP-initiated: agent1 starts at AD FS's IdpInitiatedSignOn page for CXone's trust
 * (`loginToRp` = the authenticator's entity ID); AD FS posts an unsolicited Response (no
 * InResponseTo) to CXone's ACS, which signs agent1 in and lands on CXone's home page.
 */
export const samlIdpInitiated: Scenario = {
  id: 'cxone-saml-idp-initiated',
  title: 'CXone SAML (Lab AD FS): IdP-initiated sign-in of agent1 from AD FS',
  flow: 'F4',
  tags: ['cxone', 'saml'],
  needs: ['adfs', 'cxone', 'console'],
  run: (ctx) =>
    withCxoneLab(ctx, async (lab) => {
      const a = await ctx.step('read the "Lab AD FS" authenticator (entity ID, ACS URL)', () => labAdfsAuthenticator(lab));
      const ua = lab.browser();
      const post = await ctx.step(`AD FS IdpInitiatedSignOn for CXone, signed in as ${AGENT1.idpUser}`, async () => {
        const idp = await lab.idpUser(AGENT1.idpUser);
        const p = await signInAtAdfs(ua, `${lab.url('adfs')}/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=${encodeURIComponent(a.entityId)}`, idp.username, idp.password);
        expectThat(p.action === a.acsUrl, `AD FS posts to ${p.action}, not CXone's ACS ${a.acsUrl}`);
        const xml = Buffer.from(p.fields['SAMLResponse']!, 'base64').toString('utf8');
        expectThat(!/<[^>]*Response\b[^>]*\bInResponseTo=/.test(xml), 'an IdP-initiated Response must not carry InResponseTo');
        return p;
      });
      await ctx.step("CXone's ACS accepts the unsolicited response: 303 to the home page", async () => {
        const res = await postAutoPost(ua, post);
        expectAnswer(res, 303, '/');
      });
      await ctx.step('the browser has a CXone session for agent1 (amr fed)', () => expectSignedIn(lab, ua, AGENT1.username, ['fed']));
    }),
};
