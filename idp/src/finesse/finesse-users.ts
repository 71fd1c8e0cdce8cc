import type { User } from '../directory/user-schema.js';
import type { UserDirectory } from '../directory/users.js';

/** A user of the directory that Finesse knows: one with a `finesse` identity. */
export type FinesseUser = User & { finesse: NonNullable<User['finesse']> };

export function isFinesseUser(u: User | undefined): u is FinesseUser {
  return u?.finesse !== undefined;
}

/** By loginId (the peripheral agent id) only. */
export function findByLoginId(users: UserDirectory, loginId: string): FinesseUser | undefined {
  return users.list().find((u): u is FinesseUser => isFinesseUser(u) && u.finesse.loginId === loginId);
}

/** By loginName (the username, case-insensitive) only. */
export function findByLoginName(users: UserDirectory, loginName: string): FinesseUser | undefined {
  const u = users.get(loginName);
  return isFinesseUser(u) ? u : undefined;
}

/**
 * By either: what `cc_username` and Basic user names may be (reference A.1.2, A.2.1). The
 * loginName wins, and the directory refuses a username equal to another user's loginId
 * (users.ts), so a name can never reach someone else. IdS tokens name users by loginName only
 * (their `user_id` is the `uid` claim): use findByLoginName for them.
 */
export function findFinesseUser(users: UserDirectory, name: string): FinesseUser | undefined {
  return findByLoginName(users, name) ?? findByLoginId(users, name);
}

export function findByExtension(users: UserDirectory, extension: string): FinesseUser | undefined {
  return users.list().find((u): u is FinesseUser => isFinesseUser(u) && u.finesse.extension === extension);
}

/** Whether the user signs in through IdS, given the system mode (reference A.2.1: SSO / HYBRID / NON_SSO). */
export function usesSso(mode: 'SSO' | 'HYBRID' | 'NON_SSO', u: FinesseUser): boolean {
  return mode === 'SSO' || (mode === 'HYBRID' && u.finesse.sso);
}
