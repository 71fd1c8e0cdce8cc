import express, { type Router } from 'express';
import { z } from 'zod';
import type { LabState } from '../lab.js';
import { readIdpMetadata } from '../ids/saml/idp-trust.js';
import { updateTokenSettings } from '../ids/settings.js';
import { IdpError } from '../shared/errors.js';

const RevokeCommand = z.union([z.strictObject({ token: z.string().min(1) }), z.strictObject({ user: z.string().min(1) })]);

/**
 * The control API's Cisco IdS part (`/api/ids/...`): token settings (Cisco's ranges), clients
 * (same fields as fixtures/ids/clients.json), the trusted IdP's metadata, and the tokens issued
 * (list, revoke one or all of a user's).
 */
export function controlIds(state: LabState): Router {
  const r = express.Router();
  const ids = () => {
    if (!state.ids) throw new IdpError('ERR_CONTROL_NOT_FOUND', 'the ids service is not running', { status: 404 });
    return state.ids;
  };

  r.get('/settings', (_req, res) => {
    res.json(ids().settings);
  });
  r.patch('/settings', (req, res) => {
    res.json(updateTokenSettings(ids(), req.body));
  });

  r.get('/clients', (_req, res) => {
    res.json(ids().clients.list());
  });
  r.post('/clients', (req, res) => {
    res.status(201).json(ids().clients.add(req.body));
  });
  r.get('/clients/:clientId', (req, res) => {
    res.json(ids().clients.require(req.params['clientId']!));
  });
  r.put('/clients/:clientId', (req, res) => {
    res.json(ids().clients.replace(req.params['clientId']!, req.body));
  });
  r.delete('/clients/:clientId', (req, res) => {
    res.json(ids().clients.remove(req.params['clientId']!));
  });

  r.get('/idp-metadata', (_req, res) => {
    const t = ids().trust;
    res.json({ source: t.source, entityId: t.entityId, ssoUrl: t.ssoUrl, signingCertificates: t.signingCerts.map((c) => c.fingerprint256) });
  });
  // The IdS Trust tab's upload: the IdP's metadata XML as the body.
  r.put('/idp-metadata', express.text({ type: () => true, limit: '512kb' }), (req, res) => {
    const ctx = ids();
    if (typeof req.body !== 'string' || req.body.trim() === '') throw new IdpError('ERR_CONTROL_INVALID', 'send the IdP metadata XML as the request body');
    try {
      ctx.trust = readIdpMetadata(req.body);
    } catch (e) {
      if (e instanceof IdpError) throw new IdpError('ERR_CONTROL_INVALID', e.message, { details: { reason: e.code } });
      throw e;
    }
    res.json({ source: ctx.trust.source, entityId: ctx.trust.entityId, ssoUrl: ctx.trust.ssoUrl });
  });

  r.get('/tokens', (_req, res) => {
    const now = ids().clock.now();
    res.json(
      ids()
        .tokens.list()
        .map((t) => ({
          kind: t.kind,
          id: t.id,
          userId: t.userId,
          clientId: t.clientId,
          issuedAt: new Date(t.issuedAt).toISOString(),
          expiresAt: new Date(t.expiresAt).toISOString(),
          status: t.revoked ? 'revoked' : now >= t.expiresAt ? 'expired' : 'valid',
        })),
    );
  });
  r.post('/tokens/revoke', (req, res) => {
    const parsed = RevokeCommand.safeParse(req.body);
    if (!parsed.success) throw new IdpError('ERR_CONTROL_INVALID', 'send {"token": "..."} or {"user": "..."}');
    const c = parsed.data;
    res.json('token' in c ? { revoked: ids().tokens.revoke(c.token) ? 1 : 0 } : { revoked: ids().tokens.revokeUser(c.user) });
  });
  return r;
}
