import express, { type Router } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import { openCors } from './cors.js';
import { handleCxoneConfiguration, jwks, openidConfiguration } from './discovery.js';
import { handleIdpLogoutReturn, handleLogout } from './logout.js';
import { handleToken } from './token-endpoint.js';
import { handleUserinfo } from './userinfo.js';

/**
 * CXone as an OpenID provider for integrations (reference B.3). `/auth/authorize` itself is in
 * the CXone router (it doubles as the SAML ACS); the rest is here.
 */
export function opRouter(ctx: CxoneContext): Router {
  const r = express.Router();
  r.use(['/.well-known/openid-configuration', '/.well-known/cxone-configuration', '/auth/jwks', '/auth/token', '/auth/userinfo'], openCors);
  r.get('/.well-known/openid-configuration', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(openidConfiguration(ctx));
  });
  r.get('/.well-known/cxone-configuration', (req, res) => handleCxoneConfiguration(ctx, req, res));
  r.get('/auth/jwks', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(jwks(ctx));
  });
  r.post('/auth/token', (req, res) => handleToken(ctx, req, res));
  r.all('/auth/token', () => {
    throw new IdpError('ERR_CXONE_OP_INVALID_REQUEST', 'The token endpoint takes POST (RFC 6749 §3.2).', { status: 405 });
  });
  r.get('/auth/userinfo', (req, res) => handleUserinfo(ctx, req, res));
  r.post('/auth/userinfo', (req, res) => handleUserinfo(ctx, req, res));
  // RP-Initiated Logout 1.0 §2: the OP MUST support GET and POST at the end-session endpoint.
  r.get('/auth/authorize/logout', (req, res) => handleLogout(ctx, req, res));
  r.post('/auth/authorize/logout', (req, res) => handleLogout(ctx, req, res));
  r.get('/auth/oidc/logout/:id', (req, res) => handleIdpLogoutReturn(ctx, req, res));
  return r;
}
