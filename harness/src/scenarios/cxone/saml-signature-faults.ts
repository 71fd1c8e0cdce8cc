import type { Scenario } from '../scenario.js';
import { refusedWithAdfsFault, type AdfsFaultKind } from './adfs-fault.js';
import { withCxoneLab } from './kit.js';
import { labAdfsAuthenticator } from './saml-steps.js';

/**
 * F4 negatives from the AD FS fault queue: CXone trusts only the uploaded certificate and needs
 * at least one signature that verifies (docs/cxone.md "What the ACS checks", rule 8).
 */
function signatureFault(kind: AdfsFaultKind, code: string, why: string): Scenario {
  return {
    id: `cxone-saml-${kind}`,
    title: `CXone SAML: an AD FS response ${why} is refused (${code})`,
    flow: 'F4',
    tags: ['cxone', 'saml', 'negative'],
    needs: ['adfs', 'cxone', 'console'],
    run: (ctx) =>
      withCxoneLab(ctx, async (lab) => {
        const a = await ctx.step('read the "Lab AD FS" authenticator', () => labAdfsAuthenticator(lab));
        await ctx.step(`AD FS fault ${kind} → 403 ${code}`, () => refusedWithAdfsFault(lab, a, kind, 403, code));
      }),
  };
}

export const samlUnsigned = signatureFault('unsigned', 'ERR_SAML_SIGNATURE_REQUIRED', 'with no signature at all');
export const samlTampered = signatureFault('tampered', 'ERR_CXONE_SAML_SIGNATURE', 'altered after signing');
