import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { generateRsaKey } from '../oidc-rp/generated-keys.js';
import type { Authenticator, OidcSettings, PasswordPolicy } from '../model.js';
import { AUTHENTICATOR_TYPES, CLIENT_AUTH_METHODS, MFA_TYPES } from '../model.js';
import { checkSigningCertificate } from '../saml/signing-certificate.js';
import { FieldErrors } from './field-errors.js';

/**
 * CXone's defaults for a system authenticator (reference B.1 [DOC]: 6 characters, one lower, one
 * upper, one number, specials allowed not required; 6 failures lock for 30 minutes). Ranges are
 * NOT FOUND in any source; the ones below are the lab's [INF] choice (docs/cxone.md).
 */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minLength: 6,
  maxLength: 128,
  minLower: 1,
  minUpper: 1,
  minDigits: 1,
  minSpecial: 0,
  expiryDays: 0,
  history: 0,
  lockoutAttempts: 6,
  lockoutMinutes: 30,
};

const count = z.number().int().min(0).max(20);
const PasswordPolicyInput = z
  .strictObject({
    minLength: z.number().int().min(6).max(64),
    maxLength: z.number().int().min(6).max(256),
    minLower: count,
    minUpper: count,
    minDigits: count,
    minSpecial: count,
    expiryDays: z.number().int().min(0).max(3650),
    history: z.number().int().min(0).max(24),
    lockoutAttempts: z.number().int().min(1).max(100),
    lockoutMinutes: z.number().int().min(1).max(1440),
  })
  .partial();

const httpsUrl = z.url({ protocol: /^https?$/, message: 'an absolute http(s) URL' });

const SystemInput = z.strictObject({
  password: PasswordPolicyInput.optional(),
  mfa: z.strictObject({ required: z.boolean().default(false), type: z.enum(MFA_TYPES).default('TOTP') }).optional(),
});

const SamlInput = z.strictObject({
  endpointUrl: httpsUrl,
  /** The PEM text of the uploaded file. */
  certificate: z.string().min(1, 'upload the IdP signing certificate (PEM)').max(20_000),
  ficam: z.boolean().default(false),
});

const OidcInput = z.strictObject({
  discoveryUrl: httpsUrl.optional(),
  issuer: httpsUrl.optional(),
  jwksUri: httpsUrl.optional(),
  authorizationEndpoint: httpsUrl.optional(),
  tokenEndpoint: httpsUrl.optional(),
  userinfoEndpoint: httpsUrl.optional(),
  revocationEndpoint: httpsUrl.optional(),
  endSessionEndpoint: httpsUrl.optional(),
  clientId: z.string().min(1).max(255),
  clientSecret: z.string().min(1).max(512).optional(),
  clientSecretConfirm: z.string().max(512).optional(),
  clientAuthMethod: z.enum(CLIENT_AUTH_METHODS).default('client_secret_basic'),
  useEncryption: z.boolean().default(false),
  ficam: z.boolean().default(false),
  scope: z
    .string()
    .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'space-separated scope tokens')
    .default('openid email profile'),
  acrValues: z.array(z.string().min(1).max(255)).max(10).default([]),
});

export const AuthenticatorInputSchema = z.strictObject({
  name: z.string().trim().min(1, 'required').max(100),
  description: z.string().max(500).default(''),
  type: z.enum(AUTHENTICATOR_TYPES),
  active: z.boolean().default(true),
  system: SystemInput.optional(),
  saml: SamlInput.optional(),
  oidc: OidcInput.optional(),
});
export type AuthenticatorInput = z.input<typeof AuthenticatorInputSchema>;

/** The endpoints "Discover settings" fills in (seed 002 OIDC step 3.6). */
export interface DiscoveredEndpoints {
  issuer: string;
  jwksUri: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string | undefined;
  revocationEndpoint: string | undefined;
  endSessionEndpoint: string | undefined;
}

export interface AuthenticatorBuildDeps {
  now: number;
  /** Another authenticator already has this name (case-insensitive), other than `selfId`. */
  nameTaken(name: string, selfId: string | undefined): boolean;
  discover(url: string): Promise<DiscoveredEndpoints>;
}

