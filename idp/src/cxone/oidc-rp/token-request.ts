import { oidcLoginRedirectUri } from '../authenticator-urls.js';
import type { CxoneContext } from '../context.js';
import type { Authenticator } from '../model.js';
import { IdpError } from '../../shared/errors.js';
import { clientCredentials } from './client-auth.js';
import { httpCall, HttpClientError, jsonObject } from './http-client.js';

/** The token endpoint's answer, as far as CXone uses it. */
export interface TokenResponse {
  /** The ID token exactly as received: a JWS, or a JWE when the IdP encrypts to CXone. */
  idToken: string;
  accessToken: string | undefined;
}

function refuse(message: string, debug?: string): IdpError {
  return new IdpError('ERR_CXONE_OIDC_TOKEN_REQUEST', message, { debug });
}

/**
 * Redeems the authorization code (OIDC Core §3.1.3.1, RFC 6749 §4.1.3) with the PKCE verifier
 * (RFC 7636 §4.5) and the configured client authentication, and reads the answer (§3.1.3.3: an
 * `id_token` is REQUIRED in a successful OIDC token response; RFC 6749 §5.2 errors are named).
 */
export async function redeemCode(ctx: CxoneContext, a: Authenticator, code: string, codeVerifier: string): Promise<TokenResponse> {
  const o = a.oidc!;
  const creds = await clientCredentials(o, o.tokenEndpoint, ctx.clock.now());
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: oidcLoginRedirectUri(ctx.urls.base, a),
    code_verifier: codeVerifier,
    ...creds.fields,
  }).toString();
  let res;
  try {
    res = await httpCall(o.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...creds.headers },
      body,
      ca: ctx.outboundCa,
    });
  } catch (e) {
    throw refuse(`The IdP's token endpoint could not be reached: ${e instanceof HttpClientError ? e.message : String(e)}`, o.tokenEndpoint);
  }
  const json = jsonObject(res);
  if (res.status !== 200) {
    const error = typeof json?.['error'] === 'string' ? json['error'] : undefined;
    const description = typeof json?.['error_description'] === 'string' ? `: ${json['error_description']}` : '';
    throw refuse(
      error ? `The IdP refused the token request (${error}${description}).` : `The IdP's token endpoint answered HTTP ${res.status}.`,
      `token endpoint ${o.tokenEndpoint} HTTP ${res.status} ${res.body.slice(0, 300)}`,
    );
  }
  if (!json) throw refuse("The IdP's token response is not a JSON object.");
  const idToken = json['id_token'];
  if (typeof idToken !== 'string' || idToken === '') throw refuse("The IdP's token response has no id_token (is 'openid' in the scope?).");
  // RFC 6750 / OIDC Core §3.1.3.3: token_type Bearer, case-insensitive; another type is of no use for userinfo.
  const tokenType = typeof json['token_type'] === 'string' ? json['token_type'] : '';
  const accessToken = typeof json['access_token'] === 'string' && tokenType.toLowerCase() === 'bearer' ? json['access_token'] : undefined;
  return { idToken, accessToken };
}
