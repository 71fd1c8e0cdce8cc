import type { User } from '../directory/user-schema.js';

/**
 * The claims of a user as the OpenID Providers release them: the standard ones (OIDC Core §5.1)
 * from the directory, then the user's own `oidcClaims`, then the client's `claim_mapping`.
 * oidc-provider filters the result by the scopes and the `claims` parameter of the request, so
 * only what was asked for leaves. (One-shot overrides are applied to the signed token afterwards:
 * koa-middleware.ts.)
 */

/** Scope → the claims it releases (OIDC Core §5.4, plus the usual `groups` scope). */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  openid: ['sub'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username', 'upn'],
  email: ['email', 'email_verified'],
  groups: ['groups', 'roles'],
};

/** The directory's view of a user for templates: `{givenName}`, `{attributes.costCenter}`, … */
function templateView(u: User): Record<string, unknown> {
  return { ...u, displayName: u.displayName ?? `${u.givenName} ${u.surname}`, password: undefined };
}

function lookup(view: Record<string, unknown>, path: string): unknown {
  let cur: unknown = view;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const PLACEHOLDER = /\{([A-Za-z_][\w.]*)\}/g;

/**
 * A claim rule's value for a user. Strings are templates: a string that is exactly one
 * placeholder keeps the value's type (`"{groups}"` is the array) and is dropped when the user has
 * no such field; otherwise placeholders are replaced by text. Anything else is a static value.
 */
export function applyRule(rule: unknown, u: User): { value: unknown } | undefined {
  if (typeof rule !== 'string') return { value: rule };
  const view = templateView(u);
  const whole = /^\{([A-Za-z_][\w.]*)\}$/.exec(rule);
  if (whole) {
    const v = lookup(view, whole[1]!);
    return v === undefined ? undefined : { value: v };
  }
  return {
    value: rule.replace(PLACEHOLDER, (_m, path: string) => {
      const v = lookup(view, path);
      return v === undefined || v === null ? '' : Array.isArray(v) ? v.join(',') : String(v);
    }),
  };
}

export function standardClaims(u: User): Record<string, unknown> {
  return {
    sub: u.username,
    name: u.displayName ?? `${u.givenName} ${u.surname}`,
    given_name: u.givenName,
    family_name: u.surname,
    preferred_username: u.username,
    upn: u.upn,
    email: u.email,
    // The lab's directory is the authority for its addresses.
    email_verified: true,
    groups: [...u.groups],
    roles: [u.role],
  };
}

export interface ClaimSources {
  user: User;
  /** The client's `claim_mapping`. */
  mapping?: Record<string, unknown> | undefined;
}

export function userClaims(s: ClaimSources): Record<string, unknown> {
  const out: Record<string, unknown> = { ...standardClaims(s.user), ...s.user.oidcClaims };
  for (const [name, rule] of Object.entries(s.mapping ?? {})) {
    const r = applyRule(rule, s.user);
    if (r) out[name] = r.value;
  }
  // The subject is the account; a mapping cannot move it (pairwise is done by the library).
  out['sub'] = s.user.username;
  return out;
}
