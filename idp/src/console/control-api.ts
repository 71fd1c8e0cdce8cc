import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { relyingPartyView } from '../adfs/relying-parties.js';
import { controlDashboard } from './control-dashboard.js';
import { controlFinesse } from './control-finesse.js';
import { controlIds } from './control-ids.js';
import { controlOidc } from './control-oidc.js';
import { controlPeers } from './control-peers.js';
import type { LabState } from '../lab.js';
import { IdpError } from '../shared/errors.js';

const ClockCommand = z.strictObject({
  /** Move lab time by this many milliseconds (negative goes back). */
  advanceMs: z.number().int().optional(),
  /** Stop time: `true` at the current lab time, or an ISO instant. */
  freeze: z.union([z.literal(true), z.iso.datetime({ offset: true })]).optional(),
  unfreeze: z.literal(true).optional(),
  reset: z.literal(true).optional(),
});

/**
 * The control API (console port, JSON): reset the lab, manage users and relying parties with the
 * same fields as the fixture files, queue faults, move the clock. Errors are
 * `{ "error": { "code", "message", "details" } }` with a 4xx status.
 */
export function controlApi(state: LabState): Router {
  const r = express.Router();
  r.use(express.json({ limit: '1mb' }));
  // With peer consoles (docker compose), their routes come first: routed, broadcast or merged.
  if (state.config.console.peers.length > 0) r.use(controlPeers(state));

  r.get('/services', (_req, res) => {
    res.json({ services: Object.entries(state.urls).map(([name, url]) => ({ name, url })) });
  });
  r.get('/config', (_req, res) => {
    res.json(state.config);
  });
  r.post('/reset', (_req, res) => {
    state.reset();
    res.json({ reset: true });
  });

  r.get('/users', (_req, res) => {
    res.json(state.users.list());
  });
  // User writes can bring new `oidcClaims` names: the OpenID Providers must release them.
  r.post('/users', (req, res) => {
    const u = state.users.add(req.body);
    state.oidc?.sync();
    res.status(201).json(u);
  });
  r.get('/users/:username', (req, res) => {
    res.json(state.users.require(req.params['username']!));
  });
  r.put('/users/:username', (req, res) => {
    const u = state.users.replace(req.params['username']!, req.body);
    state.oidc?.sync();
    res.json(u);
  });
  r.patch('/users/:username', (req, res) => {
    const current = state.users.require(req.params['username']!);
    const u = state.users.replace(current.username, { ...current, ...objectBody(req) });
    state.oidc?.sync();
    res.json(u);
  });
  r.delete('/users/:username', (req, res) => {
    res.json(state.users.remove(req.params['username']!));
  });

  r.get('/relying-parties', (_req, res) => {
    res.json(state.relyingParties.list().map(relyingPartyView));
  });
  r.post('/relying-parties', (req, res) => {
    res.status(201).json(relyingPartyView(state.relyingParties.add(req.body)));
  });
  r.get('/relying-parties/:name', (req, res) => {
    res.json(relyingPartyView(state.relyingParties.require(req.params['name']!)));
  });
  r.put('/relying-parties/:name', (req, res) => {
    res.json(relyingPartyView(state.relyingParties.replace(req.params['name']!, req.body)));
  });
  r.patch('/relying-parties/:name', (req, res) => {
    const current = relyingPartyView(state.relyingParties.require(req.params['name']!));
    res.json(relyingPartyView(state.relyingParties.replace(current.name, { ...current, ...objectBody(req) })));
  });
  r.delete('/relying-parties/:name', (req, res) => {
    res.json(relyingPartyView(state.relyingParties.remove(req.params['name']!)));
  });

  r.get('/faults', (_req, res) => {
    res.json(state.faults.list());
  });
  r.post('/faults', (req, res) => {
    res.status(201).json(state.faults.enqueue(req.body));
  });
  r.delete('/faults', (_req, res) => {
    state.faults.clear();
    res.json({ cleared: true });
  });

  r.use('/oidc', controlOidc(state));
  r.use('/ids', controlIds(state));
  r.use('/finesse', controlFinesse(state));
  r.use(controlDashboard(state));

  r.get('/clock', (_req, res) => {
    res.json(state.clock.state());
  });
  r.post('/clock', (req, res) => {
    const parsed = ClockCommand.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error);
    const c = parsed.data;
    if (c.reset) state.clock.reset();
    if (c.unfreeze) state.clock.unfreeze();
    if (c.freeze !== undefined) state.clock.freeze(c.freeze === true ? undefined : Date.parse(c.freeze));
    if (c.advanceMs !== undefined) state.clock.advance(c.advanceMs);
    res.json(state.clock.state());
  });

  r.use((req, _res, next) => next(new IdpError('ERR_HTTP_NOT_FOUND', `no control API at ${req.method} ${req.path}`, { status: 404 })));
  r.use(jsonErrorHandler(state));
  return r;
}

function objectBody(req: Request): Record<string, unknown> {
  if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
    throw new IdpError('ERR_CONTROL_INVALID', 'the body must be a JSON object');
  }
  return req.body as Record<string, unknown>;
}

function invalid(error: z.ZodError): IdpError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  return new IdpError('ERR_CONTROL_INVALID', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { details: { issues } });
}

/** The control API's one error handler: JSON errors, never an HTML page or a bare 500. */
export function jsonErrorHandler(state: LabState) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    let e: IdpError;
    if (err instanceof IdpError) e = err;
    else if (typeof (err as { status?: unknown })?.status === 'number' && (err as { status: number }).status < 500) {
      const status = (err as { status: number }).status;
      e = new IdpError(status === 413 ? 'ERR_HTTP_BODY_TOO_LARGE' : 'ERR_HTTP_BAD_REQUEST', (err as Error).message, { status });
    } else {
      state.log.error({ svc: 'console', err }, 'unexpected error');
      e = new IdpError('ERR_INTERNAL', 'internal error', { status: 500 });
    }
    res.status(e.status).json({ error: { code: e.code, message: e.message, details: e.details } });
  };
}
