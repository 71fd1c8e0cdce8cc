import { X509Certificate, type KeyObject } from 'node:crypto';
import { IdpError } from '../../shared/errors.js';
import {
  DIGEST_SHA1,
  DIGEST_SHA256,
  ENVELOPED_SIGNATURE,
  EXC_C14N,
  RSA_SHA1,
  RSA_SHA256,
  type SignatureAlgorithm,
} from '../../shared/xml/algorithms.js';

/**
 * What the inbound verifiers accept, in one place (reference §4.1 items 3, 4, 5 and 13).
 * Everything not listed is refused; nothing falls back to a weaker choice.
 */

export type { SignatureAlgorithm } from '../../shared/xml/algorithms.js';

/** Keys from the relying-party trust (its configured certificates), never from the message. */
export type TrustedKeys = readonly (X509Certificate | KeyObject)[];

/** SigAlg / SignatureMethod URIs → the RP-trust setting they correspond to (AD FS supports these two). */
const SIGNATURE_METHODS: ReadonlyMap<string, { alg: SignatureAlgorithm; hash: 'sha256' | 'sha1' }> = new Map([
  [RSA_SHA256, { alg: 'rsa-sha256', hash: 'sha256' }],
  [RSA_SHA1, { alg: 'rsa-sha1', hash: 'sha1' }],
] as const);

/** Inclusive C14N 1.0 without comments (the XML-DSig default when a node-set must become octets). */
export const C14N_10 = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';

/** CanonicalizationMethod / c14n Transform allow-list: no `#WithComments`, no C14N 1.1 (reference §4.1 item 3). */
export const ALLOWED_C14N: ReadonlySet<string> = new Set([EXC_C14N, C14N_10]);
export { ENVELOPED_SIGNATURE, EXC_C14N };

/** DigestMethod allow-list: the two digests AD FS pairs with its two signature algorithms. */
export const ALLOWED_DIGESTS: ReadonlySet<string> = new Set([DIGEST_SHA256, DIGEST_SHA1]);

/**
 * Maps a SigAlg/SignatureMethod URI to its algorithm, refusing unknown ones and any that differ
 * from the relying party's configured algorithm. AD FS MSIS7093 (reference §1.8 item 3): "The
 * message is not signed with expected signature algorithm." Never a silent downgrade.
 */
export function checkSignatureMethod(uri: string, expected: SignatureAlgorithm | readonly SignatureAlgorithm[]): 'sha256' | 'sha1' {
  const method = SIGNATURE_METHODS.get(uri);
  if (!method || (typeof expected !== 'string' && !expected.includes(method.alg))) {
    throw new IdpError('ERR_SAML_SIGNATURE_ALGORITHM', 'The message is signed with an unsupported algorithm.', {
      debug: `signature algorithm ${uri} is not allowed`,
    });
  }
  if (typeof expected === 'string' && method.alg !== expected) {
    const message = 'The message is not signed with the expected signature algorithm.';
    throw new IdpError('ERR_SAML_SIGNATURE_ALGORITHM', message, {
      debug:
        `Message is signed with signature algorithm ${uri}. ` +
        `Expected signature algorithm ${expectedUri(expected)}.`,
      details: { msis: 'MSIS7093' },
    });
  }
  return method.hash;
}

function expectedUri(alg: SignatureAlgorithm): string {
  return alg === 'rsa-sha256' ? RSA_SHA256 : RSA_SHA1;
}

/**
 * The RSA public keys to try. An empty list means no trust is configured, which is a failure,
 * never a reason to skip verification (reference §4.1 item 13, CVE-2026-28323 class). Non-RSA
 * keys cannot have produced an rsa-* signature and are skipped.
 */
export function trustedRsaKeys(certs: TrustedKeys): KeyObject[] {
  const keys = certs
    .map((c) => (c instanceof X509Certificate ? c.publicKey : c))
    .filter((k) => k.asymmetricKeyType === 'rsa');
  if (keys.length === 0) {
    throw new IdpError('ERR_SAML_SIGNATURE_INVALID', 'The message signature cannot be verified.', {
      debug: 'no RSA signing certificate is configured for this relying party',
    });
  }
  return keys;
}
