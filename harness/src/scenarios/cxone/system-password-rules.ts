import { CxoneAdminError } from '../../clients/cxone/admin-api.js';
import { submitForm } from '../../clients/cxone/cxone-pages.js';
import { signInWithPassword } from '../../clients/cxone/cxone-sign-in.js';
import { expectThat, ScenarioFailure, type Scenario } from '../scenario.js';
import { SYSTEM_DEFAULT } from './fixtures.js';
import { expectNotSignedIn, expectSignedIn, withCxoneLab, type CxoneLab } from './kit.js';
import { expectAnswer, expectPage, expectRefused } from './answers.js';
import { createSystemUser } from './system-user.js';

/**
 * F6 password rules (seed 002 step 7: a password may not contain the word "password"), where
 * CXone checks them: the admin API refuses the user with a field error of that rule's code, and
 * the change-password page after an admin reset refuses the new password with the same code,
 * then takes a compliant one.
 */
const WITH_PASSWORD = 'My-Password1';
const RULE = 'ERR_CXONE_PASSWORD_CONTAINS_PASSWORD';

async function adminRefuses(lab: CxoneLab, authenticatorId: string): Promise<void> {
  const username = `rule.${lab.tag}@scenario.example`;
  try {
    const u = await lab.admin.users.create({ username, email: username, firstName: 'Quinn', lastName: 'Tester', loginAuthenticatorId: authenticatorId, password: WITH_PASSWORD, active: true });
    lab.defer(`delete ${username}`, () => lab.admin.users.remove(u['id'] as string));
  } catch (err) {
    if (!(err instanceof CxoneAdminError)) throw err;
    const codes = err.fieldErrors.map((f) => f.code);
    // Docs "Administration": every broken rule is a field error with its own code.
    expectThat(err.status === 400 && codes.includes(RULE), `expected 400 with the field error ${RULE}, got ${err.status} ${err.code} [${codes.join(', ')}]`);
    return;
  }
  throw new ScenarioFailure(`the admin API accepted the password "${WITH_PASSWORD}"`);
}

export const systemPasswordRules: Scenario = {
  id: 'cxone-system-password-rules',
  title: 'CXone System authenticator: a password containing "password" is refused by the admin API and the change page',
  flow: 'F6',
  tags: ['cxone', 'system', 'negative'],
  needs: ['cxone'],
  run: (ctx) =>
    withCxoneLab(ctx, async (lab) => {
      const authenticatorId = await ctx.step('read "System Default"', async () => (await lab.admin.authenticators.get(SYSTEM_DEFAULT))['id'] as string);
      await ctx.step(`the admin API refuses a user with "${WITH_PASSWORD}" → 400 ${RULE}`, () => adminRefuses(lab, authenticatorId));
      const user = await ctx.step('create an active user, then an admin password reset (must change)', async () => {
        const u = await createSystemUser(lab, 'rules', authenticatorId, 'Kv7-route-9');
        await lab.admin.users.resetPassword(u.userId, 'Tmp9-reset-x', true);
        return u;
      });
      const ua = lab.browser();
      let page = await ctx.step('sign-in with the reset password → change-password page', async () => {
        const p = await signInWithPassword(ua, `${lab.cxone}/login`, user.username, 'Tmp9-reset-x');
        expectPage(p, 'changePasswordForm');
        return p;
      });
      await ctx.step(`new password "New-Password7" → 400 ${RULE}`, async () => {
        page = await submitForm(ua, page, { newPassword: 'New-Password7', confirmPassword: 'New-Password7' });
        expectRefused(page, 400, RULE);
        await expectNotSignedIn(lab, ua);
      });
      await ctx.step('a compliant new password signs in', async () => {
        const res = await submitForm(ua, page, { newPassword: 'Own7-choice-Q', confirmPassword: 'Own7-choice-Q' });
        expectAnswer(res, 303);
        await expectSignedIn(lab, ua, user.username, ['pwd']);
      });
    }),
};
