import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import type { LabState } from '../lab.js';
import { findClient } from '../oidc/clients/client-store.js';
import { OIDC_SIGNING_ALGS, type SigningKey } from '../oidc/keys/signing-keys.js';
import { IdpError } from '../shared/errors.js';

const RotateCommand = z.strictObject({
  /** The algorithm of the new active key (default RS256, what most clients verify). */
  alg: z.enum(OIDC_SIGNING_ALGS).default('RS256'),
});

/**
 * The control API's OpenID Provider part (`/api/oidc/...`): the issuers and their signing keys
 * (rotation: a new active key, the old ones still published until removed), and the clients of
 * every issuer with the same fields as `fixtures/oidc/clients.json`.
 */
export function controlOidc(state: LabState): Router {
  const r = express.Router();
  const oidc = () => {
    if (!state.oidc) throw new IdpError('ERR_CONTROL_NOT_FOUND', 'the oidc service is not running', { status: 404 });
    return state.oidc;
  };
  const requireClient = (req: Request) => {
    const id = String(req.params['clientId']);
    const c = findClient(state.oidcClients, id);
    if (!c) throw new IdpError('ERR_CONTROL_NOT_FOUND', `oidc client '${id}' not found`, { status: 404 });
    return c;
  };

  r.get('/issuers', (_req, res) => {
    res.json(
      [...oidc().issuers.values()].map((rt) => ({
        id: rt.config.id,
        path: rt.config.path,
        profile: rt.config.profile,
        issuer: rt.issuer,
        discovery: `${rt.issuer}/.well-known/openid-configuration`,
        keys: rt.keys.map(keyView),
      })),
    );
  });
  r.get('/issuers/:id/keys', (req, res) => {
    const rt = oidc().issuers.get(req.params['id']!);
    if (!rt) throw new IdpError('ERR_CONTROL_NOT_FOUND', `issuer '${req.params['id']}' not found`, { status: 404 });
    res.json(rt.keys.map(keyView));
  });
  r.post('/issuers/:id/keys', (req, res) => {
    const parsed = RotateCommand.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
      throw new IdpError('ERR_CONTROL_INVALID', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { details: { issues } });
    }
    res.status(201).json(keyView(oidc().rotateKey(req.params['id']!, parsed.data.alg)));
  });
  r.delete('/issuers/:id/keys/:kid', (req, res) => {
    res.json(keyView(oidc().removeKey(req.params['id']!, req.params['kid']!)));
  });

  r.get('/clients', (_req, res) => {
    res.json(state.oidcClients.list());
  });
  r.post('/clients', (req, res) => {
    const c = state.oidcClients.add(req.body);
    state.oidc?.sync();
    res.status(201).json(c);
  });
  r.get('/clients/:clientId', (req, res) => {
    res.json(requireClient(req));
  });
  r.put('/clients/:clientId', (req, res) => {
    const c = state.oidcClients.replace(requireClient(req).client_id, req.body);
    state.oidc?.sync();
    res.json(c);
  });
  r.patch('/clients/:clientId', (req, res) => {
    const current = requireClient(req);
    if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
      throw new IdpError('ERR_CONTROL_INVALID', 'the body must be a JSON object');
    }
    const c = state.oidcClients.replace(current.client_id, { ...current, ...(req.body as Record<string, unknown>) });
    state.oidc?.sync();
    res.json(c);
  });
  r.delete('/clients/:clientId', (req, res) => {
    res.json(state.oidcClients.remove(requireClient(req).client_id));
  });
  return r;
}

/** A key as the control API shows it: the public JWK and where it came from. */
function keyView(k: SigningKey) {
  return { kid: k.kid, alg: k.alg, source: k.source, createdAt: k.createdAt, publicJwk: k.publicJwk };
}
