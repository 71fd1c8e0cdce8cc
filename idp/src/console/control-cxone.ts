import express, { type Router } from 'express';
import { oidcLoginRedirectUri, samlAcsUrl, samlEntityId } from '../cxone/authenticator-urls.js';
import type { LabState } from '../lab.js';
import { IdpError } from '../shared/errors.js';

/**
 * The control API's CXone summary (`GET /api/cxone`), what the console shows of the tenant: its
 * identity and URLs, and each login authenticator with the values an IdP admin registers (SAML
 * entity ID and ACS, OIDC redirect URI and issuer). Read-only: administration stays in CXone's
 * own admin API and pages (HTTP Basic, `/api/v1`, `/admin`), as at the real product.
 */
export function controlCxone(state: LabState): Router {
  const r = express.Router();
  r.get('/', (_req, res) => {
    const ctx = state.cxone;
    if (!ctx) throw new IdpError('ERR_CONTROL_NOT_FOUND', 'the cxone service is not running', { status: 404 });
    const base = ctx.urls.base;
    res.json({
      tenant: ctx.tenant,
      urls: { login: ctx.urls.login, admin: ctx.urls.admin, api: ctx.urls.api, discovery: ctx.urls.discovery },
      users: ctx.store.users.size,
      authenticators: [...ctx.store.authenticators.values()].map((a) => ({
        id: a.id,
        name: a.name,
        type: a.type,
        active: a.active,
        isDefault: a.isDefault,
        assignedUsers: ctx.store.usersOf(a.id).length,
        ...(a.system && { mfa: a.system.mfa.required ? a.system.mfa.type : 'off' }),
        ...(a.saml && { ficam: a.saml.ficam, endpointUrl: a.saml.endpointUrl, entityId: samlEntityId(base, a), acsUrl: samlAcsUrl(base, a) }),
        ...(a.oidc && { ficam: a.oidc.ficam, issuer: a.oidc.issuer, clientId: a.oidc.clientId, clientAuthMethod: a.oidc.clientAuthMethod, redirectUri: oidcLoginRedirectUri(base, a) }),
      })),
    });
  });
  return r;
}
