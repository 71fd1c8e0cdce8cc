import { IdpError } from '../../shared/errors.js';
import type { CxoneContext, PendingOidcRequest } from '../context.js';
import type { Authenticator } from '../model.js';
import type { IdpKeySets } from './idp-key-sets.js';
import { openJwt } from './verify-jws.js';

export interface ValidIdToken {
  /** The signed ID token (a JWS; decrypted when it came as a JWE): the IdP's `id_token_hint`. */
  jws: string;
  claims: Record<string, unknown>;
  sub: string;
  acr: string | undefined;
}

/**
 * ID token validation, OIDC Core §3.1.3.7, each refusal with its own code: decryption (step 1)
 * and the signature by the IdP's JWKS (6–8) first, so that no claim is read from an unverified
 * token, then issuer (2), audience and azp (3–5), expiry and issue time on the LAB clock with the configured skew (9–10), nonce (11) and acr (12).
 * `at_hash` (§3.1.3.8) is optional in the code flow, where the access token comes straight from
 * the token endpoint over TLS; it is not checked.
 */
export async function validateIdToken(ctx: CxoneContext, a: Authenticator, raw: string, pending: PendingOidcRequest, keySets: IdpKeySets): Promise<ValidIdToken> {
  const o = a.oidc!;
  // Steps 1 and 6–8 (the signature is checked before any claim is believed).
  const { jws, payload: c } = await openJwt(a, raw, keySets, 'ID token');

  // Step 2: "The Issuer Identifier for the OpenID Provider ... MUST exactly match the value of the iss Claim."
  if (c['iss'] !== o.issuer) {
    throw new IdpError('ERR_CXONE_OIDC_ISSUER', `The ID token's issuer is not this login authenticator's issuer.`, { debug: `iss ${JSON.stringify(c['iss'])}, expected ${o.issuer}` });
  }
  // Steps 3–5: aud contains client_id; with several audiences, azp must be present and be the client.
  const aud = c['aud'];
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.includes(o.clientId)) {
    throw new IdpError('ERR_CXONE_OIDC_AUDIENCE', "The ID token is not meant for this login authenticator's client.", { debug: `aud ${JSON.stringify(aud)}, client ${o.clientId}` });
  }
  if (audiences.length > 1 && c['azp'] !== o.clientId) {
    throw new IdpError('ERR_CXONE_OIDC_AUDIENCE', 'The ID token has several audiences and this client is not its authorized party (azp).', { debug: `aud ${JSON.stringify(aud)}, azp ${JSON.stringify(c['azp'])}` });
  }
  if (c['azp'] !== undefined && c['azp'] !== o.clientId) {
    throw new IdpError('ERR_CXONE_OIDC_AUDIENCE', 'The ID token was issued to another client (azp).', { debug: `azp ${JSON.stringify(c['azp'])}` });
  }
  // Steps 9–10 on the lab clock: "The current time MUST be before the time represented by the exp
  // Claim (possibly allowing for some small leeway to account for clock skew)."
  const now = Math.floor(ctx.clock.now() / 1000);
  const skew = ctx.config.clockSkewSeconds;
  const exp = c['exp'];
  const iat = c['iat'];
  if (typeof exp !== 'number' || typeof iat !== 'number') throw new IdpError('ERR_CXONE_OIDC_ID_TOKEN', 'The ID token lacks exp or iat (OIDC Core §2: both are REQUIRED).');
  if (now >= exp + skew) throw new IdpError('ERR_CXONE_OIDC_EXPIRED', 'The ID token has expired.', { debug: `exp ${exp}, now ${now}, skew ${skew}` });
  if (iat > now + skew) throw new IdpError('ERR_CXONE_OIDC_EXPIRED', 'The ID token was issued in the future (check the IdP clock).', { debug: `iat ${iat}, now ${now}, skew ${skew}` });
  // Step 11: "the value of the nonce Claim MUST be checked to verify that it is the same value as the one that was sent".
  if (c['nonce'] !== pending.nonce) throw new IdpError('ERR_CXONE_OIDC_NONCE', "The ID token's nonce is not the one CXone sent (a replayed or foreign token).");
  // Step 12: "If the acr Claim was requested, the Client SHOULD check that the asserted Claim Value is appropriate."
  // FICAM (iGov OIDC §3.1: acr REQUIRED) and any authenticator with acr_values: it must be one asked for.
  const acr = typeof c['acr'] === 'string' ? c['acr'] : undefined;
  if (o.ficam || pending.acrValues.length > 0) {
    if (acr === undefined || !pending.acrValues.includes(acr)) {
      throw new IdpError('ERR_CXONE_OIDC_ACR', `The IdP authenticated the user at '${acr ?? '(no acr)'}', not at a level CXone asked for.`, { debug: `requested ${pending.acrValues.join(' ')}` });
    }
  }
  // OIDC Core §2: sub is REQUIRED, "locally unique and never reassigned", at most 255 ASCII characters.
  const sub = c['sub'];
  if (typeof sub !== 'string' || sub === '' || sub.length > 255) throw new IdpError('ERR_CXONE_OIDC_CLAIM_MISSING', 'The ID token has no usable sub.');
  return { jws, claims: c, sub, acr };
}
