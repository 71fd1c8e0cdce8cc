import { oidcLogoutRedirectUri } from '../authenticator-urls.js';
import type { CxoneContext } from '../context.js';
import type { Authenticator } from '../model.js';

/**
 * Where CXone sends the browser to end the user's session at an OIDC authenticator's IdP
 * (OpenID Connect RP-Initiated Logout 1.0 §2): the IdP's end-session endpoint with
 * `id_token_hint` (the signed ID token the IdP issued, as a JWS, even when it came encrypted),
 * `post_logout_redirect_uri` (the authenticator's generated logout redirect URI, which the admin
 * registered at the IdP), `client_id` (§2: RECOMMENDED with post_logout_redirect_uri) and
 * `state`. Undefined when the authenticator has no end-session endpoint: CXone then only ends
 * its own session.
 */
export function idpEndSessionUrl(ctx: CxoneContext, authenticator: Authenticator, idToken: string | undefined, state: string | undefined): string | undefined {
  const o = authenticator.oidc;
  if (!o?.endSessionEndpoint || !URL.canParse(o.endSessionEndpoint)) return undefined;
  const url = new URL(o.endSessionEndpoint);
  if (idToken) url.searchParams.set('id_token_hint', idToken);
  url.searchParams.set('post_logout_redirect_uri', oidcLogoutRedirectUri(ctx.urls.base, authenticator));
  url.searchParams.set('client_id', o.clientId);
  if (state !== undefined) url.searchParams.set('state', state);
  return url.toString();
}
