import express, { type Router } from 'express';
import { IdpError } from '../shared/errors.js';
import type { CxoneContext } from './context.js';
import { adminApiRouter, ADMIN_API_PREFIX } from './admin/api-routes.js';
import { adminPagesRouter } from './admin/pages-router.js';
import { cxoneErrorHandler } from './error-handler.js';
import { loginRouter } from './login/login-routes.js';
import { oidcRpRouter } from './oidc-rp/routes.js';
import { handleAuthorize } from './op/authorize.js';
import { opRouter } from './op/routes.js';
import { handleSamlAcs } from './saml/acs.js';
import { systemLoginRouter } from './system/system-login.js';

/**
 * Every CXone path. `/auth/authorize` is both the OP's authorization endpoint and, with
 * `?tenantId=<guid>` and a posted SAMLResponse, the ACS of a SAML authenticator (reference B.2.1:
 * the ACS CXone shows is `https://<host>/auth/authorize?tenantId=<guid>`).
 */
export function cxoneRouter(ctx: CxoneContext): Router {
  const r = express.Router();
  r.use(ADMIN_API_PREFIX, adminApiRouter(ctx));
  r.use(express.urlencoded({ extended: false, limit: '512kb', parameterLimit: 100 }));
  r.use('/admin', adminPagesRouter(ctx));
  r.get('/auth/authorize', (req, res) => handleAuthorize(ctx, req, res));
  r.post('/auth/authorize', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if ((req.query as Record<string, unknown>)['tenantId'] !== undefined || body['SAMLResponse'] !== undefined) handleSamlAcs(ctx, req, res);
    else handleAuthorize(ctx, req, res);
  });
  r.use(opRouter(ctx));
  r.use(oidcRpRouter(ctx));
  r.use(loginRouter(ctx));
  r.use(systemLoginRouter(ctx));
  r.use((req, _res, next) => next(new IdpError('ERR_HTTP_NOT_FOUND', `There is no page at ${req.path}.`, { status: 404 })));
  r.use(cxoneErrorHandler(ctx));
  return r;
}
