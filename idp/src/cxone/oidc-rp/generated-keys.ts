import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { GeneratedKey } from '../model.js';

/**
 * A key pair the lab makes for an OIDC authenticator (seed 002 OIDC step 3.9): RSA 2048, so that
 * every IdP takes it. `sig` signs private_key_jwt client assertions (RS256); `enc` decrypts ID
 * tokens the IdP encrypts to it (RSA-OAEP-256 / RSA-OAEP). The public JWK is what the admin
 * registers at the IdP; the authenticator also serves it at its JWKS URL.
 */
export function generateRsaKey(use: 'sig' | 'enc'): GeneratedKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `${use}-${randomUUID()}`;
  const priv = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const pub = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, unknown>;
  const alg = use === 'sig' ? 'RS256' : 'RSA-OAEP-256';
  return { kid, privateJwk: { ...priv, kid, use, alg }, publicJwk: { ...pub, kid, use, alg } };
}

export function privateKeyOf(k: GeneratedKey): KeyObject {
  const { kid: _k, use: _u, alg: _a, ...jwk } = k.privateJwk;
  return createPrivateKey({ key: jwk as never, format: 'jwk' });
}

/** The public key as SPKI PEM, for IdPs that take a PEM rather than a JWK. */
export function publicPemOf(k: GeneratedKey): string {
  const { kid: _k, use: _u, alg: _a, ...jwk } = k.publicJwk;
  return createPublicKey({ key: jwk as never, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString();
}
