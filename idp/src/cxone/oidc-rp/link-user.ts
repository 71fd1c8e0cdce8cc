import { IdpError } from '../../shared/errors.js';
import { CLAIM_IDENTITY } from '../admin/user-input.js';
import type { CxoneContext } from '../context.js';
import type { Authenticator, CxoneUser } from '../model.js';

/** A user found by a `claim(<name>):<value>` identity: linked to `sub` only once the sign-in is accepted. */
export interface FoundUser {
  user: CxoneUser;
  /** Set when the user was found by a claim: the identity to replace with the IdP's `sub`. */
  linkBySub: boolean;
}

/** The claim's value as text, for comparison (numbers and booleans as the IdP would print them). */
function claimText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * Which CXone user the IdP's subject is (seed 002 OIDC step 5, "claim-based linking"):
 *  1. the user of this authenticator whose external identity is exactly `sub`;
 *  2. else the user whose external identity is `claim(<name>):<value>` with that claim (from the
 *     ID token or userinfo) equal to the value — case-insensitively for `email` (RFC 5321 §2.4
 *     lets only the local part be case-sensitive, and no IdP relies on it) [INF]. An `email`
 *     the IdP marks `email_verified: false` never links: anyone can type an address into an
 *     IdP profile [INF];
 *  3. else nobody: ERR_CXONE_EXTERNAL_IDENTITY_UNKNOWN.
 */
export function findUserForSubject(ctx: CxoneContext, a: Authenticator, sub: string, claims: Record<string, unknown>): FoundUser {
  const bySub = ctx.store.userByExternalIdentity(a.id, sub);
  if (bySub) return { user: bySub, linkBySub: false };
  const matches = ctx.store.usersOf(a.id).filter((u) => {
    const m = u.externalIdentity === undefined ? null : CLAIM_IDENTITY.exec(u.externalIdentity);
    if (!m) return false;
    const [, name, expected] = m as unknown as [string, string, string];
    const actual = claimText(claims[name]);
    if (actual === undefined) return false;
    if (name === 'email') return claims['email_verified'] !== false && actual.toLowerCase() === expected.toLowerCase();
    return actual === expected;
  });
  if (matches.length === 1) return { user: matches[0]!, linkBySub: true };
  if (matches.length > 1) {
    throw new IdpError('ERR_CXONE_EXTERNAL_IDENTITY_UNKNOWN', 'Several users of this login authenticator match what the IdP asserted; ask your administrator to make their external identities unique.', {
      status: 403,
      debug: `sub ${sub}, users ${matches.map((u) => u.username).join(', ')}`,
    });
  }
  throw new IdpError('ERR_CXONE_EXTERNAL_IDENTITY_UNKNOWN', 'No CXone user of this login authenticator has the external identity the IdP asserted.', { status: 403, debug: `sub ${sub}` });
}

/**
 * The first sign-in by a claim replaces the user's `claim(...)` identity by the IdP's `sub`, so
 * the next sign-in matches by `sub` (which OIDC Core §2 guarantees is never reassigned, unlike an
 * e-mail address), and the claim no longer matches anything. Committed to the state file.
 */
export function linkToSubject(ctx: CxoneContext, user: CxoneUser, sub: string): void {
  const was = user.externalIdentity;
  user.externalIdentity = sub;
  user.updatedAt = new Date(ctx.clock.now()).toISOString();
  ctx.store.commit();
  ctx.log.info({ svc: 'cxone', event: 'oidc.user.linked', userId: user.id, was, sub }, 'external identity linked to the IdP subject');
}
