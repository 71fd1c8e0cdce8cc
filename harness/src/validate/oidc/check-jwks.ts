import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { fetchText, InputError, isUrl } from '../read-input.js';
import type { Findings } from '../report.js';
import { list, str, type Discovery } from './discovery-document.js';

/** A JWKS is a few KB; 256 KiB is far beyond any real one. */
const MAX_JWKS_BYTES = 256 * 1024;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** Key types and curves each JWS algorithm needs (RFC 7518 §3.1, RFC 8037 §3.1). */
function keyFits(alg: string, jwk: Record<string, unknown>): boolean {
  if (/^(RS|PS)\d+$/.test(alg)) return jwk['kty'] === 'RSA';
  if (alg === 'ES256') return jwk['kty'] === 'EC' && jwk['crv'] === 'P-256';
  if (alg === 'ES384') return jwk['kty'] === 'EC' && jwk['crv'] === 'P-384';
  if (alg === 'ES512') return jwk['kty'] === 'EC' && jwk['crv'] === 'P-521';
  if (alg === 'EdDSA' || alg === 'Ed25519') return jwk['kty'] === 'OKP' && (jwk['crv'] === 'Ed25519' || (alg === 'EdDSA' && jwk['crv'] === 'Ed448'));
  return false;
}

/** What the key checks found, for the iGov rules. */
export interface JwksSummary {
  keys: Array<Record<string, unknown>>;
}

/**
 * The provider's JWK Set (jwks_uri), fetched and read: public keys only, usable for the advertised
 * ID token algorithms, RSA ≥ 2048 bits, and a `kid` on each key when there are several (OIDC Core
 * §10.1: "If there are multiple keys in the referenced JWK Set document, a kid value MUST be
 * provided in the JOSE Header", which only works when the keys carry one).
 */
export async function checkJwks(d: Discovery, ca: string[] | undefined, findings: Findings): Promise<JwksSummary | undefined> {
  const uri = str(d, 'jwks_uri');
  if (!uri) return undefined; // reported by oidc.required-fields
  if (!isUrl(uri)) {
    findings.fail('oidc.jwks.fetch', `jwks_uri '${uri}' is not an absolute http(s) URL.`, { subject: uri, spec: 'OpenID Connect Discovery 1.0 §3' });
    return undefined;
  }
  let text: string;
  try {
    text = (await fetchText(uri, { ca, maxBytes: MAX_JWKS_BYTES, what: 'the JWKS', timeoutMs: 10_000 })).text;
  } catch (e) {
    findings.fail('oidc.jwks.fetch', `The JWKS could not be fetched: ${e instanceof InputError ? e.message : (e as Error).message}`, { subject: uri, spec: 'OpenID Connect Discovery 1.0 §3' });
    return undefined;
  }
  let set: unknown;
  try {
    set = JSON.parse(text);
  } catch {
    set = undefined;
  }
  const keys = (set as { keys?: unknown } | undefined)?.keys;
  if (!Array.isArray(keys) || keys.some((k) => k === null || typeof k !== 'object' || Array.isArray(k))) {
    findings.fail('oidc.jwks.fetch', 'The jwks_uri does not return a JWK Set ({"keys": [...]}).', { subject: uri, spec: 'RFC 7517 §5' });
    return undefined;
  }
  findings.pass('oidc.jwks.fetch', `Fetched: ${keys.length} key(s).`, { subject: uri, spec: 'RFC 7517 §5' });
  const jwks = keys as Array<Record<string, unknown>>;
  const signing = jwks.filter((k) => k['use'] !== 'enc');

  for (const [i, k] of jwks.entries()) {
    const subject = `key ${typeof k['kid'] === 'string' ? `'${k['kid']}'` : `#${i}`} (${String(k['kty'])})`;
    const secret = PRIVATE_MEMBERS.filter((m) => m in k);
    if (secret.length > 0 || k['kty'] === 'oct') {
      findings.fail('oidc.jwks.private-material', `The published key contains private or secret members (${secret.join(', ') || 'kty oct'}): anyone can sign as this provider. Replace the key now and publish only its public part.`, { subject, spec: 'RFC 7518 §6.3.2, §6.4' });
      continue;
    }
    let bits: number | undefined;
    try {
      bits = createPublicKey({ key: k as JsonWebKey, format: 'jwk' }).asymmetricKeyDetails?.modulusLength;
    } catch (e) {
      findings.fail('oidc.jwks.key-valid', `Not a usable public key: ${(e as Error).message}.`, { subject, spec: 'RFC 7517 §4, RFC 7518 §6' });
      continue;
    }
    findings.pass('oidc.jwks.key-valid', 'A usable public key.', { subject, spec: 'RFC 7517 §4' });
    if (k['kty'] === 'RSA') {
      if ((bits ?? 0) < 2048) findings.fail('oidc.jwks.rsa-size', `RSA key of ${bits} bits; at least 2048 are required.`, { subject, spec: 'RFC 7518 §3.3; NIST SP 800-131A Rev.2 §3' });
      else findings.pass('oidc.jwks.rsa-size', `RSA key of ${bits} bits.`, { subject, spec: 'RFC 7518 §3.3' });
    }
    const alg = k['alg'];
    if (typeof alg === 'string' && k['use'] !== 'enc' && !keyFits(alg, k) && !/^(RSA|ECDH|A\d+)/.test(alg)) {
      findings.fail('oidc.jwks.key-alg', `The key says alg ${alg}, which a ${String(k['kty'])} key cannot produce.`, { subject, spec: 'RFC 7517 §4.4' });
    }
  }

  const missingKid = signing.filter((k) => typeof k['kid'] !== 'string' || k['kid'] === '');
  if (missingKid.length === 0) findings.pass('oidc.jwks.kid', 'Every signing key has a kid.', { spec: 'OpenID Connect Core 1.0 §10.1' });
  else if (signing.length > 1) findings.fail('oidc.jwks.kid', `${missingKid.length} of ${signing.length} signing keys have no kid: RPs cannot tell which key signed a token.`, { spec: 'OpenID Connect Core 1.0 §10.1' });
  else findings.warn('oidc.jwks.kid', 'The signing key has no kid; adding a second key during rollover will break RPs until it has one.', { spec: 'OpenID Connect Core 1.0 §10.1' });

  // Each advertised ID token algorithm needs a key that can produce it.
  for (const alg of list(d, 'id_token_signing_alg_values_supported') ?? []) {
    if (alg === 'none' || /^HS\d+$/.test(alg)) continue;
    const fits = signing.some((k) => keyFits(alg, k) && (typeof k['alg'] !== 'string' || k['alg'] === alg));
    if (fits) findings.pass('oidc.jwks.alg-coverage', 'A key in the JWKS fits.', { subject: alg, spec: 'OpenID Connect Core 1.0 §10.1' });
    else findings.add('oidc.jwks.alg-coverage', alg === 'RS256' ? 'fail' : 'warn', `${alg} is advertised for ID tokens, but no signing key in the JWKS fits it.`, { subject: alg, spec: 'OpenID Connect Core 1.0 §10.1' });
  }
  return { keys: jwks };
}
