import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import type { Authenticator } from '../model.js';
import { httpCall, HttpClientError, jsonObject } from './http-client.js';
import type { IdpKeySets } from './idp-key-sets.js';
import { openJwt } from './verify-jws.js';

function refuse(message: string, debug?: string): IdpError {
  return new IdpError('ERR_CXONE_OIDC_USERINFO', message, { debug });
}

/**
 * The UserInfo request (OIDC Core §5.3.1: GET with the access token as a Bearer token, RFC 6750
 * §2.1) when the authenticator has a userinfo endpoint. The answer is JSON, or a signed (and maybe
 * encrypted) JWT when the client was registered that way (§5.3.2), which is then checked like an
 * ID token's signature, issuer and audience. §5.3.2: "The sub Claim in the UserInfo Response MUST
 * be verified to exactly match the sub Claim in the ID Token; if they do not match, the UserInfo
 * Response values MUST NOT be used."
 */
export async function fetchUserinfo(ctx: CxoneContext, a: Authenticator, accessToken: string, sub: string, keySets: IdpKeySets): Promise<Record<string, unknown>> {
  const o = a.oidc!;
  const endpoint = o.userinfoEndpoint!;
  let res;
  try {
    res = await httpCall(endpoint, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json, application/jwt' }, ca: ctx.outboundCa, maxBytes: 256 * 1024 });
  } catch (e) {
    throw refuse(`The IdP's userinfo endpoint could not be reached: ${e instanceof HttpClientError ? e.message : String(e)}`, endpoint);
  }
  if (res.status !== 200) throw refuse(`The IdP's userinfo endpoint answered HTTP ${res.status}.`, `${endpoint} ${res.body.slice(0, 300)}`);
  const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  let claims: Record<string, unknown> | undefined;
  if (type === 'application/jwt') {
    claims = (await openJwt(a, res.body.trim(), keySets, 'userinfo response')).payload;
    if (claims['iss'] !== undefined && claims['iss'] !== o.issuer) throw refuse('The signed userinfo response is from another issuer.');
    const aud = claims['aud'];
    if (aud !== undefined && aud !== o.clientId && !(Array.isArray(aud) && aud.includes(o.clientId))) throw refuse('The signed userinfo response is meant for another client.');
  } else {
    claims = jsonObject(res);
  }
  if (!claims) throw refuse("The IdP's userinfo response is not a JSON object.");
  if (claims['sub'] !== sub) throw refuse("The userinfo response is about another subject than the ID token (OIDC Core §5.3.2).", `userinfo sub ${JSON.stringify(claims['sub'])}`);
  return claims;
}
