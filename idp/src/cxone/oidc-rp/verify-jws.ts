import { compactDecrypt, compactVerify, createLocalJWKSet, errors, type JSONWebKeySet } from 'jose';
import { IdpError } from '../../shared/errors.js';
import type { Authenticator } from '../model.js';
import { privateKeyOf } from './generated-keys.js';
import type { IdpKeySets } from './idp-key-sets.js';

/**
 * Asymmetric signatures only: an RP holding a client secret could verify HS256, but CXone never
 * lets an IdP choose a shared-secret MAC over its published keys, and never `none` (RFC 8725 §3.1,
 * §3.2: the algorithm must be one the verifier expects).
 */
const SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** "Use encryption": the generated key is RSA, so the key management is RSA-OAEP(-256) (RFC 7518 §4.3). */
const KEY_MANAGEMENT_ALGS = ['RSA-OAEP-256', 'RSA-OAEP'];

/**
 * An ID token (or signed userinfo) as CXone receives it, opened: a JWE is decrypted with the
 * authenticator's generated encryption key (OIDC Core §10.2: "signed and then encrypted"), and the
 * inner JWS is returned with its verified payload. With "use encryption" on, an unencrypted token
 * is refused (accepting it would let anyone on the path downgrade); with it off, a JWE cannot be read.
 */
export async function openJwt(a: Authenticator, raw: string, keySets: IdpKeySets, what: string): Promise<{ jws: string; payload: Record<string, unknown> }> {
  const o = a.oidc!;
  const parts = raw.split('.').length;
  let jws = raw;
  if (parts === 5) {
    if (!o.useEncryption || !o.encryptionKey) throw new IdpError('ERR_CXONE_OIDC_DECRYPT', `The ${what} is encrypted, but this login authenticator does not use encryption.`);
    try {
      const { plaintext } = await compactDecrypt(raw, privateKeyOf(o.encryptionKey), { keyManagementAlgorithms: KEY_MANAGEMENT_ALGS });
      jws = new TextDecoder().decode(plaintext);
    } catch (e) {
      throw new IdpError('ERR_CXONE_OIDC_DECRYPT', `The ${what} could not be decrypted with this login authenticator's encryption key.`, { debug: (e as Error).message });
    }
  } else if (o.useEncryption) {
    throw new IdpError('ERR_CXONE_OIDC_DECRYPT', `This login authenticator uses encryption, but the ${what} is not encrypted.`);
  }
  if (jws.split('.').length !== 3) throw new IdpError('ERR_CXONE_OIDC_ID_TOKEN', `The ${what} is not a signed JWT.`);
  const payload = await verifyWithIdpKeys(jws, o.jwksUri, keySets, what);
  return { jws, payload };
}

/** Verifies a compact JWS with the IdP's JWKS (re-read once for an unfamiliar kid) and parses its JSON payload. */
async function verifyWithIdpKeys(jws: string, jwksUri: string, keySets: IdpKeySets, what: string): Promise<Record<string, unknown>> {
  let bytes: Uint8Array;
  try {
    bytes = await verifyWith(jws, await keySets.get(jwksUri));
  } catch (e) {
    if (!(e instanceof errors.JWKSNoMatchingKey)) throw signatureError(e, what);
    try {
      bytes = await verifyWith(jws, await keySets.get(jwksUri, true));
    } catch (again) {
      throw signatureError(again, what);
    }
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    payload = undefined;
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new IdpError('ERR_CXONE_OIDC_ID_TOKEN', `The ${what}'s payload is not a JSON object.`);
  return payload as Record<string, unknown>;
}

async function verifyWith(jws: string, jwks: JSONWebKeySet): Promise<Uint8Array> {
  const options = { algorithms: SIGNING_ALGS };
  try {
    return (await compactVerify(jws, createLocalJWKSet(jwks), options)).payload;
  } catch (e) {
    // Several keys fit (no kid, or a kid reused across algorithms): any one of them may verify.
    if (!(e instanceof errors.JWKSMultipleMatchingKeys)) throw e;
    for await (const key of e) {
      try {
        return (await compactVerify(jws, key, options)).payload;
      } catch (x) {
        if (!(x instanceof errors.JWSSignatureVerificationFailed)) throw x;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

function signatureError(e: unknown, what: string): IdpError {
  if (e instanceof IdpError) return e;
  const reason =
    e instanceof errors.JWKSNoMatchingKey
      ? 'no key the IdP publishes at its JWKS URI matches it'
      : e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported
        ? 'its algorithm is not accepted (asymmetric signatures only)'
        : e instanceof errors.JWSInvalid
          ? 'it is malformed'
          : "the signature does not verify with the IdP's published keys";
  const code = e instanceof errors.JWSInvalid ? 'ERR_CXONE_OIDC_ID_TOKEN' : 'ERR_CXONE_OIDC_SIGNATURE';
  return new IdpError(code, `The ${what} is refused: ${reason}.`, { debug: (e as Error).message });
}
