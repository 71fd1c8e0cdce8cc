import { z } from 'zod';

/**
 * A person of the lab, shared by every service: AD FS signs them in, the OIDC provider and Cisco
 * IdS issue their tokens, Finesse knows them as agents. Fixture files and the control API use
 * exactly these fields.
 */
export const UserSchema = z.strictObject({
  /** Sign-in name (AD sAMAccountName); unique, compared case-insensitively as AD does. */
  username: z.string().min(1).max(256).regex(/^[^\s\\/]+$/, 'no spaces, slashes or backslashes'),
  password: z.string().min(1),
  /** userPrincipalName, e.g. agent1@lab.example. */
  upn: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must look like name@domain'),
  email: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address'),
  givenName: z.string().min(1),
  surname: z.string().min(1),
  /** Display name; defaults to "<givenName> <surname>". */
  displayName: z.string().min(1).optional(),
  /** NetBIOS domain for the Windows account name `DOMAIN\username`. */
  domain: z.string().min(1).default('LAB'),
  role: z.enum(['agent', 'supervisor', 'administrator']).default('agent'),
  /** Group names (AD FS Group / role claims, OIDC groups, Finesse teams). */
  groups: z.array(z.string().min(1)).default([]),
  /**
   * Finesse identity: the agent ID (loginId, the peripheral id), the extension they log in on, and
   * whether they sign in through Cisco IdS (SSO, Bearer tokens) or with a password (Basic) when
   * Finesse runs in HYBRID mode.
   */
  finesse: z
    .strictObject({
      loginId: z.string().regex(/^\d+$/, 'digits'),
      extension: z.string().regex(/^\d+$/, 'digits'),
      sso: z.boolean().default(true),
    })
    .optional(),
  /**
   * What the user can achieve when signing in, for assurance-aware relying parties: the legacy
   * FICAM level of assurance (1–4), NIST 800-63-3 IAL and AAL, and their MFA capabilities.
   */
  assurance: z
    .strictObject({
      loa: z.number().int().min(1).max(4).default(2),
      ial: z.number().int().min(1).max(3).default(1),
      aal: z.number().int().min(1).max(3).default(1),
      mfa: z.boolean().default(false),
      phishingResistant: z.boolean().default(false),
      hspd12: z.boolean().default(false),
    })
    .default({ loa: 2, ial: 1, aal: 1, mfa: false, phishingResistant: false, hspd12: false }),
  /** Free-form extra attributes for claim templates (`{attributes.costCenter}`). */
  attributes: z.record(z.string(), z.string()).default({}),
  /**
   * Extra claims the OpenID Providers release for this user to every client (static JSON
   * values), e.g. `{"employee_type": "contractor"}`. Client mappings and overrides come after.
   */
  oidcClaims: z.record(z.string().regex(/^[A-Za-z_][\w:.-]{0,127}$/, 'a claim name'), z.unknown()).default({}),
});

export type UserInput = z.input<typeof UserSchema>;
export type User = z.output<typeof UserSchema>;
