import { enterUsername } from '../../clients/cxone/cxone-sign-in.js';
import { submitForm } from '../../clients/cxone/cxone-pages.js';
import type { UaResponse } from '../../clients/user-agent.js';
import { expectThat, type Scenario } from '../scenario.js';
import { expectSignedIn, withCxoneLab } from './kit.js';
import { expectAnswer, expectRefused } from './answers.js';
import { SYSTEM_DEFAULT } from './fixtures.js';
import { createSystemUser } from './system-user.js';

const PASSWORD = 'Kv7-route-9';

/**
 * F6 lockout on the tenant's "System Default" authenticator (reference B.1: 6 wrong passwords lock
 * the account for 30 minutes; the scenario reads the configured numbers): each wrong password is 401 ERR_CXONE_LOGIN_BAD_PASSWORD; once the count reaches the
 * policy's `lockoutAttempts`, even the right password is 423 ERR_CXONE_LOGIN_LOCKED (RFC 4918
 * §11.3); the admin's `POST /api/v1/users/:id/unlock` lets the user in at once.
 */
export const systemLockout: Scenario = {
  id: 'cxone-system-lockout',
  title: 'CXone System authenticator: lockout after the configured failures (423), admin unlock',
  flow: 'F6',
  tags: ['cxone', 'system', 'negative'],
  needs: ['cxone'],
  run: (ctx) =>
    withCxoneLab(ctx, async (lab) => {
      const policy = await ctx.step('read the lockout policy of "System Default"', async () => {
        const a = await lab.admin.authenticators.get(SYSTEM_DEFAULT);
        return { id: a['id'] as string, ...(a['system']['password'] as { lockoutAttempts: number; lockoutMinutes: number }) };
      });
      const attempts = policy.lockoutAttempts;
      ctx.note(`policy: ${attempts} failures lock for ${policy.lockoutMinutes} min`);
      const user = await ctx.step('create an active user of System Default', () => createSystemUser(lab, 'lockout', policy.id, PASSWORD));
      const ua = lab.browser();
      let page: UaResponse = await ctx.step('username page → password page', () => enterUsername(ua, `${lab.cxone}/login`, user.username));
      await ctx.step(`${attempts} wrong passwords → 401 ERR_CXONE_LOGIN_BAD_PASSWORD each`, async () => {
        for (let i = 1; i <= attempts; i++) {
          page = await submitForm(ua, page, { password: `Wrong-${i}-pass` });
          expectRefused(page, 401, 'ERR_CXONE_LOGIN_BAD_PASSWORD');
        }
        const u = await lab.admin.users.get(user.userId);
        expectThat(u['locked'] === true, `the admin API shows the user unlocked after ${attempts} failures`);
      });
      await ctx.step('the right password now → 423 ERR_CXONE_LOGIN_LOCKED', async () => {
        page = await submitForm(ua, page, { password: PASSWORD });
        expectRefused(page, 423, 'ERR_CXONE_LOGIN_LOCKED');
      });
      await ctx.step('the admin unlocks the user (POST /api/v1/users/:id/unlock)', async () => {
        const u = await lab.admin.users.unlock(user.userId);
        expectThat(u['locked'] === false && u['failedLogins'] === 0, `after unlock: locked ${String(u['locked'])}, failedLogins ${String(u['failedLogins'])}`);
      });
      await ctx.step('the right password signs in', async () => {
        const res = await submitForm(ua, page, { password: PASSWORD });
        expectAnswer(res, 303);
        await expectSignedIn(lab, ua, user.username, ['pwd']);
      });
    }),
};
