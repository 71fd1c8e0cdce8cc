import { constants, sign, type KeyObject } from 'node:crypto';
import type { OidcSigningAlg } from './keys/signing-keys.js';

/**
 * Compact JWS signing (RFC 7515 §7.1) with node:crypto, for the faults that re-sign an ID token
 * (an expired one, or one with a signature no published key verifies). Normal tokens are signed by
 * oidc-provider; this only has to produce the same algorithms.
 */
export function signCompactJws(header: Record<string, unknown>, payload: Record<string, unknown>, alg: OidcSigningAlg, key: KeyObject): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  const data = Buffer.from(input);
  let sig: Buffer;
  switch (alg) {
    case 'RS256':
      sig = sign('sha256', data, key);
      break;
    case 'PS256':
      sig = sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      break;
    case 'ES256':
      sig = sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
      break;
    case 'EdDSA':
      sig = sign(null, data, key);
      break;
  }
  return `${input}.${sig.toString('base64url')}`;
}

/** The parts of a compact JWS, or undefined for anything else (a JWE has five parts). */
export function decodeCompactJws(jws: string): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const parts = jws.split('.');
  if (parts.length !== 3) return undefined;
  try {
    return {
      header: JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>,
      payload: JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>,
    };
  } catch {
    return undefined;
  }
}

function b64u(s: string): string {
  return Buffer.from(s).toString('base64url');
}
