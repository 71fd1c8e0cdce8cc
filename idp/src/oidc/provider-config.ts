import { createHmac } from 'node:crypto';
import { errors, type ClientAuthMethod, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { OidcIssuerConfig } from '../config/schema.js';
import type { IssuerStore } from './adapter.js';
import { ACR_VALUES } from './assurance.js';
import { extraTokenClaims, findAccount } from './account.js';
import { SCOPE_CLAIMS } from './claims.js';
import { labClientMetadata } from './clients/client-metadata-validator.js';
import { labInteractionPolicy } from './interaction-policy.js';
import type { OidcDeps } from './context.js';
import type { SigningKey } from './keys/signing-keys.js';
import { NO_FRAMING } from './pages/frame.js';
import { renderLogoutConfirm, renderLogoutDone } from './pages/logout-pages.js';
import { pairwiseSubject } from './pairwise.js';
import { checkFicamAuthorization, isFicam } from './profile/ficam.js';

export interface ProviderConfigInput {
  deps: OidcDeps;
  issuer: OidcIssuerConfig;
  /** Path prefix of the issuer's endpoints ('' at the root). */
  prefix: string;
  keys: readonly SigningKey[];
  store: IssuerStore;
  /** Claim names beyond the standard scopes' (user `oidcClaims`, client mappings). */
  extraClaimNames: readonly string[];
}

const SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
/** Only asymmetric key management: the lab never holds a client's secret as an encryption key. */
const ENCRYPTION_ALGS = ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES'];
const ENCRYPTION_ENCS = ['A128CBC-HS256', 'A256CBC-HS512', 'A128GCM', 'A256GCM'];
/** Scopes a JWT access token for a resource indicator (RFC 8707) can carry. */
export const RESOURCE_SCOPES = 'api:read api:write';
/** FICAM caps: ID tokens ≤ 5 min (iGov OIDC §3.1), refresh tokens ≤ 24 h (iGov OAuth2 "Token Lifetimes"). */
const FICAM_ID_TOKEN_TTL = 300;
const FICAM_REFRESH_TTL = 86_400;

type ClientLike = { profile?: unknown; first_party?: unknown; require_pkce?: unknown; clientId: string };

/**
 * oidc-provider's configuration for one issuer. Every switch here is either what the issue asks
 * for or the removal of a library default that would make discovery lie or the lab awkward; the
 * reasons are in docs/oidc.md.
 */
export function providerConfiguration(i: ProviderConfigInput): Configuration {
  const { deps, issuer, prefix, store } = i;
  const { config, users } = deps;
  const ttl = config.ttl;
  const ficamIssuer = issuer.profile === 'ficam';
  const ficam = (client: unknown) => isFicam(issuer, client as ClientLike | undefined);
  const authMethods: ClientAuthMethod[] = ficamIssuer
    ? ['private_key_jwt']
    : ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'];
  // `Ed25519` is the fully-specified name (RFC 9864) openid-client signs Ed25519 assertions with;
  // `EdDSA` the older one. Both are accepted from clients.
  const authAlgs = ficamIssuer ? [...SIGNING_ALGS, 'Ed25519'] : ['HS256', ...SIGNING_ALGS, 'Ed25519'];

  const claims: Record<string, string[]> = Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([s, c]) => [s, [...c]]));
  // acr and amr of the sign-in go into every ID token (iGov OIDC §3.1 makes both REQUIRED; the
  // library would release them only when asked for), with the extra names users and clients use.
  claims['openid']!.push('acr', 'amr', ...i.extraClaimNames.filter((n) => !Object.values(SCOPE_CLAIMS).some((l) => l.includes(n))));

  return {
    adapter: store.factory as unknown as Configuration['adapter'],
    // The library's fetch (client jwks_uri, sector_identifier_uri) refuses loopback and private
    // addresses, an SSRF guard for the open internet. In the lab every client lives on loopback or
    // a container network, so with it a jwks_uri client could never authenticate; the rest of the
    // library's fetch options (2.5 s timeout, body size limits) stay.
    fetch: (url, init) => {
      const { dispatcher: _ssrfGuard, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, rest);
    },
    jwks: { keys: i.keys.map((k) => k.privateJwk) as never },
    cookies: {
      keys: [createHmac('sha256', config.secret).update(`cookies:${issuer.id}`).digest('base64url')],
      // Issuers share a host: their cookies must not collide (RFC 6265 ignores the port).
      names: { session: `_session.${issuer.id}`, interaction: `_interaction.${issuer.id}`, resume: `_interaction_resume.${issuer.id}` },
      // A cross-site form POST to /auth must carry the session cookie: SameSite=None, which
      // browsers accept only with Secure, so only over TLS (see enableHttpPostMethods).
      long: { httpOnly: true, sameSite: deps.tls ? 'none' : 'lax' },
    },
    // OIDC Core §3.1.2.1 and RP-Initiated Logout §2: the OP MUST accept POST at the authorization
    // and end-session endpoints. Over plain HTTP the session cookie cannot be SameSite=None, so
    // there they take GET only (docs/oidc.md).
    enableHttpPostMethods: deps.tls,
    acrValues: [...ACR_VALUES],
    claims,
    // Okta / Entra put the scope claims in the ID token too; clients written against them expect it.
    conformIdTokenClaims: false,
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: async (_ctx, accountId, client) => pairwiseSubject(config.secret, String(client.sectorIdentifier ?? client.clientId), accountId),
    responseTypes: ficamIssuer ? ['code'] : ['code', 'id_token', 'code id_token'],
    // OIDC Core §3.1.2.1: redirect_uri is REQUIRED; the library would let single-URI clients omit it.
    allowOmittingSingleRegisteredRedirectUri: false,
    pkce: {
      required: (_ctx, client) => ficam(client) || client.clientAuthMethod === 'none' || (client as unknown as ClientLike).require_pkce !== false,
    },
    clientAuthMethods: authMethods,
    // RFC 8414 §2: without these, a client must assume client_secret_basic only at revocation;
    // introspection and revocation authenticate clients exactly like the token endpoint.
    discovery: {
      introspection_endpoint_auth_methods_supported: authMethods,
      introspection_endpoint_auth_signing_alg_values_supported: authAlgs,
      revocation_endpoint_auth_methods_supported: authMethods,
      revocation_endpoint_auth_signing_alg_values_supported: authAlgs,
    },
    enabledJWA: {
      clientAuthSigningAlgValues: authAlgs,
      idTokenSigningAlgValues: SIGNING_ALGS,
      userinfoSigningAlgValues: SIGNING_ALGS,
      idTokenEncryptionAlgValues: ENCRYPTION_ALGS,
      idTokenEncryptionEncValues: ENCRYPTION_ENCS,
      userinfoEncryptionAlgValues: ENCRYPTION_ALGS,
      userinfoEncryptionEncValues: ENCRYPTION_ENCS,
    } as Configuration['enabledJWA'],
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      clientCredentials: { enabled: true },
      // Like the library's default, stated: a confidential client may introspect any token (it
      // acts as a resource server); a public client only its own.
      introspection: {
        enabled: true,
        allowedPolicy: async (ctx, client, token) => client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client?.clientId,
      },
      // Only the client a token was issued to may revoke it (RFC 7009 §2.1: "the authorization
      // server first validates the client credentials ... and whether the token was issued to the
      // client making the revocation request"); a public client's foreign token is ignored (200).
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      userinfo: { enabled: true },
      jwtUserinfo: { enabled: true },
      encryption: { enabled: true },
      registration: {
        enabled: config.registration.enabled,
        initialAccessToken: config.registration.initialAccessToken ?? false,
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.set(NO_FRAMING);
          ctx.body = renderLogoutConfirm({
            issuerName: issuer.id,
            form,
            clientName: ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId,
            droppedRedirect: (ctx.req as { droppedPostLogoutRedirect?: string }).droppedPostLogoutRedirect,
          });
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.set(NO_FRAMING);
          ctx.body = renderLogoutDone({ issuerName: issuer.id, clientName: ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId });
        },
      },
      resourceIndicators: {
        enabled: true,
        // Plain `openid` requests get opaque tokens (introspectable, valid at userinfo); a JWT
        // access token (RFC 9068) is had by naming a resource (RFC 8707).
        defaultResource: async (_ctx, _client, oneOf) => oneOf as never,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => ({
          scope: RESOURCE_SCOPES,
          audience: resource,
          accessTokenTTL: ttl.accessToken,
          accessTokenFormat: 'jwt',
        }),
      },
      // Not offered, so not advertised (discovery must not promise what is untested).
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
      requestObjects: { enabled: false },
    },
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl.accessToken,
      AuthorizationCode: ttl.authorizationCode,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl.clientCredentials,
      IdToken: (_ctx, _token, client) => (ficam(client) ? Math.min(FICAM_ID_TOKEN_TTL, ttl.idToken) : ttl.idToken),
      RefreshToken: (_ctx, _token, client) => (ficam(client) ? Math.min(FICAM_REFRESH_TTL, ttl.refreshToken) : ttl.refreshToken),
      Interaction: 3600,
      Session: ttl.session,
      Grant: ttl.refreshToken,
    },
    // A client with the refresh_token grant gets refresh tokens, with or without offline_access
    // (which the library would drop unless prompt=consent; see offline-access.ts).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Rotation on every use, for every client: the reuse of a rotated token revokes the grant.
    rotateRefreshToken: true,
    loadExistingGrant: async (ctx) => {
      const provider = ctx.oidc.provider;
      const client = ctx.oidc.client!;
      const session = ctx.oidc.session!;
      const grantId = (ctx.oidc.result?.['consent'] as { grantId?: string } | undefined)?.grantId ?? session.grantIdFor(client.clientId);
      const existing = grantId ? await provider.Grant.find(grantId) : undefined;
      if ((client as unknown as ClientLike).first_party === false) return existing;
      // First-party clients are never asked: the grant covers whatever this request asks for.
      const grant = existing ?? new provider.Grant({ clientId: client.clientId, accountId: session.accountId! });
      const params = ctx.oidc.params as Record<string, unknown>;
      if (typeof params['scope'] === 'string') grant.addOIDCScope(params['scope']);
      const requested = ctx.oidc.claims as Record<string, Record<string, unknown> | undefined>;
      const claimNames = [...Object.keys(requested?.['id_token'] ?? {}), ...Object.keys(requested?.['userinfo'] ?? {})];
      if (claimNames.length) grant.addOIDCClaims(claimNames);
      for (const [indicator, rs] of Object.entries(ctx.oidc.resourceServers ?? {})) grant.addResourceScope(indicator, rs.scope);
      await grant.save();
      return grant;
    },
    findAccount: findAccount(users),
    extraTokenClaims: extraTokenClaims(users),
    // oidc-provider runs these for every authorization request, present or not: the hook for
    // request rules of our own, after client and redirect_uri are validated (so errors redirect).
    extraParams: {
      login_hint: async (ctx: KoaContextWithOIDC) => {
        if (ficam(ctx.oidc.client)) checkFicamAuthorization(ctx);
      },
    },
    extraClientMetadata: labClientMetadata(issuer),
    interactions: {
      policy: labInteractionPolicy(deps, issuer),
      url: async (_ctx, interaction) => `${prefix}/interaction/${interaction.uid}`,
    },
    // Every error is an OAuth error in JSON (RFC 6749 §5.2), never an HTML page.
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  };
}
