import { createHash } from 'node:crypto';
import type { CxoneContext } from '../context.js';
import type { CxoneUser } from '../model.js';

/**
 * The claims CXone's tokens carry about a user, shaped like the decoded examples of reference
 * B.3. Where the example does not give a value's source the lab's choice is marked [INF].
 */

/** `sub` of every CXone token: `user:<uuid>` (B.3 access token example). */
export function subjectOf(u: Pick<CxoneUser, 'id'>): string {
  return `user:${u.id}`;
}

/** [INF] The tenant's domain (`icDomain`, cxone-configuration `domain`): the host CXone is served on. */
export function domainOf(ctx: CxoneContext): string {
  return new URL(ctx.urls.base).hostname;
}

/**
 * [INF] A security role's id: CXone roles have a UUID beside the legacy name; the lab derives a
 * stable one from the tenant and the role name, so that it is the same across restarts.
 */
export function roleIdOf(ctx: CxoneContext, role: string): string {
  const h = createHash('sha256').update(`cxone-role\0${ctx.tenant.id}\0${role}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function tenantClaims(ctx: CxoneContext) {
  return { tenantId: ctx.tenant.id, icBUId: ctx.tenant.businessUnitId, icClusterId: ctx.tenant.clusterId };
}

/**
 * B.3 access token: `role{legacyId,id,lastUpdateTime,secondaryRoles[]}`, `sub`, `given_name`,
 * `family_name`, `name`, `aud`, `icBUId`, `tenantId`, `tenant`, `icClusterId` (+ iss, iat, exp).
 * [INF] `name` is the sign-in name (CXone shows users by it), `aud` the client, `tenant` the
 * tenant's name, `lastUpdateTime` the user record's last change (epoch ms).
 */
export function accessTokenClaims(ctx: CxoneContext, u: CxoneUser, clientId: string): Record<string, unknown> {
  return {
    role: { legacyId: u.role, id: roleIdOf(ctx, u.role), lastUpdateTime: Date.parse(u.updatedAt) || 0, secondaryRoles: [] },
    sub: subjectOf(u),
    given_name: u.firstName,
    family_name: u.lastName,
    name: u.username,
    aud: clientId,
    ...tenantClaims(ctx),
    tenant: ctx.tenant.name,
  };
}

/** How the user signed in, for the ID token (OIDC Core §2): absent values are left out. */
export interface AuthenticationFacts {
  nonce?: string | undefined;
  authTime: number;
  amr: string[];
  acr: string | undefined;
}

/**
 * B.3 ID token: `sub`, `icDomain`, `userId`, `tenantId`, `icBUId`, `icClusterId`; and what OIDC
 * Core §2 asks of every ID token: `aud` (the client), `nonce` when the request had one (§3.1.2.1),
 * `auth_time`, `amr` and `acr` when known.
 */
export function idTokenClaims(ctx: CxoneContext, u: CxoneUser, clientId: string, f: AuthenticationFacts): Record<string, unknown> {
  return {
    sub: subjectOf(u),
    icDomain: domainOf(ctx),
    userId: u.id,
    ...tenantClaims(ctx),
    aud: clientId,
    ...(f.nonce !== undefined && { nonce: f.nonce }),
    auth_time: f.authTime,
    ...(f.amr.length > 0 && { amr: f.amr }),
    ...(f.acr !== undefined && { acr: f.acr }),
  };
}

/**
 * `/auth/userinfo` (OIDC Core §5.3.2): the standard profile claims (§5.1) with the same `sub` as
 * the tokens, plus CXone's tenant claims. [INF] `name` here is the full name, as §5.1 defines it.
 */
export function userinfoClaims(ctx: CxoneContext, u: CxoneUser): Record<string, unknown> {
  return {
    sub: subjectOf(u),
    userId: u.id,
    name: `${u.firstName} ${u.lastName}`.trim(),
    given_name: u.firstName,
    family_name: u.lastName,
    email: u.email,
    preferred_username: u.username,
    ...tenantClaims(ctx),
    tenant: ctx.tenant.name,
    role: u.role,
  };
}
