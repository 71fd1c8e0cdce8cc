import type { Configuration } from 'oidc-provider';
import type { UserDirectory } from '../directory/users.js';
import { userClaims } from './claims.js';

type MappedClient = { claim_mapping?: unknown } | undefined;

/**
 * oidc-provider's `findAccount`: an account is a user of the lab's directory, its id the
 * username (which is also the public `sub`). Claims are computed for each token from the user,
 * and from the client the token is for (its `claim_mapping`).
 */
export function findAccount(users: UserDirectory): NonNullable<Configuration['findAccount']> {
  return async (ctx, sub) => {
    const user = users.get(sub);
    if (!user || user.username.toLowerCase() !== sub.toLowerCase()) return undefined;
    return {
      accountId: user.username,
      claims: async () => {
        const client = ctx.oidc.client as unknown as MappedClient;
        return userClaims({ user, mapping: client?.claim_mapping as Record<string, unknown> | undefined }) as { sub: string };
      },
    };
  };
}

/** JWT access tokens (RFC 9068) carry the client's mapped claims, like its ID tokens and userinfo. */
export function extraTokenClaims(users: UserDirectory): NonNullable<Configuration['extraTokenClaims']> {
  return async (ctx, token) => {
    const accountId = (token as { accountId?: string }).accountId;
    const mapping = (ctx.oidc.client as unknown as MappedClient)?.claim_mapping as Record<string, unknown> | undefined;
    if (!accountId || !mapping) return undefined;
    const user = users.get(accountId);
    if (!user) return undefined;
    const all = userClaims({ user, mapping });
    return Object.fromEntries(Object.keys(mapping).filter((k) => k in all).map((k) => [k, all[k]]));
  };
}
