import express, { type Request, type Response, type Router } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import { authenticateAdmin } from './admin-auth.js';
import {
  createAuthenticator,
  deleteAuthenticator,
  discoverEndpoints,
  findAuthenticator,
  setAuthenticatorActive,
  updateAuthenticator,
} from './authenticator-actions.js';
import { FieldErrors } from './field-errors.js';
import { presentAuthenticator, presentUser } from './present.js';
import { activateUser, createUser, deactivateUser, deleteUser, findUser, resetUserMfa, resetUserPassword, unlockUser, updateUser } from './user-actions.js';

/** The admin REST API's version prefix (mounted at `/api/v1`). */
export const ADMIN_API_PREFIX = '/api/v1';

/**
 * The tenant administration API (seed 002: Admin → Login Authenticators and Users), JSON under
 * one versioned prefix. Every change is validated in full before anything is stored (a rejected
 * change changes nothing), then committed to the state file when one is configured. The rules
 * live in authenticator-actions.ts and user-actions.ts, which the admin pages call too.
 */
export function adminApiRouter(ctx: CxoneContext): Router {
  const r = express.Router();
  // Credentials first: a caller without them learns nothing, not even that its JSON was malformed.
  r.use(async (req, _res, next) => {
    await authenticateAdmin(ctx, req);
    next();
  });
  r.use(express.json({ limit: '256kb' }));
  const id = (req: Request) => String(req.params['id']);
  const body = (req: Request) => (req.body ?? {}) as unknown;

  // ----- login authenticators
  r.get('/login-authenticators', (_req, res) => {
    res.json({ loginAuthenticators: [...ctx.store.authenticators.values()].map((a) => presentAuthenticator(ctx, a)) });
  });
  r.post('/login-authenticators', async (req, res) => {
    const a = await createAuthenticator(ctx, req.body);
    res.status(201).location(`${ctx.urls.api}/login-authenticators/${a.id}`).json(presentAuthenticator(ctx, a));
  });
  // "Discover settings" (seed 002 OIDC step 3.6): the endpoints a discovery URL gives, to fill the form.
  r.post('/login-authenticators/discover', async (req, res) => {
    const b = body(req);
    if (!b || typeof b !== 'object' || Array.isArray(b)) {
      const errors = new FieldErrors();
      errors.add('(body)', 'ERR_CXONE_VALIDATION', 'a JSON object { "discoveryUrl": … }');
      errors.throwIfAny();
    }
    const extra = Object.keys(b as object).filter((k) => k !== 'discoveryUrl');
    if (extra.length > 0) {
      const errors = new FieldErrors();
      for (const k of extra) errors.add(k, 'ERR_CXONE_VALIDATION', 'unknown field');
      errors.throwIfAny();
    }
    res.json(await discoverEndpoints(ctx, (b as Record<string, unknown>)['discoveryUrl'], 'discoveryUrl'));
  });
  r.get('/login-authenticators/:id', (req, res) => {
    res.json(presentAuthenticator(ctx, findAuthenticator(ctx, id(req))));
  });
  const update = (partial: boolean) => async (req: Request, res: Response) => {
    const a = await updateAuthenticator(ctx, findAuthenticator(ctx, id(req)), req.body, partial);
    res.json(presentAuthenticator(ctx, a));
  };
  r.put('/login-authenticators/:id', update(false));
  r.patch('/login-authenticators/:id', update(true));
  r.post('/login-authenticators/:id/activate', (req, res) => {
    res.json(presentAuthenticator(ctx, setAuthenticatorActive(ctx, findAuthenticator(ctx, id(req)), true)));
  });
  r.post('/login-authenticators/:id/deactivate', (req, res) => {
    res.json(presentAuthenticator(ctx, setAuthenticatorActive(ctx, findAuthenticator(ctx, id(req)), false)));
  });
  r.delete('/login-authenticators/:id', (req, res) => {
    deleteAuthenticator(ctx, findAuthenticator(ctx, id(req)));
    res.status(204).end();
  });

  // ----- users
  r.get('/users', (_req, res) => {
    res.json({ users: [...ctx.store.users.values()].map((u) => presentUser(ctx, u)) });
  });
  r.post('/users', (req, res) => {
    const u = createUser(ctx, req.body);
    res.status(201).location(`${ctx.urls.api}/users/${u.id}`).json(presentUser(ctx, u));
  });
  r.get('/users/:id', (req, res) => {
    res.json(presentUser(ctx, findUser(ctx, id(req))));
  });
  r.put('/users/:id', (req, res) => {
    res.json(presentUser(ctx, updateUser(ctx, findUser(ctx, id(req)), req.body, false)));
  });
  r.patch('/users/:id', (req, res) => {
    res.json(presentUser(ctx, updateUser(ctx, findUser(ctx, id(req)), req.body, true)));
  });
  r.delete('/users/:id', (req, res) => {
    deleteUser(ctx, findUser(ctx, id(req)));
    res.status(204).end();
  });
  r.post('/users/:id/activate', (req, res) => {
    res.json(presentUser(ctx, activateUser(ctx, findUser(ctx, id(req)), body(req))));
  });
  r.post('/users/:id/deactivate', (req, res) => {
    res.json(presentUser(ctx, deactivateUser(ctx, findUser(ctx, id(req)))));
  });
  r.post('/users/:id/unlock', (req, res) => {
    res.json(presentUser(ctx, unlockUser(ctx, findUser(ctx, id(req)))));
  });
  r.post('/users/:id/password', (req, res) => {
    res.json(presentUser(ctx, resetUserPassword(ctx, findUser(ctx, id(req)), body(req))));
  });
  r.post('/users/:id/mfa/reset', (req, res) => {
    res.json(presentUser(ctx, resetUserMfa(ctx, findUser(ctx, id(req)))));
  });

  r.use((_req, _res, next) => next(new IdpError('ERR_CXONE_NOT_FOUND', 'There is no such admin API resource.', { status: 404 })));
  return r;
}
