import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { OidcIssuerConfig } from '../../config/schema.js';

/**
 * The FICAM / iGov profile (reference oidc-mocks-and-ficam.md §4.2): what an issuer with
 * `profile: ficam`, or a client with `profile: "ficam"`, is held to. Each rule names its source so
 * that a violation says which rule was broken, in the OAuth error's description.
 */
export const FICAM_RULES = {
  codeFlowOnly: 'FICAM/iGov: only the authorization code flow (response_type=code) is allowed (iGov OIDC §2.1)',
  privateKeyJwt: 'FICAM/iGov: the client must authenticate with private_key_jwt (iGov OIDC §2.2; mTLS is not offered by the lab)',
  clientKeys: 'FICAM/iGov: the client must register its public keys (jwks or jwks_uri) (iGov OIDC §2.2)',
  pkce: 'FICAM/iGov: PKCE with S256 is required for every request (iGov OAuth2 §2.6.1)',
  noneAlg: 'FICAM/iGov: the "none" algorithm is not allowed (iGov OAuth2, Global Requirements; RFC 8725 §3.2)',
  redirectScheme: 'FICAM/iGov: redirect URIs must be https, a private-use scheme, or http on a loopback address (iGov OAuth2 "Redirect URI(s)")',
  nonce: 'FICAM/iGov: nonce is required, at least 22 characters (iGov OIDC §2.1; login.gov)',
  state: 'FICAM/iGov: state is required, at least 22 characters (iGov OAuth2 §2.6.1; login.gov)',
  exactRedirect: 'FICAM/iGov: redirect_uri must match a registered one exactly (iGov OAuth2 "Redirect URI(s)")',
} as const;

/** Whether `client` (metadata or oidc-provider Client) is under the FICAM rules on `issuer`. */
export function isFicam(issuer: Pick<OidcIssuerConfig, 'profile'>, client: { profile?: unknown } | undefined): boolean {
  return issuer.profile === 'ficam' || client?.profile === 'ficam';
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The FICAM rules a client's registration breaks (empty when it complies). */
export function ficamClientViolations(m: Record<string, unknown>): string[] {
  const out: string[] = [];
  // oidc-provider runs this (its extraClientMetadata validator) before its own type checks: a
  // value of the wrong type is left for the library to report, never a TypeError (a 500).
  const list = (v: unknown, fallback: unknown[]): unknown[] => (Array.isArray(v) ? v : fallback);
  const responseTypes = list(m['response_types'], ['code']);
  if (responseTypes.some((rt) => rt !== 'code')) out.push(FICAM_RULES.codeFlowOnly);
  const grants = list(m['grant_types'], ['authorization_code']);
  if (grants.includes('implicit')) out.push(FICAM_RULES.codeFlowOnly);
  if (m['token_endpoint_auth_method'] !== 'private_key_jwt') out.push(FICAM_RULES.privateKeyJwt);
  if (!m['jwks'] && !m['jwks_uri']) out.push(FICAM_RULES.clientKeys);
  if (m['require_pkce'] === false) out.push(FICAM_RULES.pkce);
  const algs = ['id_token_signed_response_alg', 'userinfo_signed_response_alg', 'request_object_signing_alg', 'token_endpoint_auth_signing_alg'];
  if (algs.some((a) => m[a] === 'none')) out.push(FICAM_RULES.noneAlg);
  for (const uri of list(m['redirect_uris'], [])) {
    let u: URL;
    try {
      u = new URL(String(uri));
    } catch {
      continue; // oidc-provider reports malformed URIs itself
    }
    if (u.protocol === 'http:' && !LOOPBACK.has(u.hostname)) {
      out.push(FICAM_RULES.redirectScheme);
      break;
    }
  }
  return [...new Set(out)];
}

/**
 * The request-time rules, run by oidc-provider inside the authorization endpoint (after the client
 * and its redirect URI are known, so errors go back to the client as the spec requires). The
 * response type and PKCE rules are the library's own checks, earlier in the pipeline; their
 * descriptions are made to name the rule by ficam-error-descriptions.ts.
 */
export function checkFicamAuthorization(ctx: KoaContextWithOIDC): void {
  const params = ctx.oidc.params as Record<string, unknown>;
  const client = ctx.oidc.client!;
  const redirectUri = params['redirect_uri'];
  // oidc-provider tolerates a different loopback port for native clients (RFC 8252 §7.3); iGov
  // wants the exact registered string. Not redirected: the URI is not one the client registered.
  if (typeof redirectUri === 'string' && !client.redirectUris?.includes(redirectUri)) {
    const e = new errors.InvalidRedirectUri();
    (e as { error_description?: string }).error_description = FICAM_RULES.exactRedirect;
    throw e;
  }
  if (typeof params['state'] !== 'string' || params['state'].length < 22) throw new errors.InvalidRequest(FICAM_RULES.state);
  if (typeof params['nonce'] !== 'string' || params['nonce'].length < 22) throw new errors.InvalidRequest(FICAM_RULES.nonce);
}
