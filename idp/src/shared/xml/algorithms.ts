/**
 * Every URI the outbound XML core writes, in one place, so verifiers and tests compare against
 * the same constants. The values are the identifiers AD FS emits (reference §1.3–§1.5).
 */

/** XML-DSig namespace (XML Signature Syntax and Processing, §4). */
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
/** XML Encryption namespace (XML Encryption Syntax and Processing, §3). */
export const XMLENC_NS = 'http://www.w3.org/2001/04/xmlenc#';
/** SAML 2.0 assertion namespace (saml-core §2); EncryptedAssertion lives here. */
export const SAML_ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';

/** Exclusive XML Canonicalization 1.0, without comments. */
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
/** XML-DSig §6.6.4 enveloped-signature transform. */
export const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const DIGEST_SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const DIGEST_SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';

/** XML Encryption §5.2.2 AES-256-CBC block encryption. */
export const AES256_CBC = 'http://www.w3.org/2001/04/xmlenc#aes256-cbc';
/** XML Encryption §5.4.2 RSA-OAEP key transport (MGF1 with SHA-1). */
export const RSA_OAEP_MGF1P = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';
/** XML Encryption §3.1 EncryptedData Type: the plaintext is one element. */
export const XMLENC_ELEMENT = 'http://www.w3.org/2001/04/xmlenc#Element';

export type SignatureAlgorithm = 'rsa-sha256' | 'rsa-sha1';

/**
 * Signature method, digest method and the node:crypto hash behind both. AD FS's
 * `SignatureAlgorithm` RP setting picks the pair (reference §1.4; the digest pairing is [M]).
 */
export const SIGNATURE_ALGORITHMS: Readonly<
  Record<SignatureAlgorithm, { signatureUri: string; digestUri: string; hash: 'sha256' | 'sha1' }>
> = {
  'rsa-sha256': { signatureUri: RSA_SHA256, digestUri: DIGEST_SHA256, hash: 'sha256' },
  'rsa-sha1': { signatureUri: RSA_SHA1, digestUri: DIGEST_SHA1, hash: 'sha1' },
};
