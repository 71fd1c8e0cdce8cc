import type { Authenticator } from './model.js';

/**
 * The values CXone generates for an external authenticator and shows after creation, to be
 * registered at the IdP in place of the `…/need_to_change` placeholders (seed 002).
 *
 * SAML (reference B.2.1, Microsoft Entra's CXone tutorial): entity ID `https://<host>/<guid>`,
 * ACS `https://<host>/auth/authorize?tenantId=<guid>`. Which GUID goes there is ambiguous in
 * the sources [INF]; the lab uses the authenticator's id, so that each authenticator is its own
 * SP and its ACS knows which certificate to check.
 *
 * OIDC: the current redirect URI formats are NOT FOUND (reference B.2.2) [INF]: login
 * `https://<host>/auth/oidc/callback/<guid>`, logout `https://<host>/auth/oidc/logout/<guid>`,
 * and the authenticator's public keys at `https://<host>/auth/oidc/jwks/<guid>`.
 */
export function samlEntityId(base: string, a: Pick<Authenticator, 'id'>): string {
  return `${base}/${a.id}`;
}

export function samlAcsUrl(base: string, a: Pick<Authenticator, 'id'>): string {
  return `${base}/auth/authorize?tenantId=${a.id}`;
}

export function oidcLoginRedirectUri(base: string, a: Pick<Authenticator, 'id'>): string {
  return `${base}/auth/oidc/callback/${a.id}`;
}

export function oidcLogoutRedirectUri(base: string, a: Pick<Authenticator, 'id'>): string {
  return `${base}/auth/oidc/logout/${a.id}`;
}

export function oidcJwksUri(base: string, a: Pick<Authenticator, 'id'>): string {
  return `${base}/auth/oidc/jwks/${a.id}`;
}
