import { signInWithPassword } from '../../clients/cxone/cxone-sign-in.js';
import { expectThat, type Scenario } from '../scenario.js';
import { SAM } from './fixtures.js';
import { expectSignedIn, withCxoneLab } from './kit.js';
import { expectAnswer } from './answers.js';

/**
 * F6: the fixture System Default user signs in with CXone's username-first pages (username, then
 * password) and lands on CXone's home page with `amr` pwd (RFC 8176).
 */
export const systemSignIn: Scenario = {
  id: 'cxone-system-sign-in',
  title: 'CXone System authenticator: sam.system signs in with username and password',
  flow: 'F6',
  tags: ['cxone', 'system'],
  needs: ['cxone'],
  run: (ctx) =>
    withCxoneLab(ctx, async (lab) => {
      const ua = lab.browser();
      await ctx.step(`username and password of ${SAM.username}: 303 to the home page`, async () => {
        const res = await signInWithPassword(ua, `${lab.cxone}/login`, SAM.username, SAM.password);
        expectAnswer(res, 303, '/');
      });
      await ctx.step('the browser has a CXone session for sam.system (amr pwd)', () => expectSignedIn(lab, ua, SAM.username, ['pwd']));
    }),
};