/** What "Discover settings" found for the request's discovery URL (or why it failed). */
type Discovery = { found: Partial<DiscoveredEndpoints>; error?: string };

/** Runs discovery when the request names a discovery URL, then validates and builds (see buildAuthenticatorRecord). */
export async function buildAuthenticator(body: unknown, deps: AuthenticatorBuildDeps, existing?: Authenticator): Promise<Authenticator> {
  const url = (body as { oidc?: { discoveryUrl?: unknown } } | undefined)?.oidc?.discoveryUrl;
  let discovery: Discovery = { found: {} };
  if (typeof url === 'string' && URL.canParse(url)) {
    try {
      discovery = { found: await deps.discover(url) };
    } catch (e) {
      discovery = { found: {}, error: (e as Error).message };
    }
  }
  return buildAuthenticatorRecord(body, deps, discovery, existing);
}

/**
 * Validates an admin's authenticator and builds the record: every field problem is collected and
 * thrown at once (ERR_CXONE_VALIDATION with `fieldErrors`), nothing is stored by this function.
 * `discovery` is what the request's discovery URL gave. `existing` is the record being updated: its id, generated keys and secret are kept unless the
 * request replaces them.
 */
export function buildAuthenticatorRecord(
  body: unknown,
  deps: Omit<AuthenticatorBuildDeps, 'discover'>,
  discovery: Discovery = { found: {} },
  existing?: Authenticator,
): Authenticator {
  const errors = new FieldErrors();
  const parsed = AuthenticatorInputSchema.safeParse(body);
  if (!parsed.success) {
    errors.addZod(parsed.error);
    errors.throwIfAny();
  }
  const input = parsed.data!;
  if (deps.nameTaken(input.name, existing?.id)) errors.add('name', 'ERR_CXONE_NAME_TAKEN', `A login authenticator named '${input.name}' already exists.`);
  if (existing && existing.type !== input.type) errors.add('type', 'ERR_CXONE_VALIDATION', `The authentication type cannot change (it is ${existing.type}); create a new login authenticator.`);
  for (const t of ['system', 'saml', 'oidc'] as const) {
    const expected = input.type === 'System' ? 'system' : input.type === 'SAML' ? 'saml' : 'oidc';
    if (t !== expected && input[t] !== undefined) errors.add(t, 'ERR_CXONE_VALIDATION', `Only a ${typeName(t)} authenticator has ${t} settings.`);
  }
  const stamp = new Date(deps.now).toISOString();
  const record: Authenticator = {
    id: existing?.id ?? randomUUID(),
    name: input.name,
    description: input.description,
    type: input.type,
    active: input.active,
    isDefault: existing?.isDefault ?? false,
    system: undefined,
    saml: undefined,
    oidc: undefined,
    createdAt: existing?.createdAt ?? stamp,
    updatedAt: stamp,
  };
  if (existing?.isDefault && !input.active) errors.add('active', 'ERR_CXONE_VALIDATION', 'The default login authenticator cannot be deactivated.');

  if (input.type === 'System') {
    const password: PasswordPolicy = { ...DEFAULT_PASSWORD_POLICY, ...(input.system?.password ?? {}) };
    const classes = password.minLower + password.minUpper + password.minDigits + password.minSpecial;
    if (password.maxLength < password.minLength) errors.add('system.password.maxLength', 'ERR_CXONE_VALIDATION', `must be at least minLength (${password.minLength})`);
    if (classes > password.maxLength) errors.add('system.password', 'ERR_CXONE_VALIDATION', `the character counts add up to ${classes}, more than maxLength (${password.maxLength})`);
    record.system = { password, mfa: { required: input.system?.mfa?.required ?? false, type: input.system?.mfa?.type ?? 'TOTP' } };
  } else if (input.type === 'SAML') {
    if (!input.saml) errors.add('saml', 'ERR_CXONE_VALIDATION', 'required for a SAML authenticator: endpointUrl and certificate');
    else {
      const cert = checkSigningCertificate(input.saml.certificate, deps.now);
      if (!cert.ok) errors.add('saml.certificate', cert.code, cert.message);
      record.saml = { endpointUrl: input.saml.endpointUrl, certificate: cert.ok ? cert.pem : '', ficam: input.saml.ficam };
    }
  } else {
    if (!input.oidc) errors.add('oidc', 'ERR_CXONE_VALIDATION', 'required for an OIDC authenticator: clientId and the endpoints (or discoveryUrl)');
    else record.oidc = buildOidc(input.oidc, discovery, errors, existing?.oidc);
  }
  errors.throwIfAny();
  return record;
}

