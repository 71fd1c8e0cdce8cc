import type { User } from '../../../idp/src/directory/user-schema.js';
import type { ScenarioContext } from './scenario.js';
import { expectThat } from './scenario.js';

/**
 * A user of the lab as its control API describes it (password included: the lab is a test
 * fixture), so a scenario signs in with whatever the running lab's users file says instead of
 * a password copied into code.
 */
export async function labUser(ctx: ScenarioContext, username: string): Promise<User> {
  return ctx.step(`read ${username} from the lab's users (control API)`, async () => ctx.target.control.users.get(username));
}

/** A user with a Finesse identity (loginId and extension), as the Cisco scenarios need. */
export async function labAgent(ctx: ScenarioContext, username: string): Promise<User & { finesse: NonNullable<User['finesse']> }> {
  const user = await labUser(ctx, username);
  expectThat(user.finesse, `${username} has no Finesse identity (finesse.loginId) in the lab's users`);
  return user as User & { finesse: NonNullable<User['finesse']> };
}
