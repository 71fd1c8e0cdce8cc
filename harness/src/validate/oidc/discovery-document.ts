/** An OpenID Provider's configuration document (OIDC Discovery §3), as a plain JSON object. */
export type Discovery = Record<string, unknown>;

export const WELL_KNOWN = '/.well-known/openid-configuration';

/** A string field, or undefined when absent or not a string. */
export function str(d: Discovery, key: string): string | undefined {
  const v = d[key];
  return typeof v === 'string' ? v : undefined;
}

/** A string-array field, or undefined when absent; non-string members are dropped. */
export function list(d: Discovery, key: string): string[] | undefined {
  const v = d[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/**
 * The discovery document's URL for what the user gave: a discovery URL, or an issuer URL (OIDC
 * Discovery §4: "any terminating / MUST be removed before appending /.well-known/openid-configuration").
 */
export function discoveryUrlOf(url: string): string {
  const u = new URL(url);
  const path = u.pathname.replace(/\/+$/, '');
  const full = path.endsWith(WELL_KNOWN) ? path : `${path}${WELL_KNOWN}`;
  return `${u.origin}${full}`;
}

/** The issuer a discovery URL is the configuration of (OIDC Discovery §4.3: its prefix). */
export function issuerPrefixOf(discoveryUrl: string): string {
  const u = new URL(discoveryUrl);
  return `${u.origin}${u.pathname.slice(0, -WELL_KNOWN.length)}`;
}
