import * as oidc from 'openid-client';
import { UserAgent } from '../clients/user-agent.js';
import { fetchWithCa } from './fetch-with-ca.js';
import type { MintedToken, TokenKind } from './minted-token.js';
import { signInUntil, type SignInCredentials } from './sign-in-browser.js';

/** How the client authenticates at the token endpoint, and with what. */
export type ClientCredentials =
  | { method: 'none' }
  | { method: 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt'; secret: string }
  | { method: 'private_key_jwt'; privateJwk: JsonWebKey & { kid?: string; alg?: string } };

export interface OidcTokenOptions {
  /** The issuer identifier (discovery is `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  client: ClientCredentials;
  /** `code`: code + PKCE S256 with a scripted browser; `client_credentials`: no user. */
  grant: 'code' | 'client_credentials';
  /** For `code`: a redirect URI registered for the client (nothing needs to listen there). */
  redirectUri?: string | undefined;
  /** For `code`: who signs in at which page. */
  signIn?: SignInCredentials | undefined;
  scope?: string | undefined;
  ca?: string | undefined;
  /** Which service this is, for the result (`oidc`, or `cxone` for CXone's OP). */
  kind?: TokenKind;
}

/**
 * Tokens from an OpenID provider of the lab, obtained by openid-client 6 (the independent RP):
 * discovery, then either the authorization code flow with PKCE S256, state and nonce — the
 * browser half scripted (sign-in and consent pages), the code redeemed and the ID token checked
 * by openid-client — or the client_credentials grant.
 */
export async function oidcToken(o: OidcTokenOptions): Promise<MintedToken> {
  const insecure = o.issuer.startsWith('http:');
  const config = await oidc.discovery(new URL(o.issuer), o.clientId, undefined, await clientAuth(o.client), {
    [oidc.customFetch]: fetchWithCa(o.ca),
    ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
  });
  let tokens: oidc.TokenEndpointResponse;
  if (o.grant === 'client_credentials') {
    tokens = await oidc.clientCredentialsGrant(config, o.scope ? { scope: o.scope } : {});
  } else {
    if (!o.redirectUri) throw new Error(`client ${o.clientId} has no redirect URI for the code flow`);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: o.redirectUri,
      scope: o.scope ?? 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const ua = new UserAgent(o.ca === undefined ? {} : { ca: o.ca });
    const callback = await signInUntil(ua, url.toString(), o.redirectUri, o.signIn ?? {});
    tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  }
  const response = JSON.parse(JSON.stringify(tokens)) as Record<string, unknown>;
  return {
    kind: o.kind ?? 'oidc',
    accessToken: tokens.access_token,
    ...(tokens.id_token === undefined ? {} : { idToken: tokens.id_token }),
    ...(tokens.refresh_token === undefined ? {} : { refreshToken: tokens.refresh_token }),
    response,
  };
}

const IMPORT: Record<string, RsaHashedImportParams | EcKeyImportParams | Algorithm> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  EdDSA: { name: 'Ed25519' },
};

async function clientAuth(c: ClientCredentials): Promise<oidc.ClientAuth> {
  switch (c.method) {
    case 'none':
      return oidc.None();
    case 'client_secret_basic':
      return oidc.ClientSecretBasic(c.secret);
    case 'client_secret_post':
      return oidc.ClientSecretPost(c.secret);
    case 'client_secret_jwt':
      return oidc.ClientSecretJwt(c.secret);
    case 'private_key_jwt': {
      const { kid, alg = 'RS256', ...jwk } = c.privateJwk as JsonWebKey & { kid?: string; alg?: string; use?: string };
      delete (jwk as { use?: string }).use;
      const params = IMPORT[alg];
      if (!params) throw new Error(`private_key_jwt: unsupported key algorithm ${alg}`);
      const key = await crypto.subtle.importKey('jwk', jwk, params, false, ['sign']);
      return oidc.PrivateKeyJwt(kid === undefined ? key : { key, kid });
    }
  }
}
