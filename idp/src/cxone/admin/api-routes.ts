import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import type { Authenticator, CxoneUser } from '../model.js';
import { newPasswordFailures, storePassword } from '../system/set-password.js';
import { buildAuthenticator } from './authenticator-input.js';
import { requireAdmin } from './admin-auth.js';
import { FieldErrors } from './field-errors.js';
import { presentAuthenticator, presentUser } from './present.js';
import { activationFailures, buildUser } from './user-input.js';

/** The admin REST API's version prefix (mounted at `/api/v1`). */
export const ADMIN_API_PREFIX = '/api/v1';

function notFound(what: string, id: string): IdpError {
  return new IdpError('ERR_CXONE_NOT_FOUND', `There is no ${what} '${id}'.`, { status: 404 });
}

/**
 * The tenant administration API (seed 002: Admin → Login Authenticators and Users), JSON under
 * one versioned prefix. Every change is validated in full before anything is stored (a rejected
 * change changes nothing), then committed to the state file when one is configured.
 */
export function adminApiRouter(ctx: CxoneContext): Router {
  const r = express.Router();
  r.use(express.json({ limit: '256kb' }));
  r.use((req, _res, next) => {
    requireAdmin(ctx, req);
    next();
  });
  const store = ctx.store;
  const authenticatorDeps = {
    now: ctx.clock.now(),
    nameTaken: (name: string, selfId: string | undefined) => {
      const a = store.authenticatorByName(name);
      return a !== undefined && a.id !== selfId;
    },
    discover: (url: string) => ctx.discover(url),
  };
  const deps = () => ({ ...authenticatorDeps, now: ctx.clock.now() });
  const authenticator = (req: Request): Authenticator => {
    const id = String(req.params['id']);
    const a = store.authenticators.get(id) ?? store.authenticatorByName(id);
    if (!a) throw notFound('login authenticator', id);
    return a;
  };
  const user = (req: Request): CxoneUser => {
    const id = String(req.params['id']);
    const u = store.users.get(id) ?? store.userByUsername(id);
    if (!u) throw notFound('user', id);
    return u;
  };
  const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;

  // ----- login authenticators
  r.get('/login-authenticators', (_req, res) => {
    res.json({ loginAuthenticators: [...store.authenticators.values()].map((a) => presentAuthenticator(ctx, a)) });
  });
  r.post('/login-authenticators', async (req, res) => {
    const a = await buildAuthenticator(req.body, deps());
    store.authenticators.set(a.id, a);
    store.commit();
    ctx.log.info({ svc: 'cxone', event: 'admin.authenticator.created', id: a.id, type: a.type }, 'login authenticator created');
    res.status(201).location(`${ctx.urls.api}/login-authenticators/${a.id}`).json(presentAuthenticator(ctx, a));
  });
  // "Discover settings" (seed 002 OIDC step 3.6): the endpoints a discovery URL gives, to fill the form.
  r.post('/login-authenticators/discover', async (req, res) => {
    const parsed = z.strictObject({ discoveryUrl: z.url({ protocol: /^https?$/ }) }).safeParse(req.body);
    if (!parsed.success) {
      const errors = new FieldErrors();
      errors.addZod(parsed.error);
      errors.throwIfAny();
    }
    try {
      res.json(await ctx.discover(parsed.data!.discoveryUrl));
    } catch (e) {
      throw new IdpError('ERR_CXONE_DISCOVERY_FAILED', (e as Error).message, { status: 400, details: { fieldErrors: [{ field: 'discoveryUrl', code: 'ERR_CXONE_DISCOVERY_FAILED', message: (e as Error).message }] } });
    }
  });
  r.get('/login-authenticators/:id', (req, res) => {
    res.json(presentAuthenticator(ctx, authenticator(req)));
  });
  const update = (partial: boolean) => async (req: Request, res: express.Response) => {
    const existing = authenticator(req);
    const input = partial ? { ...editableInput(existing), ...body(req), ...mergeSection(existing, body(req)) } : req.body;
    const a = await buildAuthenticator(input, deps(), existing);
    store.authenticators.set(a.id, a);
    store.commit();
    res.json(presentAuthenticator(ctx, a));
  };
  r.put('/login-authenticators/:id', update(false));
  r.patch('/login-authenticators/:id', update(true));
  const setActive = (active: boolean) => (req: Request, res: express.Response) => {
    const a = authenticator(req);
    if (!active && a.isDefault) throw new IdpError('ERR_CXONE_VALIDATION', 'The default login authenticator cannot be deactivated.', { status: 409 });
    a.active = active;
    a.updatedAt = new Date(ctx.clock.now()).toISOString();
    store.commit();
    res.json(presentAuthenticator(ctx, a));
  };
  r.post('/login-authenticators/:id/activate', setActive(true));
  r.post('/login-authenticators/:id/deactivate', setActive(false));
  r.delete('/login-authenticators/:id', (req, res) => {
    const a = authenticator(req);
    if (a.isDefault) throw new IdpError('ERR_CXONE_AUTHENTICATOR_IN_USE', 'The default login authenticator cannot be deleted.', { status: 409 });
    const users = store.usersOf(a.id);
    if (users.length > 0) {
      throw new IdpError('ERR_CXONE_AUTHENTICATOR_IN_USE', `${users.length} user(s) still use this login authenticator; assign them another first.`, { status: 409 });
    }
    store.authenticators.delete(a.id);
    store.commit();
    res.status(204).end();
  });

  // ----- users
  r.get('/users', (_req, res) => {
    res.json({ users: [...store.users.values()].map((u) => presentUser(ctx, u)) });
  });
  r.post('/users', (req, res) => {
    const u = buildUser(ctx, req.body, undefined, false);
    store.users.set(u.id, u);
    store.commit();
    res.status(201).location(`${ctx.urls.api}/users/${u.id}`).json(presentUser(ctx, u));
  });
  r.get('/users/:id', (req, res) => {
    res.json(presentUser(ctx, user(req)));
  });
  const updateUser = (partial: boolean) => (req: Request, res: express.Response) => {
    const existing = user(req);
    const u = buildUser(ctx, req.body, existing, partial);
    store.users.set(u.id, u);
    if (!u.active) endUserSessions(ctx, u);
    store.commit();
    res.json(presentUser(ctx, u));
  };
  r.put('/users/:id', updateUser(false));
  r.patch('/users/:id', updateUser(true));
  r.delete('/users/:id', (req, res) => {
    const u = user(req);
    store.users.delete(u.id);
    endUserSessions(ctx, u);
    store.commit();
    res.status(204).end();
  });
  r.post('/users/:id/activate', (req, res) => {
    const u = user(req);
    const password = z.strictObject({ password: z.string().min(1).max(256).optional() }).safeParse(body(req));
    const errors = new FieldErrors();
    if (!password.success) errors.addZod(password.error);
    errors.throwIfAny();
    const a = store.authenticators.get(u.loginAuthenticatorId)!;
    const newPassword = password.data!.password;
    if (newPassword !== undefined) {
      if (a.type !== 'System') errors.add('password', 'ERR_CXONE_VALIDATION', `Users of a ${a.type} authenticator have no CXone password.`);
      else for (const f of newPasswordFailures(ctx, u, a.system!.password, newPassword)) errors.add('password', f.code, f.message);
    }
    activationFailures(ctx, u, a.type, newPassword, errors);
    errors.throwIfAny('The user cannot be activated.');
    if (newPassword !== undefined) storePassword(ctx, u, newPassword, { mustChange: false });
    u.active = true;
    u.updatedAt = new Date(ctx.clock.now()).toISOString();
    store.commit();
    res.json(presentUser(ctx, u));
  });
  r.post('/users/:id/deactivate', (req, res) => {
    const u = user(req);
    u.active = false;
    u.updatedAt = new Date(ctx.clock.now()).toISOString();
    endUserSessions(ctx, u);
    store.commit();
    res.json(presentUser(ctx, u));
  });
  r.post('/users/:id/unlock', (req, res) => {
    const u = user(req);
    u.failedLogins = 0;
    u.lockedUntil = undefined;
    store.commit();
    ctx.log.info({ svc: 'cxone', event: 'admin.user.unlocked', userId: u.id }, 'user unlocked');
    res.json(presentUser(ctx, u));
  });
  // An admin's password reset (seed 002 step 7: the check runs "when a user resets a password").
  r.post('/users/:id/password', (req, res) => {
    const u = user(req);
    const parsed = z.strictObject({ password: z.string().min(1).max(256), mustChangePassword: z.boolean().default(true) }).safeParse(body(req));
    const errors = new FieldErrors();
    if (!parsed.success) {
      errors.addZod(parsed.error);
      errors.throwIfAny();
    }
    const a = store.authenticators.get(u.loginAuthenticatorId)!;
    if (a.type !== 'System') errors.add('password', 'ERR_CXONE_VALIDATION', `Users of a ${a.type} authenticator have no CXone password.`);
    else for (const f of newPasswordFailures(ctx, u, a.system!.password, parsed.data!.password)) errors.add('password', f.code, f.message);
    errors.throwIfAny('The password does not meet the rules.');
    storePassword(ctx, u, parsed.data!.password, { mustChange: parsed.data!.mustChangePassword });
    u.failedLogins = 0;
    u.lockedUntil = undefined;
    store.commit();
    res.json(presentUser(ctx, u));
  });
  r.post('/users/:id/mfa/reset', (req, res) => {
    const u = user(req);
    u.mfa = undefined;
    store.commit();
    res.json(presentUser(ctx, u));
  });

  r.use((_req, _res, next) => next(new IdpError('ERR_CXONE_NOT_FOUND', 'There is no such admin API resource.', { status: 404 })));
  return r;
}

function endUserSessions(ctx: CxoneContext, u: CxoneUser): void {
  ctx.sessions.endUser(u.id);
  ctx.op.revokeWhere((t) => t.userId === u.id);
}

/** The editable input of an existing authenticator, so a PATCH can send only what changes. */
function editableInput(a: Authenticator): Record<string, unknown> {
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
      if (k === 'system' && (p as Record<string, unknown>)['password'] && typeof (p as Record<string, unknown>)['password'] === 'object') {
        (out[k] as Record<string, unknown>)['password'] = { ...a.system!.password, ...((p as Record<string, unknown>)['password'] as object) };
      }
    }
  }
  return out;
}
