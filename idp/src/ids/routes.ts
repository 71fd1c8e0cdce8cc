import express, { type Router } from 'express';
import { IdpError } from '../shared/errors.js';
import { idsAdminRouter } from './admin-routes.js';
import type { IdsContext } from './context.js';
import { idsErrorHandler } from './error-handler.js';
import { handleAuthorize } from './oauth/authorize.js';
import { handleRevoke, handleToken } from './oauth/token-endpoint.js';
import { handlePublicKey } from './public-keys.js';
import { handleAcs, handleRelay } from './saml/acs.js';
import { buildSpMetadata } from './saml/sp-metadata.js';

/**
 * The Cisco IdS HTTP surface (reference A.1.5–A.1.7). Paths marked NOT FOUND in the reference
 * (token, revoke, metadata download) are chosen in one place here and in docs/cisco.md.
 */
export function idsRouter(ctx: IdsContext): Router {
  const r = express.Router({ caseSensitive: true, strict: false });
  r.use(express.urlencoded({ extended: false, limit: '512kb', parameterLimit: 50 }));

  r.get('/ids/v1/oauth/authorize', (req, res) => handleAuthorize(ctx, req, res));
  r.post('/ids/saml/response', (req, res) => handleAcs(ctx, req, res));
  r.post('/ids/relay', (req, res) => handleRelay(ctx, req, res));
  r.post('/ids/v1/oauth/token', (req, res) => handleToken(ctx, req, res));
  r.post('/ids/v1/oauth/revoke', (req, res) => handleRevoke(ctx, req, res));
  r.get('/ids/v1/keys/token/public', (req, res) => handlePublicKey(ctx, req, res, 'public'));
  r.get('/ids/v1/keys/token/public/csr', (req, res) => handlePublicKey(ctx, req, res, 'csr'));
  r.get('/ids/v1/keys/token/public/x509', (req, res) => handlePublicKey(ctx, req, res, 'x509'));
  r.get('/ids/saml/metadata', (req, res) => {
    const xml = buildSpMetadata({ entityId: ctx.entityId, acsUrls: [ctx.urls.acs, ctx.urls.acsMetaAlias], signingCertBase64: ctx.pki.systems.ids.signing.certBase64 });
    if ((req.query as Record<string, unknown>)['download'] === 'true') res.attachment('sp.xml');
    res.type('application/samlmetadata+xml').send(xml);
  });
  r.use('/idsadmin', idsAdminRouter(ctx));

  r.use((req, _res, next) => {
    next(new IdpError('ERR_HTTP_NOT_FOUND', `There is nothing at ${req.method} ${req.path} on this Identity Service.`, { status: 404 }));
  });
  r.use(idsErrorHandler(ctx));
  return r;
}
