import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { OidcSettings } from '../model.js';
import { privateKeyOf } from './generated-keys.js';

/** A client assertion lives long enough to cross the network, no longer (RFC 7523 §3: exp "MUST" be present; short is the norm). */
const ASSERTION_TTL_SECONDS = 60;

/** What authenticating the client adds to a token request: headers and form fields. */
export interface ClientCredentials {
  headers: Record<string, string>;
  fields: Record<string, string>;
}

/** RFC 6749 Appendix B: the application/x-www-form-urlencoded encoding of one value. */
function formEncode(v: string): string {
  return new URLSearchParams({ v }).toString().slice(2);
}

/**
 * The client authentication an OIDC authenticator is configured with (OIDC Core §9):
 *  - `client_secret_basic`: HTTP Basic where id and secret are each form-encoded first
 *    (RFC 6749 §2.3.1 — a secret with `:` or non-ASCII characters survives);
 *  - `client_secret_post`: `client_id` and `client_secret` in the body (RFC 6749 §2.3.1);
 *  - `private_key_jwt`: a JWT signed with the authenticator's generated key (RFC 7523 §2.2,
 *    §3; OIDC Core §9): iss = sub = client_id, aud = the token endpoint (OIDC Core §9: "SHOULD be
 *    the URL of the Authorization Server's Token Endpoint"), a fresh jti, a short exp, RS256 and
 *    the key's kid so the IdP can pick it from what was registered.
 * `nowMs` is the lab clock.
 */
export async function clientCredentials(o: OidcSettings, endpoint: string, nowMs: number): Promise<ClientCredentials> {
  switch (o.clientAuthMethod) {
    case 'client_secret_basic': {
      const pair = `${formEncode(o.clientId)}:${formEncode(o.clientSecret ?? '')}`;
      return { headers: { authorization: `Basic ${Buffer.from(pair, 'utf8').toString('base64')}` }, fields: {} };
    }
    case 'client_secret_post':
      return { headers: {}, fields: { client_id: o.clientId, client_secret: o.clientSecret ?? '' } };
    case 'private_key_jwt': {
      const key = o.signingKey!;
      const now = Math.floor(nowMs / 1000);
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .setIssuer(o.clientId)
        .setSubject(o.clientId)
        .setAudience(endpoint)
        .setJti(randomUUID())
        .setIssuedAt(now)
        .setExpirationTime(now + ASSERTION_TTL_SECONDS)
        .sign(privateKeyOf(key));
      return {
        headers: {},
        fields: {
          client_id: o.clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        },
      };
    }
  }
}
