import { z } from 'zod';

/**
 * An OIDC client as fixture files, the control API and dynamic registration give it: standard
 * client metadata (OIDC Dynamic Client Registration 1.0 §2, RFC 7591 §2, snake_case, validated by
 * oidc-provider itself) plus the lab's own fields below. The same fields everywhere.
 */

/** A claim value in a mapping: a template string over the user, or any static JSON value. */
const ClaimRule = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown()), z.record(z.string(), z.unknown())]);

export const ClaimMappingSchema = z.record(
  z.string().regex(/^[A-Za-z_][\w:.-]{0,127}$/, 'a claim name'),
  ClaimRule,
);

/** The lab's fields; oidc-provider sees them as `extraClientMetadata`. */
export const LAB_CLIENT_FIELDS = ['first_party', 'require_pkce', 'profile', 'claim_mapping'] as const;

export const OidcClientSchema = z.looseObject({
  client_id: z.string().regex(/^[\x21-\x7e]{1,200}$/, 'printable ASCII without spaces, at most 200 characters'),
  /** The issuer (`oidc.issuers[].id`) the client is registered with. */
  issuer: z.string().min(1).default('default'),
  /** A first-party client is never asked for consent (the lab's own apps). */
  first_party: z.boolean().default(true),
  /**
   * PKCE (RFC 7636) with S256 on every authorization-code request. On by default for every
   * client, confidential ones too; `false` lets a legacy confidential client skip it. Public
   * clients and FICAM clients always need it.
   */
  require_pkce: z.boolean().default(true),
  /** Hold this client to the FICAM / iGov rules even on a standard issuer. */
  profile: z.enum(['standard', 'ficam']).optional(),
  /**
   * Claims this client gets besides the standard ones, in every ID token, userinfo response and
   * JWT access token: `"{attributes.costCenter}"`-style templates over the user (username, upn,
   * email, givenName, surname, displayName, domain, role, groups, attributes.*, finesse.*), or
   * static JSON values. A template that is exactly one `{groups}` placeholder yields the array.
   */
  claim_mapping: ClaimMappingSchema.optional(),
});

export type OidcClientInput = z.input<typeof OidcClientSchema>;
export type OidcClient = z.output<typeof OidcClientSchema>;

/** The metadata oidc-provider gets: everything but the lab-only `issuer` key. */
export function providerMetadata(c: OidcClient): Record<string, unknown> {
  const { issuer: _issuer, ...rest } = c;
  return rest;
}
