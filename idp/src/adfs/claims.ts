import { createHmac } from 'node:crypto';
import type { User } from '../directory/user-schema.js';

/**
 * The values a claim rule template may read: the user's directory attributes plus what AD FS
 * derives (Windows account name, display name) and a pairwise persistent identifier.
 */
export interface ClaimContext {
  user: User;
  /** The relying party's primary identifier (pairwise IDs are per RP). */
  rpIdentifier: string;
  persistentIdSecret: string;
}

const PLACEHOLDER = /\{([A-Za-z0-9_.]+)\}/g;

/**
 * Evaluates a claim template. `{name}` placeholders read the context; a template that is exactly
 * one multi-valued placeholder (`{groups}`) yields one value per element, as AD FS repeats
 * AttributeValue for multi-valued claims (reference §1.6). Unknown placeholders yield nothing:
 * an AD FS rule whose source attribute is empty issues no claim.
 */
export function evaluateTemplate(template: string, ctx: ClaimContext): string[] {
  const whole = /^\{([A-Za-z0-9_.]+)\}$/.exec(template);
  if (whole) {
    const v = lookup(whole[1]!, ctx);
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).filter((s) => s !== '');
  }
  let missing = false;
  const out = template.replace(PLACEHOLDER, (_, key: string) => {
    const v = lookup(key, ctx);
    if (v === undefined) {
      missing = true;
      return '';
    }
    return Array.isArray(v) ? v.join(',') : v;
  });
  return missing ? [] : [out];
}

function lookup(key: string, ctx: ClaimContext): string | string[] | undefined {
  const u = ctx.user;
  switch (key) {
    case 'username':
      return u.username;
    case 'upn':
      return u.upn;
    case 'email':
      return u.email;
    case 'givenName':
      return u.givenName;
    case 'surname':
      return u.surname;
    case 'displayName':
      return u.displayName ?? `${u.givenName} ${u.surname}`;
    case 'domain':
      return u.domain;
    case 'windowsAccountName':
      return `${u.domain}\\${u.username}`;
    case 'role':
      return u.role;
    case 'groups':
      return u.groups;
    case 'finesse.loginId':
      return u.finesse?.loginId;
    case 'finesse.extension':
      return u.finesse?.extension;
    case 'persistentId':
      return persistentId(ctx);
    default:
      if (key.startsWith('attributes.')) return u.attributes[key.slice('attributes.'.length)];
      return undefined;
  }
}

/**
 * A pairwise persistent identifier: stable for one user at one RP, opaque, and different at every
 * other RP — what FICAM calls a pseudonymous identifier (reference §3).
 */
export function persistentId(ctx: ClaimContext): string {
  return createHmac('sha256', ctx.persistentIdSecret)
    .update(`${ctx.rpIdentifier}\u0000${ctx.user.username.toLowerCase()}`)
    .digest('base64');
}

export const TEMPLATE_KEYS = [
  'username', 'upn', 'email', 'givenName', 'surname', 'displayName', 'domain', 'windowsAccountName',
  'role', 'groups', 'finesse.loginId', 'finesse.extension', 'persistentId', 'attributes.<key>',
] as const;
