import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdpError } from '../../shared/errors.js';

/**
 * An issuer's signing keys: one per JWS algorithm it offers (RS256, PS256, ES256, EdDSA), read
 * from `<certsDir>/oidc/<issuer>/` so that tokens keep verifying across restarts. A missing file is
 * generated once (RSA keygen costs 60–330 ms, so never at every start) and written atomically.
 */
export const OIDC_SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type OidcSigningAlg = (typeof OIDC_SIGNING_ALGS)[number];

export interface SigningKey {
  alg: OidcSigningAlg;
  kid: string;
  privateKey: KeyObject;
  /** Private JWK for oidc-provider's `jwks` (with `kid`, `alg`, `use`). */
  privateJwk: Record<string, unknown>;
  /** What JWKS publishes. */
  publicJwk: Record<string, unknown>;
  /** `pki`: from the certs folder; `rotated`: made at runtime through the control API. */
  source: 'pki' | 'rotated';
  createdAt: string;
}

export function issuerKeyDir(certsDir: string, issuerId: string): string {
  return join(certsDir, 'oidc', issuerId);
}

function keyFile(alg: OidcSigningAlg): string {
  return `signing-${alg.toLowerCase()}.key`;
}

export function generatePrivateKey(alg: OidcSigningAlg): KeyObject {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      // Separate RSA keys for RS256 and PS256: one key, one algorithm (RFC 8725 §3.1).
      return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    case 'EdDSA':
      return generateKeyPairSync('ed25519').privateKey;
  }
}

function fitsAlg(key: KeyObject, alg: OidcSigningAlg): boolean {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
    case 'ES256':
      return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    case 'EdDSA':
      return key.asymmetricKeyType === 'ed25519';
  }
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of a public JWK. */
export function jwkThumbprint(jwk: Record<string, unknown>): string {
  const members: Record<string, readonly string[]> = { RSA: ['e', 'kty', 'n'], EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'] };
  const names = members[String(jwk['kty'])];
  if (!names) throw new Error(`no thumbprint for kty ${String(jwk['kty'])}`);
  const canonical = `{${names.map((n) => `${JSON.stringify(n)}:${JSON.stringify(jwk[n])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** The JWKs of a private key: `kid` is `<issuer>-<alg>-<thumbprint prefix>`, stable for the key. */
export function signingKeyFrom(issuerId: string, alg: OidcSigningAlg, privateKey: KeyObject, source: SigningKey['source']): SigningKey {
  const pub = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, unknown>;
  const kid = `${issuerId}-${alg.toLowerCase()}-${jwkThumbprint(pub).slice(0, 12)}`;
  const meta = { kid, alg, use: 'sig' };
  return {
    alg,
    kid,
    privateKey,
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>), ...meta },
    publicJwk: { ...pub, ...meta },
    source,
    createdAt: new Date().toISOString(),
  };
}

/**
 * The issuer's keys from the certs folder, generating (once) any that is missing. The order is
 * the signing preference: oidc-provider signs with the first key that fits the algorithm.
 */
export function loadIssuerKeys(certsDir: string, issuerId: string): SigningKey[] {
  const dir = issuerKeyDir(certsDir, issuerId);
  return OIDC_SIGNING_ALGS.map((alg) => {
    const file = join(dir, keyFile(alg));
    let pem: string | undefined;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw pkiError(file, (e as Error).message);
    }
    let key: KeyObject;
    if (pem === undefined) {
      key = generatePrivateKey(alg);
      writeAtomically(dir, file, key.export({ format: 'pem', type: 'pkcs8' }) as string);
    } else {
      try {
        key = createPrivateKey(pem);
      } catch (e) {
        throw pkiError(file, `not a readable private key: ${(e as Error).message}`);
      }
      if (!fitsAlg(key, alg)) throw pkiError(file, `not a key for ${alg}; delete it to have a new one generated`);
    }
    return signingKeyFrom(issuerId, alg, key, 'pki');
  });
}

function writeAtomically(dir: string, file: string, content: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, content, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (e) {
    throw pkiError(file, `cannot write a new key: ${(e as Error).message}`);
  }
}

function pkiError(file: string, message: string): IdpError {
  return new IdpError('ERR_PKI_MISSING', `OIDC signing key ${file}: ${message}`);
}
