import { fetchWithCa } from './fetch-with-ca.js';
import { postTokenForm, type MintedToken } from './minted-token.js';
import { oidcToken } from './oidc-token.js';
import type { SignInCredentials } from './sign-in-browser.js';

export interface CxoneAccessKeyOptions {
  cxoneUrl: string;
  /** A back-end or confidential application and its secret (client_secret_basic). */
  clientId: string;
  clientSecret: string;
  accessKeyId: string;
  accessKeySecret: string;
  scope?: string | undefined;
  ca?: string | undefined;
}

/**
 * CXone's back-end token (reference B.3): `grant_type=password` with the access key id as
 * `username` and its secret as `password`, by an application authenticated with Basic. No
 * browser, no user session.
 */
export async function cxoneAccessKeyToken(o: CxoneAccessKeyOptions): Promise<MintedToken> {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  const response = await postTokenForm(
    fetchWithCa(o.ca),
    `${o.cxoneUrl}/auth/token`,
    { grant_type: 'password', username: o.accessKeyId, password: o.accessKeySecret, ...(o.scope ? { scope: o.scope } : {}) },
    // RFC 6749 §2.3.1: id and secret form-urlencoded, then base64.
    { authorization: `Basic ${Buffer.from(`${enc(o.clientId)}:${enc(o.clientSecret)}`).toString('base64')}` },
  );
  const access = response['access_token'];
  if (typeof access !== 'string') throw new Error('CXone answered no access_token');
  const id = response['id_token'];
  const refresh = response['refresh_token'];
  return {
    kind: 'cxone',
    accessToken: access,
    ...(typeof id === 'string' ? { idToken: id } : {}),
    ...(typeof refresh === 'string' ? { refreshToken: refresh } : {}),
    response,
  };
}

export interface CxoneCodeFlowOptions {
  cxoneUrl: string;
  clientId: string;
  /** Confidential applications authenticate with their secret; public ones (PKCE only) with none. */
  clientSecret?: string | undefined;
  redirectUri: string;
  signIn: SignInCredentials;
  scope?: string | undefined;
  ca?: string | undefined;
}

/**
 * A CXone user's token through CXone's sign-in (`/auth/authorize` → `/login` → the user's login
 * authenticator: CXone's password page, or the SAML / OIDC IdP) with code + PKCE S256.
 */
export function cxoneCodeFlowToken(o: CxoneCodeFlowOptions): Promise<MintedToken> {
  return oidcToken({
    kind: 'cxone',
    issuer: o.cxoneUrl,
    clientId: o.clientId,
    client: o.clientSecret === undefined ? { method: 'none' } : { method: 'client_secret_basic', secret: o.clientSecret },
    grant: 'code',
    redirectUri: o.redirectUri,
    signIn: o.signIn,
    scope: o.scope,
    ca: o.ca,
  });
}
