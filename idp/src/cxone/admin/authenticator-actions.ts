import { z } from 'zod';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import type { Authenticator } from '../model.js';
import { buildAuthenticator, type AuthenticatorBuildDeps, type DiscoveredEndpoints } from './authenticator-input.js';
import { FieldErrors } from './field-errors.js';

/**
 * What an admin can do to a login authenticator, shared by the REST API (api-routes.ts) and the
 * admin pages (pages-router.ts): one validation, one set of rules, one place that commits. Each
 * function checks everything first and changes the store only when every check passed.
 */

export function authenticatorDeps(ctx: CxoneContext): AuthenticatorBuildDeps {
  return {
    now: ctx.clock.now(),
    nameTaken: (name, selfId) => {
      const a = ctx.store.authenticatorByName(name);
      return a !== undefined && a.id !== selfId;
    },
    discover: (url) => ctx.discover(url),
  };
}

/** By id, or by name (case-insensitive) for API callers that know only the name. */
export function findAuthenticator(ctx: CxoneContext, idOrName: string): Authenticator {
  const a = ctx.store.authenticators.get(idOrName) ?? ctx.store.authenticatorByName(idOrName);
  if (!a) throw new IdpError('ERR_CXONE_NOT_FOUND', `There is no login authenticator '${idOrName}'.`, { status: 404 });
  return a;
}

export async function createAuthenticator(ctx: CxoneContext, body: unknown): Promise<Authenticator> {
  const a = await buildAuthenticator(body, authenticatorDeps(ctx));
  ctx.store.authenticators.set(a.id, a);
  ctx.store.commit();
  ctx.log.info({ svc: 'cxone', event: 'admin.authenticator.created', id: a.id, type: a.type }, 'login authenticator created');
  return a;
}

/** A full replacement (`partial` false, PUT and the edit page) or a merge of the given fields (PATCH). */
export async function updateAuthenticator(ctx: CxoneContext, existing: Authenticator, body: unknown, partial: boolean): Promise<Authenticator> {
  const patch = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const input = partial && patch ? { ...editableInput(existing), ...patch, ...mergeSection(existing, patch) } : body;
  const a = await buildAuthenticator(input, authenticatorDeps(ctx), existing);
  ctx.store.authenticators.set(a.id, a);
  ctx.store.commit();
  ctx.log.info({ svc: 'cxone', event: 'admin.authenticator.updated', id: a.id }, 'login authenticator updated');
  return a;
}

export function setAuthenticatorActive(ctx: CxoneContext, a: Authenticator, active: boolean): Authenticator {
  if (!active && a.isDefault) throw new IdpError('ERR_CXONE_VALIDATION', 'The default login authenticator cannot be deactivated.', { status: 409 });
  a.active = active;
  a.updatedAt = new Date(ctx.clock.now()).toISOString();
  ctx.store.commit();
  return a;
}

/** The default cannot go, nor one that users still sign in with (they would be left without a way in). */
export function deleteAuthenticator(ctx: CxoneContext, a: Authenticator): void {
  if (a.isDefault) throw new IdpError('ERR_CXONE_AUTHENTICATOR_IN_USE', 'The default login authenticator cannot be deleted.', { status: 409 });
  const users = ctx.store.usersOf(a.id);
  if (users.length > 0) {
    throw new IdpError('ERR_CXONE_AUTHENTICATOR_IN_USE', `${users.length} user(s) still use this login authenticator; assign them another first.`, { status: 409 });
  }
  ctx.store.authenticators.delete(a.id);
  ctx.store.commit();
  ctx.log.info({ svc: 'cxone', event: 'admin.authenticator.deleted', id: a.id }, 'login authenticator deleted');
}

/**
 * "Discover settings" (seed 002 OIDC step 3.6): the endpoints a discovery URL gives, to fill the
 * form. `field` names the URL's field in the answer's fieldErrors (`discoveryUrl` in the API,
 * `oidc.discoveryUrl` on the page).
 */
export async function discoverEndpoints(ctx: CxoneContext, url: unknown, field: string): Promise<DiscoveredEndpoints> {
  const parsed = z.url({ protocol: /^https?$/, message: 'an absolute http(s) URL' }).safeParse(url);
  if (!parsed.success) {
    const errors = new FieldErrors();
    errors.add(field, 'ERR_CXONE_VALIDATION', parsed.error.issues[0]?.message ?? 'an absolute http(s) URL');
    errors.throwIfAny();
  }
  try {
    return await ctx.discover(parsed.data!);
  } catch (e) {
    const message = (e as Error).message;
    throw new IdpError('ERR_CXONE_DISCOVERY_FAILED', message, { status: 400, details: { fieldErrors: [{ field, code: 'ERR_CXONE_DISCOVERY_FAILED', message }] } });
  }
}

/** The editable input of an existing authenticator, so a PATCH can send only what changes. */
export function editableInput(a: Authenticator): Record<string, unknown> {
  return {
    name: a.name,
    description: a.description,
    type: a.type,
    active: a.active,
    ...(a.system && { system: { password: a.system.password, mfa: a.system.mfa } }),
    ...(a.saml && { saml: { ...a.saml } }),
    ...(a.oidc && { oidc: oidcInput(a) }),
  };
}

function oidcInput(a: Authenticator): Record<string, unknown> {
  const o = a.oidc!;
  const out: Record<string, unknown> = {
    issuer: o.issuer,
    jwksUri: o.jwksUri,
    authorizationEndpoint: o.authorizationEndpoint,
    tokenEndpoint: o.tokenEndpoint,
    clientId: o.clientId,
    clientAuthMethod: o.clientAuthMethod,
    useEncryption: o.useEncryption,
    ficam: o.ficam,
    scope: o.scope,
    acrValues: o.acrValues,
  };
  for (const k of ['userinfoEndpoint', 'revocationEndpoint', 'endSessionEndpoint'] as const) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** A PATCH's section (system / saml / oidc) is merged into the existing one, not replacing it. */
function mergeSection(a: Authenticator, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const current = editableInput(a);
  for (const k of ['system', 'saml', 'oidc'] as const) {
    const p = patch[k];
    if (p && typeof p === 'object' && !Array.isArray(p) && current[k] && typeof current[k] === 'object') {
      out[k] = { ...(current[k] as object), ...(p as object) };
      const policy = (p as Record<string, unknown>)['password'];
      if (k === 'system' && policy && typeof policy === 'object' && !Array.isArray(policy)) {
        (out[k] as Record<string, unknown>)['password'] = { ...a.system!.password, ...policy };
      }
    }
  }
  return out;
}
