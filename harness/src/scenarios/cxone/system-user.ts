import type { CxoneLab } from './kit.js';

/**
 * What the System scenarios sign in with, so that they never lock or change a fixture user: a
 * System authenticator with its own policy when a scenario needs one, and an active user. Both
 * are deleted at the end (the user first: an authenticator with users cannot be deleted).
 */
export async function createSystemAuthenticator(lab: CxoneLab, purpose: string, system: Record<string, unknown>): Promise<Record<string, any>> {
  const a = await lab.admin.authenticators.create({ name: `Scenario ${purpose} ${lab.tag}`, type: 'System', system });
  lab.defer(`delete the ${purpose} authenticator`, () => lab.admin.authenticators.remove(a['id'] as string));
  return a;
}

export interface SystemUser {
  userId: string;
  username: string;
  password: string;
}

/** An active user of `authenticatorId` with `password` (names chosen so no password rule trips on them). */
export async function createSystemUser(lab: CxoneLab, purpose: string, authenticatorId: string, password: string): Promise<SystemUser> {
  const username = `${purpose}.${lab.tag}@scenario.example`;
  const u = await lab.admin.users.create({ username, email: username, firstName: 'Quinn', lastName: 'Tester', loginAuthenticatorId: authenticatorId, password, active: true });
  lab.defer(`delete ${username}`, () => lab.admin.users.remove(u['id'] as string));
  return { userId: u['id'] as string, username, password };
}
