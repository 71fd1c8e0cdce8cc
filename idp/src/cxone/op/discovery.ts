import type { Request, Response } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import { domainOf } from './user-claims.js';

/**
 * `/.well-known/openid-configuration`: the fields and values CXone publishes (reference B.3
 * table), with the issuer this lab's CXone base URL. Nothing CXone does not publish is advertised
 * (no revocation or introspection endpoint, no grant_types_supported).
 */
export function openidConfiguration(ctx: CxoneContext): Record<string, unknown> {
  const u = ctx.urls;
  return {
    issuer: u.base,
    authorization_endpoint: u.authorize,
    token_endpoint: u.token,
    userinfo_endpoint: u.userinfo,
    jwks_uri: u.jwks,
    end_session_endpoint: u.endSession,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid'],
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    request_object_signing_alg_values_supported: ['none'],
    display_values_supported: ['page', 'popup'],
    claim_types_supported: ['normal'],
    code_challenge_methods_supported: ['S256'],
  };
}

/**
 * `/.well-known/cxone-configuration?tenantId=` (reference B.3, tenant routing): where a tenant's
 * UI, authentication and API live. [INF] The lab hosts one tenant and serves all three from the
 * CXone base URL; the domains are its host name. Another tenant id is 404.
 */
export function handleCxoneConfiguration(ctx: CxoneContext, req: Request, res: Response): void {
  const tenantId = (req.query as Record<string, unknown>)['tenantId'];
  if (typeof tenantId !== 'string' || tenantId === '') throw new IdpError('ERR_CXONE_OP_INVALID_REQUEST', 'tenantId is required (once).');
  if (tenantId.toLowerCase() !== ctx.tenant.id.toLowerCase()) throw new IdpError('ERR_CXONE_NOT_FOUND', 'There is no tenant with this id.', { status: 404, debug: tenantId });
  const domain = domainOf(ctx);
  res.json({
    private: false,
    area: ctx.tenant.area,
    cluster: ctx.tenant.clusterId,
    domain,
    acdDomain: domain,
    uhDomain: domain,
    ui_endpoint: ctx.urls.base,
    auth_endpoint: ctx.urls.base,
    api_endpoint: ctx.urls.base,
    tenantId: ctx.tenant.id,
  });
}

/** `/auth/jwks` (RFC 7517 §5): the public half of CXone's token-signing key, with its `kid`. */
export function jwks(ctx: CxoneContext): { keys: Record<string, unknown>[] } {
  return { keys: [ctx.op.signing.publicJwk] };
}
