import type { FaultInput } from '../../control/lab-control.js';
import { expectThat, type Scenario } from '../scenario.js';
import { AGENT2, LAB_OIDC } from './fixtures.js';
import { expectNotSignedIn, withCxoneLab } from './kit.js';
import { expectRefused } from './answers.js';
import { oidcAuthenticatorOf, signInThroughOp } from './oidc-steps.js';

/**
 * F5 negatives from the lab OP's fault queue: one ID token for CXone's client `cxone-lab` is
 * bent, and CXone's callback must refuse it with the code of the OIDC Core §3.1.3.7 rule it
 * breaks (docs/cxone.md "Errors"), and sign nobody in.
 */
function opFault(id: string, fault: Omit<Extract<FaultInput, { surface: 'oidc' }>, 'surface' | 'clientId'>, code: string, why: string): Scenario {
  return {
    id,
    title: `CXone OIDC: ${why} is refused (${code})`,
    flow: 'F5',
    tags: ['cxone', 'oidc', 'negative'],
    needs: ['oidc', 'cxone', 'console'],
    run: (ctx) =>
      withCxoneLab(ctx, async (lab) => {
        const a = await ctx.step('read the "Lab OIDC" authenticator', async () => oidcAuthenticatorOf(await lab.admin.authenticators.get(LAB_OIDC.name)));
        const queued = (f: { surface: string; kind: string }) => f.surface === 'oidc' && f.kind === fault.kind;
        await ctx.step(`queue the OP fault ${fault.kind} for ${LAB_OIDC.clientId}`, async () => {
          await lab.control.faults.add({ surface: 'oidc', clientId: LAB_OIDC.clientId, ...fault } as FaultInput);
          lab.defer(`drop the queued ${fault.kind} fault`, async () => {
            if ((await lab.control.faults.list()).some(queued)) await lab.control.faults.clear();
          });
        });
        const ua = lab.browser();
        const signIn = await ctx.step(`sign-in of agent2 through the lab OP`, () => signInThroughOp(lab, ua, a, AGENT2));
        await ctx.step(`CXone's callback refuses it: 400 ${code}`, async () => {
          expectThat(!(await lab.control.faults.list()).some(queued), `the lab OP did not take the queued ${fault.kind} fault`);
          expectRefused(signIn.answer, 400, code);
          await expectNotSignedIn(lab, ua);
        });
      }),
  };
}

export const oidcBadSignature = opFault('cxone-oidc-id-token-bad-signature', { kind: 'id-token-bad-signature' }, 'ERR_CXONE_OIDC_SIGNATURE', 'an ID token signed by a key the IdP does not publish');
export const oidcWrongNonce = opFault('cxone-oidc-wrong-nonce', { kind: 'claims', claims: { nonce: 'not-the-nonce-cxone-sent' } }, 'ERR_CXONE_OIDC_NONCE', 'an ID token with another nonce');
