import type { Scenario } from '../scenario.js';
import { refusedWithAdfsFault } from './adfs-fault.js';
import { withCxoneLab } from './kit.js';
import { setSamlFicam } from './saml-ficam-toggle.js';
import { labAdfsAuthenticator } from './saml-steps.js';

/**
 * F4 with FICAM off: the FICAM rule is not applied, so two AuthnContextClassRef values are no
 * longer a FICAM refusal. They are still a SAML 2.0 schema violation (saml-schema-assertion-2.0:
 * AuthnContext holds at most one AuthnContextClassRef), so CXone refuses the response at the
 * schema check instead — the code says which rule fired (docs/cxone.md "Decisions", FICAM).
 */
export const samlFicamOff: Scenario = {
  id: 'cxone-saml-ficam-off',
  title: 'CXone SAML with FICAM off: two class refs reach the schema check (ERR_SAML_SCHEMA_INVALID), not the FICAM rule',
  flow: 'F4',
  tags: ['cxone', 'saml', 'ficam', 'negative'],
  needs: ['adfs', 'cxone', 'console'],
  run: (ctx) =>
    withCxoneLab(ctx, async (lab) => {
      const a = await ctx.step('read the "Lab AD FS" authenticator', () => labAdfsAuthenticator(lab));
      await ctx.step('FICAM off (turned off through the admin API if it was on)', () => setSamlFicam(lab, a, false));
      await ctx.step('AD FS fault two-authn-context-class-refs → 400 ERR_SAML_SCHEMA_INVALID', () =>
        refusedWithAdfsFault(lab, a, 'two-authn-context-class-refs', 400, 'ERR_SAML_SCHEMA_INVALID'),
      );
    }),
};
