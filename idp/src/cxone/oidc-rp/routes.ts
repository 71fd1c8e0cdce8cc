import express, { type Router } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import { handleOidcCallback } from './callback.js';
import { IdpKeySets } from './idp-key-sets.js';

/**
 * The OIDC authenticators' own addresses (authenticator-urls.ts):
 *  - `/auth/oidc/callback/:id`, the login redirect URI: GET (query response mode) and POST
 *    (`response_mode=form_post`, OAuth 2.0 Form Post Response Mode §2);
 *  - `/auth/oidc/jwks/:id`, the authenticator's public keys as a JWK Set (RFC 7517 §5), so an
 *    IdP can be registered with a `jwks_uri` rather than a pasted key: the client-assertion key
 *    (`use: sig`) with private_key_jwt, the ID-token encryption key (`use: enc`) with encryption.
 * The logout redirect URI `/auth/oidc/logout/:id` belongs to the logout chain (op/).
 */
export function oidcRpRouter(ctx: CxoneContext): Router {
  const r = express.Router();
  const keySets = new IdpKeySets(ctx.clock, ctx.outboundCa);
  r.get('/auth/oidc/callback/:id', (req, res) => handleOidcCallback(ctx, keySets, req, res));
  r.post('/auth/oidc/callback/:id', (req, res) => handleOidcCallback(ctx, keySets, req, res));
  r.get('/auth/oidc/jwks/:id', (req, res) => {
    const a = ctx.store.authenticators.get(String(req.params['id']));
    if (!a?.oidc) throw new IdpError('ERR_CXONE_NOT_FOUND', 'There is no OpenID Connect login authenticator at this address.', { status: 404 });
    const keys = [];
    if (a.oidc.clientAuthMethod === 'private_key_jwt' && a.oidc.signingKey) keys.push(a.oidc.signingKey.publicJwk);
    if (a.oidc.useEncryption && a.oidc.encryptionKey) keys.push(a.oidc.encryptionKey.publicJwk);
    res.set('Cache-Control', 'public, max-age=300').type('application/jwk-set+json').json({ keys });
  });
  return r;
}
