import { IdpError } from '../shared/errors.js';
import { Collection } from './collection.js';
import { UserSchema, type User } from './user-schema.js';

export type UserDirectory = Collection<typeof UserSchema, User>;

/** The users directory every service shares; keyed by username, case-insensitively. */
export function createUserDirectory(): UserDirectory {
  return new Collection('user', UserSchema, (u) => u.username, (u) => u, (u, others) => {
    for (const o of others) {
      if (o.upn.toLowerCase() === u.upn.toLowerCase()) {
        throw conflict(`upn '${u.upn}' is already used by '${o.username}'`);
      }
      // Finesse addresses agents by loginId and rings them by extension: both must be unique.
      if (u.finesse && o.finesse?.loginId === u.finesse.loginId) {
        throw conflict(`finesse.loginId '${u.finesse.loginId}' is already used by '${o.username}'`);
      }
      if (u.finesse && o.finesse?.extension === u.finesse.extension) {
        throw conflict(`finesse.extension '${u.finesse.extension}' is already used by '${o.username}'`);
      }
      // Finesse takes a loginName or a loginId where a user is named: one must not be the other's.
      if (o.finesse && o.finesse.loginId === u.username) {
        throw conflict(`username '${u.username}' is the finesse.loginId of '${o.username}'`);
      }
      if (u.finesse && u.finesse.loginId.toLowerCase() === o.username.toLowerCase()) {
        throw conflict(`finesse.loginId '${u.finesse.loginId}' is the username of '${o.username}'`);
      }
    }
  });
}

/** AD FS accepts `user`, `DOMAIN\user` and the UPN in the UserName field. */
export function findUserBySignInName(users: UserDirectory, name: string): User | undefined {
  const n = name.trim().toLowerCase();
  const bare = n.includes('\\') ? n.slice(n.indexOf('\\') + 1) : n;
  const direct = users.get(bare);
  if (direct && (!n.includes('\\') || n.startsWith(direct.domain.toLowerCase() + '\\'))) return direct;
  return users.list().find((u) => u.upn.toLowerCase() === n);
}

function conflict(message: string): IdpError {
  return new IdpError('ERR_CONTROL_CONFLICT', message, { status: 409 });
}
