import express, { type Request, type Response, type Router } from 'express';
import { IdpError } from '../shared/errors.js';
import type { IdsContext } from './context.js';
import { hex40 } from './tokens/token-format.js';
import { renderAdminPage } from './pages/admin-page.js';
import { requireAdmin } from './public-keys.js';
import { readIdpMetadata } from './saml/idp-trust.js';
import { updateTokenSettings } from './settings.js';

/**
 * `/idsadmin`: the admin page and its three forms, behind the IdS admin's Basic credentials. A
 * rejected change is shown on the page and changes nothing.
 */
export function idsAdminRouter(ctx: IdsContext): Router {
  const r = express.Router();
  r.use((req, res, next) => {
    requireAdmin(ctx, req, res);
    // Browsers resend Basic credentials on their own, so a page elsewhere could post these forms
    // (CSRF): a change must come from a page of this IdS (Origin, or Referer when Origin is absent).
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const from = req.get('origin') ?? (req.get('referer') ? URL.parse(req.get('referer')!)?.origin : undefined);
      if (from !== undefined && from !== new URL(ctx.urls.base).origin) {
        throw new IdpError('ERR_IDS_ADMIN_UNAUTHORIZED', 'The change comes from a page outside the Identity Service.', { status: 403, debug: `origin ${from}` });
      }
    }
    next();
  });
  const show = (res: Response, notice?: { ok: boolean; text: string }, status = 200) => {
    res.set('Cache-Control', 'no-store').status(status).type('html').send(renderAdminPage(ctx, notice));
  };
  const attempt = (res: Response, done: string, change: () => void) => {
    try {
      change();
      show(res, { ok: true, text: done });
    } catch (e) {
      if (!(e instanceof IdpError)) throw e;
      res.set('X-Idp-Harness-Error', e.code); // the lab's stable code on every error answer
      const issues = (e.details['issues'] as Array<{ path: string; message: string }> | undefined) ?? [];
      show(res, { ok: false, text: [e.message, ...issues.map((i) => `${i.path}: ${i.message}`)].join(' — ') }, 400);
    }
  };
  const field = (req: Request, name: string) => {
    const v = (req.body as Record<string, unknown> | undefined)?.[name];
    return typeof v === 'string' ? v : '';
  };

  r.get('/', (_req, res) => show(res));
  r.post('/settings', (req, res) =>
    attempt(res, 'Token settings saved.', () => {
      const n = (name: string) => (field(req, name).trim() === '' ? undefined : Number(field(req, name)));
      updateTokenSettings(ctx, {
        accessTokenMinutes: n('accessTokenMinutes'),
        refreshTokenHours: n('refreshTokenHours'),
        authorizationCodeMinutes: n('authorizationCodeMinutes'),
        encrypt: field(req, 'encrypt') === 'true',
      });
    }),
  );
  r.post('/clients', (req, res) =>
    attempt(res, 'Client added.', () => {
      const redirectUrls = field(req, 'redirectUrls').split(/\r?\n/).map((u) => u.trim()).filter((u) => u !== '');
      ctx.clients.add({ name: field(req, 'name').trim(), clientId: hex40(), redirectUrls });
    }),
  );
  r.post('/clients/delete', (req, res) => attempt(res, 'Client deleted.', () => void ctx.clients.remove(field(req, 'clientId'))));
  r.post('/idp-metadata', (req, res) =>
    attempt(res, 'IdP metadata uploaded.', () => {
      ctx.trust = readIdpMetadata(field(req, 'metadata'));
    }),
  );
  return r;
}