function typeName(t: 'system' | 'saml' | 'oidc'): string {
  return t === 'system' ? 'System' : t === 'saml' ? 'SAML' : 'OIDC';
}

function buildOidc(o: z.output<typeof OidcInput>, discovery: Discovery, errors: FieldErrors, existing: OidcSettings | undefined): OidcSettings {
  const found = discovery.found;
  if (o.discoveryUrl && discovery.error !== undefined) errors.add('oidc.discoveryUrl', 'ERR_CXONE_DISCOVERY_FAILED', discovery.error);
  // Values entered by hand win over discovered ones (the form shows the discovered values, editable).
  const pick = <K extends keyof DiscoveredEndpoints>(k: K) => (o[k] as DiscoveredEndpoints[K] | undefined) ?? found[k];
  const required = ['issuer', 'jwksUri', 'authorizationEndpoint', 'tokenEndpoint'] as const;
  if (!o.discoveryUrl || Object.keys(found).length > 0) {
    for (const k of required) if (!pick(k)) errors.add(`oidc.${k}`, 'ERR_CXONE_VALIDATION', 'required (enter it, or use a discovery URL)');
  }
  let secret = o.clientSecret ?? existing?.clientSecret;
  if (o.clientSecret !== undefined && o.clientSecret !== o.clientSecretConfirm) {
    errors.add('oidc.clientSecretConfirm', 'ERR_CXONE_SECRET_MISMATCH', 'The client secret and its confirmation differ.');
  }
  const method = o.clientAuthMethod;
  if (method !== 'private_key_jwt' && !secret) errors.add('oidc.clientSecret', 'ERR_CXONE_VALIDATION', `required for ${method}`);
  if (method === 'private_key_jwt') secret = undefined;
  // FICAM (iGov OIDC §2.1 / FICAM OIDC profile): confidential clients authenticate with
  // private_key_jwt, and every request carries PKCE, nonce and acr_values.
  if (o.ficam && method !== 'private_key_jwt') errors.add('oidc.clientAuthMethod', 'ERR_CXONE_VALIDATION', 'The FICAM profile requires private_key_jwt.');
  if (o.ficam && o.acrValues.length === 0) errors.add('oidc.acrValues', 'ERR_CXONE_VALIDATION', 'The FICAM profile requires at least one acr value to request.');
  if (!o.scope.split(' ').includes('openid')) errors.add('oidc.scope', 'ERR_CXONE_VALIDATION', "must include 'openid'");
  return {
    discoveryUrl: o.discoveryUrl,
    issuer: pick('issuer') ?? '',
    jwksUri: pick('jwksUri') ?? '',
    authorizationEndpoint: pick('authorizationEndpoint') ?? '',
    tokenEndpoint: pick('tokenEndpoint') ?? '',
    userinfoEndpoint: pick('userinfoEndpoint'),
    revocationEndpoint: pick('revocationEndpoint'),
    endSessionEndpoint: pick('endSessionEndpoint'),
    clientId: o.clientId,
    clientSecret: secret,
    clientAuthMethod: method,
    useEncryption: o.useEncryption,
    ficam: o.ficam,
    scope: o.scope,
    acrValues: o.acrValues,
    // Keys are generated once and kept across edits, so what was registered at the IdP stays valid.
    signingKey: method === 'private_key_jwt' ? (existing?.signingKey ?? generateRsaKey('sig')) : existing?.signingKey,
    encryptionKey: o.useEncryption ? (existing?.encryptionKey ?? generateRsaKey('enc')) : existing?.encryptionKey,
  };
}
