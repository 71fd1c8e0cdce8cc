import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { one, parseXml } from '../helpers/adfs-flow.js';
import { control, expectAccepted, expectRefused, IdsFlow, issued, patchIdsRp, type CapturedResponse } from '../helpers/ids-flow.js';

/**
 * docs/cisco.md "What IdS checks in the response": NotBefore / NotOnOrAfter of the Conditions and
 * of the bearer confirmation (saml-core §2.5.1.2, saml-profiles §4.1.4.2), ± `ids.clockSkewSeconds`,
 * on the lab clock. The skew is set to 120 s (not the default 60) so that the boundary the tests
 * hit can only be the configured one. The clock is frozen, then moved: no sleeps, exact edges.
 */
const SKEW_S = 120;

describe(`IdS time checks with ids.clockSkewSeconds = ${SKEW_S}`, () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'console'], tls: false, config: { ids: { clockSkewSeconds: SKEW_S } } });
  });
  afterAll(async () => {
    await lab?.stop();
  });
  beforeEach(() => {
    lab.state.reset();
  });

  /** Stops lab time (`POST /api/clock {freeze: true}`), then signs in: the response's instants are "now". */
  async function frozenCapture(): Promise<{ flow: IdsFlow; captured: CapturedResponse; now: number }> {
    expect((await control(lab, 'POST', '/clock', { freeze: true })).status).toBe(200);
    const flow = new IdsFlow(lab);
    const captured = await flow.capture();
    return { flow, captured, now: lab.state.clock.now() };
  }

  async function moveClockTo(t: number): Promise<void> {
    expect((await control(lab, 'POST', '/clock', { advanceMs: t - lab.state.clock.now() })).status).toBe(200);
    expect(lab.state.clock.now()).toBe(t);
  }

  function instants(xml: string): { bearerEnd: number; conditionsEnd: number; notBefore: number } {
    const doc = parseXml(xml);
    return {
      bearerEnd: Date.parse(one(doc, '//saml:SubjectConfirmation/saml:SubjectConfirmationData').getAttribute('NotOnOrAfter')!),
      conditionsEnd: Date.parse(one(doc, '//saml:Conditions').getAttribute('NotOnOrAfter')!),
      notBefore: Date.parse(one(doc, '//saml:Conditions').getAttribute('NotBefore')!),
    };
  }

  describe('the bearer confirmation NotOnOrAfter (AD FS: IssueInstant + 5 min message delivery window)', () => {
    it('1 ms before NotOnOrAfter + skew → accepted', async () => {
      const { flow, captured } = await frozenCapture();
      const t = instants(captured.xml);
      expect(t.bearerEnd).toBeLessThan(t.conditionsEnd); // this is the end that binds
      await moveClockTo(t.bearerEnd + SKEW_S * 1000 - 1);
      const res = await flow.post(captured);
      expectAccepted(lab, res);
      await flow.complete(res);
      expect(issued(lab).tokens).toBe(2);
    });

    it('at NotOnOrAfter + skew → ERR_IDS_SAML_EXPIRED, nothing issued', async () => {
      const { flow, captured } = await frozenCapture();
      await moveClockTo(instants(captured.xml).bearerEnd + SKEW_S * 1000);
      expectRefused(await flow.post(captured), 403, 'ERR_IDS_SAML_EXPIRED');
      expect(issued(lab)).toEqual({ relays: 0, codes: 0, tokens: 0 });
    });
  });

  describe('the Conditions NotOnOrAfter (a 1-minute token lifetime makes it the earlier end)', () => {
    beforeEach(async () => {
      await patchIdsRp(lab, { tokenLifetimeMinutes: 1 });
    });

    it('1 ms before NotOnOrAfter + skew → accepted', async () => {
      const { flow, captured } = await frozenCapture();
      const t = instants(captured.xml);
      expect(t.conditionsEnd).toBeLessThan(t.bearerEnd);
      await moveClockTo(t.conditionsEnd + SKEW_S * 1000 - 1);
      expectAccepted(lab, await flow.post(captured));
    });

    it('at NotOnOrAfter + skew → ERR_IDS_SAML_EXPIRED', async () => {
      const { flow, captured } = await frozenCapture();
      await moveClockTo(instants(captured.xml).conditionsEnd + SKEW_S * 1000);
      expectRefused(await flow.post(captured), 403, 'ERR_IDS_SAML_EXPIRED');
      expect(issued(lab)).toEqual({ relays: 0, codes: 0, tokens: 0 });
    });
  });

  describe('NotBefore (an IdS clock behind the IdP\'s)', () => {
    it('IdS clock at NotBefore − skew + 1 ms → accepted', async () => {
      const { flow, captured, now } = await frozenCapture();
      const t = instants(captured.xml);
      expect(t.notBefore).toBe(now);
      await moveClockTo(t.notBefore - SKEW_S * 1000 + 1);
      expectAccepted(lab, await flow.post(captured));
    });

    it('IdS clock at NotBefore − skew − 1 ms → ERR_IDS_SAML_NOT_YET_VALID', async () => {
      const { flow, captured } = await frozenCapture();
      await moveClockTo(instants(captured.xml).notBefore - SKEW_S * 1000 - 1);
      expectRefused(await flow.post(captured), 403, 'ERR_IDS_SAML_NOT_YET_VALID');
      expect(issued(lab)).toEqual({ relays: 0, codes: 0, tokens: 0 });
    });
  });
});
