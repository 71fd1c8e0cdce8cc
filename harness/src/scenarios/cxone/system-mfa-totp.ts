import { TOTP, URI } from 'otpauth';
import { submitForm, textById } from '../../clients/cxone/cxone-pages.js';
import { signInWithPassword } from '../../clients/cxone/cxone-sign-in.js';
import type { UaResponse } from '../../clients/user-agent.js';
import { expectThat, type Scenario } from '../scenario.js';
import { expectSignedIn, restoreClock, withCxoneLab, type CxoneLab } from './kit.js';
import { expectAnswer, expectPage, expectRefused } from './answers.js';
import { createSystemAuthenticator, createSystemUser } from './system-user.js';

const PASSWORD = 'Kv7-route-9';

/**
 * F6 MFA with TOTP (RFC 6238): a System authenticator that requires TOTP, a user who enrols on
 * the first sign-in from the otpauth:// key URI (codes computed independently with `otpauth`
 * at the LAB clock's time), signs in with `amr` pwd otp mfa (RFC 8176), then signs in again: the
 * enrolment's code in the same time step is a replay (§5.2, ERR_CXONE_MFA_REPLAYED), the next
 * step's code is accepted. The lab clock is frozen mid-step so host/lab drift cannot move a code
 * across a step boundary, and is put back at the end.
 */
async function freezeMidStep(lab: CxoneLab, periodMs: number): Promise<void> {
  const before = await lab.control.clock.state();
  lab.defer('put the lab clock back', () => restoreClock(lab.control, before));
  const now = (await lab.now()).getTime();
  await lab.control.clock.freeze(new Date(now - (now % periodMs) + periodMs / 2).toISOString());
}

export const systemMfaTotp: Scenario = {
  id: 'cxone-system-mfa-totp',
  title: 'CXone System authenticator with TOTP MFA: enrolment, sign-in (amr otp mfa), replay refused',
  flow: 'F6',
  tags: ['cxone', 'system', 'mfa'],
  needs: ['cxone', 'console'],
  run: (ctx) =>
    withCxoneLab(ctx, async (lab) => {
      const user = await ctx.step('create a System authenticator requiring TOTP and an active user', async () => {
        const a = await createSystemAuthenticator(lab, 'totp', { mfa: { required: true, type: 'TOTP' } });
        return createSystemUser(lab, 'totp', a['id'] as string, PASSWORD);
      });
      await ctx.step('freeze the lab clock mid time step', () => freezeMidStep(lab, 30_000));
      const ua = lab.browser();
      const enrol = await ctx.step('username and password → MFA enrolment page with an otpauth:// URI', async () => {
        const page = await signInWithPassword(ua, `${lab.cxone}/login`, user.username, PASSWORD);
        expectPage(page, 'mfaEnrollForm');
        const uri = textById(page, 'otpauthUri');
        expectThat(uri, 'the enrolment page shows no otpauth:// URI');
        const totp = URI.parse(uri);
        expectThat(totp instanceof TOTP, `the key URI is not a TOTP one: ${uri.replace(/secret=[^&]+/, 'secret=…')}`);
        ctx.note(`${totp.algorithm}, ${totp.digits} digits, ${totp.period} s`);
        return { page, totp };
      });
      const code = async () => enrol.totp.generate({ timestamp: (await lab.now()).getTime() });
      const enrolCode = await code();
      await ctx.step('the first code completes enrolment and sign-in (amr pwd, otp, mfa)', async () => {
        const res = await submitForm(ua, enrol.page, { code: enrolCode });
        expectAnswer(res, 303);
        await expectSignedIn(lab, ua, user.username, ['pwd', 'otp', 'mfa']);
      });
      const again = lab.browser();
      let page: UaResponse = await ctx.step('a second sign-in asks for a code', async () => {
        const p = await signInWithPassword(again, `${lab.cxone}/login`, user.username, PASSWORD);
        expectPage(p, 'mfaForm');
        return p;
      });
      await ctx.step('the same time step\'s code again → 401 ERR_CXONE_MFA_REPLAYED', async () => {
        page = await submitForm(again, page, { code: enrolCode });
        expectRefused(page, 401, 'ERR_CXONE_MFA_REPLAYED');
      });
      await ctx.step('one time step later, the new code signs in', async () => {
        await lab.control.clock.advance(enrol.totp.period * 1000);
        const res = await submitForm(again, page, { code: await code() });
        expectAnswer(res, 303);
        await expectSignedIn(lab, again, user.username, ['pwd', 'otp', 'mfa']);
      });
    }),
};
