import type { ADFS_FAULT_KINDS } from '../../../../idp/src/shared/faults.js';
import { labUser } from '../lab-user.js';
import { expectThat, type Scenario } from '../scenario.js';
import { fetchAdfsTrust } from './adfs-metadata.js';
import { SAMPLE_SP_ENTITY_ID, SampleSpBrowser } from './sample-sp-browser.js';
import { rejectionOf, verifyResponse } from './verify-response.js';

type AdfsFaultKind = (typeof ADFS_FAULT_KINDS)[number];

interface FaultCase {
  kind: AdfsFaultKind;
  /** What the response gets wrong, for the title. */
  what: string;
  /** node-saml's reason for refusing it (and the sample SP's, which is node-saml too). */
  reason: RegExp;
  /** The rule it breaks. */
  rule: string;
}

/**
 * The AD FS faults an SP must catch (DESIGN §3 "Faults are data"), each refused by node-saml for
 * its own reason; the reasons are node-saml 5's messages.
 */
const CASES: FaultCase[] = [
  // The SP checks InResponseTo, so node-saml looks at SubjectConfirmationData first: its
  // NotOnOrAfter has passed too, and no bearer confirmation is left (saml-profiles §4.1.4.2).
  { kind: 'expired-assertion', what: 'an expired assertion', reason: /^No valid subject confirmation found/, rule: 'saml-profiles §4.1.4.2 SubjectConfirmationData NotOnOrAfter' },
  { kind: 'wrong-audience', what: 'another Audience', reason: /^SAML assertion audience mismatch/, rule: 'saml-core §2.5.1.4 AudienceRestriction' },
  { kind: 'unsigned', what: 'no signature at all', reason: /^Invalid signature/, rule: 'saml-profiles §4.1.3.5: the assertion MUST be signed' },
  { kind: 'tampered', what: 'a value altered after signing', reason: /^Invalid signature/, rule: 'xmldsig-core §3.2 reference validation' },
  { kind: 'unknown-signing-key', what: 'a signature by a key outside the metadata', reason: /^Invalid signature/, rule: 'saml-metadata §2.4.1.1 signing KeyDescriptor' },
  { kind: 'wrong-in-response-to', what: 'InResponseTo of another request', reason: /^InResponseTo is not valid/, rule: 'saml-profiles §4.1.4.3 InResponseTo' },
];

/**
 * One scenario per fault kind: queued through the control API for the sample SP only, it bends
 * exactly the next response, which node-saml (pinned to the metadata certificate) and the sample
 * SP both refuse for the right reason; the fault is consumed, and the next sign-in (AD FS session
 * reused) verifies again.
 */
export const SAML_FAULT_SCENARIOS: Scenario[] = CASES.map((c) => ({
  id: `saml-fault-${c.kind}`,
  title: `AD FS fault '${c.kind}' (${c.what}) is refused by node-saml and the sample SP`,
  flow: 'F7',
  tags: ['saml', 'adfs', 'fault', 'negative'],
  needs: ['adfs', 'console'],
  async run(ctx) {
    const user = await labUser(ctx, 'agent1');
    const trust = await ctx.step('read the IdP trust from FederationMetadata.xml', () => fetchAdfsTrust(ctx));
    const browser = new SampleSpBrowser(ctx, user);
    await ctx.step(`queue the '${c.kind}' fault for ${SAMPLE_SP_ENTITY_ID} (control API)`, async () => {
      await ctx.target.control.faults.add({ surface: 'adfs', kind: c.kind, relyingParty: SAMPLE_SP_ENTITY_ID });
    });
    const bent = await ctx.step('SP-initiated sign-in through the sample SP', () => browser.spInitiated('redirect'));
    await ctx.step('the fault was taken by that response (the queue is empty)', async () => {
      const left = await ctx.target.control.faults.list();
      expectThat(left.length === 0, `still queued: ${JSON.stringify(left)}`);
    });
    const opts = { audience: SAMPLE_SP_ENTITY_ID, callbackUrl: browser.acsUrl, requestId: bent.requestId };
    await ctx.step(`node-saml refuses it: ${c.reason.source.replace(/^\^/, '')}… (${c.rule})`, async () => {
      const reason = await rejectionOf(bent.response.samlResponse, trust, opts);
      expectThat(c.reason.test(reason), `node-saml refused it for another reason: ${reason}`);
      ctx.note(`node-saml: ${reason}`);
    });
    await ctx.step('the sample SP refuses it too and signs nobody in', async () => {
      const verdict = await browser.deliver(bent.response);
      expectThat(!verdict.signedIn, 'the sample SP signed the user in');
      const reason = new RegExp(c.reason.source.replace(/^\^/, ''));
      expectThat(reason.test(verdict.error), `the sample SP refused it for another reason: ${verdict.error}`);
    });
    await ctx.step('one shot: the next sign-in (AD FS session) is clean and verifies', async () => {
      const clean = await browser.spInitiated('redirect');
      const profile = await verifyResponse(clean.response.samlResponse, trust, { ...opts, requestId: clean.requestId });
      expectThat(profile.nameID === user.email, `NameID ${profile.nameID}`);
    });
  },
}));
