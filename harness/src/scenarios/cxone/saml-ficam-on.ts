import { postAutoPost } from '../../clients/cxone/adfs-pages.js';
import { expectThat, type Scenario } from '../scenario.js';
import { refusedWithAdfsFault } from './adfs-fault.js';
import { AGENT1 } from './fixtures.js';
import { expectSignedIn, withCxoneLab } from './kit.js';
import { setSamlFicam } from './saml-ficam-toggle.js';
import { labAdfsAuthenticator, spInitiatedAtAdfs } from './saml-steps.js';
import { expectAnswer } from './answers.js';

/**
 * F4 with FICAM on (seed 002 SAML step 3.5): a compliant AD FS response (one
 * AuthnContextClassRef, the assertion in urn:oasis:names:tc:SAML:2.0:assertion) is accepted; the
 * AD FS faults that break each rule are refused with CXone's FICAM codes — read before the schema
 * check, so the admin sees the FICAM reason (docs/cxone.md "What the ACS checks", rule 4).
 */
export const samlFicamOn: Scenario = {
  id: 'cxone-saml-ficam-on',
  title: 'CXone SAML with FICAM on: compliant response accepted; two class refs and a foreign namespace refused',
  flow: 'F4',
  tags: ['cxone', 'saml', 'ficam', 'negative'],
  needs: ['adfs', 'cxone', 'console'],
  run: (ctx) =>
    withCxoneLab(ctx, async (lab) => {
      const a = await ctx.step('read the "Lab AD FS" authenticator', () => labAdfsAuthenticator(lab));
      await ctx.step('turn FICAM on through the admin API', () => setSamlFicam(lab, a, true));
      await ctx.step('a compliant AD FS response is accepted with FICAM on', async () => {
        const ua = lab.browser();
        const res = await postAutoPost(ua, await spInitiatedAtAdfs(lab, ua, a));
        expectAnswer(res, 303);
        await expectSignedIn(lab, ua, AGENT1.username, ['fed']);
      });
      await ctx.step('AD FS fault two-authn-context-class-refs → 403 ERR_CXONE_FICAM_AUTHN_CONTEXT', () =>
        refusedWithAdfsFault(lab, a, 'two-authn-context-class-refs', 403, 'ERR_CXONE_FICAM_AUTHN_CONTEXT'),
      );
      await ctx.step('AD FS fault wrong-assertion-namespace → 403 ERR_CXONE_FICAM_ASSERTION_NAMESPACE', () =>
        refusedWithAdfsFault(lab, a, 'wrong-assertion-namespace', 403, 'ERR_CXONE_FICAM_ASSERTION_NAMESPACE'),
      );
    }),
};
