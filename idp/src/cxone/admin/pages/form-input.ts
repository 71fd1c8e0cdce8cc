import type { Authenticator, CxoneUser } from '../../model.js';
import { DEFAULT_PASSWORD_POLICY } from '../authenticator-input.js';

/**
 * The admin pages post plain HTML forms (application/x-www-form-urlencoded), named by the admin
 * API's dotted field paths (`saml.endpointUrl`, `system.password.minLength`), so that a field error
 * of the API lands next to the input of the same name. These functions turn a form into the very
 * JSON body the API takes (and an existing record back into form values): the pages then call
 * the API's builders, and there is one validation, not two.
 */
export type FormValues = Record<string, string>;

/** The posted fields as strings; repeated or non-string values (a hand-made request) are dropped, not trusted. */
export function formValues(body: unknown): FormValues {
  const out: FormValues = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

export const POLICY_FIELDS = ['minLength', 'maxLength', 'minLower', 'minUpper', 'minDigits', 'minSpecial', 'expiryDays', 'history', 'lockoutAttempts', 'lockoutMinutes'] as const;
export const OIDC_ENDPOINT_FIELDS = ['issuer', 'jwksUri', 'authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint', 'revocationEndpoint', 'endSessionEndpoint'] as const;

const checked = (f: FormValues, name: string) => f[name] === 'true' || f[name] === 'on';

/** A text field: trimmed; empty means "not given" (the API's default or the existing value applies). */
function text(f: FormValues, name: string): string | undefined {
  const v = (f[name] ?? '').trim();
  return v === '' ? undefined : v;
}

/** A number field: an integer becomes a number; anything else goes through as text so that the API's schema names the field. */
function integer(f: FormValues, name: string): number | string | undefined {
  const v = text(f, name);
  if (v === undefined) return undefined;
  return /^-?\d{1,9}$/.test(v) ? Number(v) : v;
}

function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/**
 * The API body of an authenticator form. Only the section of the chosen type is sent (the page
 * shows all three when scripts are off). On an edit, an empty certificate or client secret keeps
 * the stored one, as the API's PATCH does.
 */
export function authenticatorBody(f: FormValues, existing: Authenticator | undefined): Record<string, unknown> {
  const type = existing?.type ?? f['type'] ?? '';
  const body: Record<string, unknown> = {
    name: f['name'] ?? '',
    description: f['description'] ?? '',
    type,
    active: existing ? existing.active : true, // "Save & Activate" (seed 002); an edit keeps the status
  };
  if (type === 'System') {
    const password: Record<string, unknown> = {};
    for (const k of POLICY_FIELDS) password[k] = integer(f, `system.password.${k}`);
    body['system'] = { password: defined(password), mfa: { required: checked(f, 'system.mfa.required'), type: f['system.mfa.type'] || 'TOTP' } };
  } else if (type === 'SAML') {
    const certificate = (f['saml.certificate'] ?? '').trim() === '' ? existing?.saml?.certificate : f['saml.certificate'];
    body['saml'] = { endpointUrl: f['saml.endpointUrl']?.trim() ?? '', certificate: certificate ?? '', ficam: checked(f, 'saml.ficam') };
  } else if (type === 'OIDC') {
    const o: Record<string, unknown> = { discoveryUrl: text(f, 'oidc.discoveryUrl') };
    for (const k of OIDC_ENDPOINT_FIELDS) o[k] = text(f, `oidc.${k}`);
    o['clientId'] = f['oidc.clientId']?.trim() ?? '';
    const secret = f['oidc.clientSecret'] ?? '';
    if (secret !== '') {
      o['clientSecret'] = secret;
      o['clientSecretConfirm'] = f['oidc.clientSecretConfirm'] ?? '';
    }
    o['clientAuthMethod'] = f['oidc.clientAuthMethod'] || undefined;
    o['useEncryption'] = checked(f, 'oidc.useEncryption');
    o['ficam'] = checked(f, 'oidc.ficam');
    o['scope'] = text(f, 'oidc.scope');
    const acr = (f['oidc.acrValues'] ?? '').split(/\s+/).filter((v) => v !== '');
    o['acrValues'] = acr;
    body['oidc'] = defined(o);
  }
  return body;
}

/** The form values of a stored authenticator (the edit page), or of a new one of `type`. */
export function authenticatorFormValues(a: Authenticator | undefined, type = 'System'): FormValues {
  const f: FormValues = { name: a?.name ?? '', description: a?.description ?? '', type: a?.type ?? type };
  const policy = a?.system?.password ?? DEFAULT_PASSWORD_POLICY;
  for (const k of POLICY_FIELDS) f[`system.password.${k}`] = String(policy[k]);
  f['system.mfa.type'] = a?.system?.mfa.type ?? 'TOTP';
  if (a?.system?.mfa.required) f['system.mfa.required'] = 'true';
  f['saml.endpointUrl'] = a?.saml?.endpointUrl ?? '';
  if (a?.saml?.ficam) f['saml.ficam'] = 'true';
  const o = a?.oidc;
  f['oidc.discoveryUrl'] = o?.discoveryUrl ?? '';
  for (const k of OIDC_ENDPOINT_FIELDS) f[`oidc.${k}`] = o?.[k] ?? '';
  f['oidc.clientId'] = o?.clientId ?? '';
  f['oidc.clientAuthMethod'] = o?.clientAuthMethod ?? 'client_secret_basic';
  if (o?.useEncryption) f['oidc.useEncryption'] = 'true';
  if (o?.ficam) f['oidc.ficam'] = 'true';
  f['oidc.scope'] = o?.scope ?? 'openid email profile';
  f['oidc.acrValues'] = (o?.acrValues ?? []).join(' ');
  return f;
}

/**
 * The API body of a user form: the whole user (a full replacement, like PUT). An empty external
 * identity clears it; an empty password leaves the stored one alone.
 */
export function userBody(f: FormValues, existing: CxoneUser | undefined): Record<string, unknown> {
  return defined({
    username: f['username'] ?? '',
    email: (f['email'] ?? '').trim(),
    firstName: f['firstName'] ?? '',
    lastName: f['lastName'] ?? '',
    role: text(f, 'role'),
    loginAuthenticatorId: text(f, 'loginAuthenticatorId'),
    externalIdentity: text(f, 'externalIdentity') ?? (existing ? null : undefined),
    password: (f['password'] ?? '') === '' ? undefined : f['password'],
    active: checked(f, 'active'),
  });
}

export function userFormValues(u: CxoneUser | undefined, defaultAuthenticatorId: string | undefined): FormValues {
  const f: FormValues = {
    username: u?.username ?? '',
    email: u?.email ?? '',
    firstName: u?.firstName ?? '',
    lastName: u?.lastName ?? '',
    role: u?.role ?? 'Agent',
    loginAuthenticatorId: u?.loginAuthenticatorId ?? defaultAuthenticatorId ?? '',
    externalIdentity: u?.externalIdentity ?? '',
  };
  if (u?.active) f['active'] = 'true';
  return f;
}
