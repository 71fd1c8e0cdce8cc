import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';

/** What the certificate rules need to know about one X.509 certificate. */
export interface CertificateInfo {
  subject: string;
  notBefore: number;
  notAfter: number;
  sha256Fingerprint: string;
  keyType: string;
  /** RSA modulus bits, or the EC curve size in bits. */
  keyBits: number | undefined;
  curve: string | undefined;
  /** The certificate's own signature algorithm, by name (e.g. sha256WithRSAEncryption). */
  signatureAlgorithm: string;
  /** The hash of that signature algorithm: 'sha1', 'md5', 'sha256', … or 'intrinsic' (Ed25519), 'unknown'. */
  signatureHash: string;
  selfSigned: boolean;
}

/**
 * Certificate signature algorithm OIDs (RFC 3279 §2.2, RFC 4055 §5, RFC 5758 §3.2, RFC 8410 §3)
 * and the hash each uses. node:crypto's X509Certificate (Node 20) does not expose the algorithm,
 * so it is read from the DER: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, … }.
 */
const SIGNATURE_OIDS: Readonly<Record<string, { name: string; hash: string }>> = {
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512' },
  '1.2.840.113549.1.1.10': { name: 'RSASSA-PSS', hash: 'pss' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512' },
  '1.2.840.10040.4.3': { name: 'dsa-with-sha1', hash: 'sha1' },
  '1.3.101.112': { name: 'Ed25519', hash: 'intrinsic' },
  '1.3.101.113': { name: 'Ed448', hash: 'intrinsic' },
};

const CURVE_BITS: Readonly<Record<string, number>> = { prime256v1: 256, 'P-256': 256, secp384r1: 384, 'P-384': 384, secp521r1: 521, 'P-521': 521, secp224r1: 224, secp256k1: 256 };

/** Hashes too weak for a signature (SHAttered, 2017; RFC 6151 for MD5). */
export const WEAK_HASHES: ReadonlySet<string> = new Set(['sha1', 'md5']);

/** Parses a base64 DER certificate (ds:X509Certificate content); throws when it is not one. */
export function certificateInfo(base64: string): CertificateInfo {
  const der = Buffer.from(base64.replace(/\s+/g, ''), 'base64');
  const cert = new X509Certificate(der);
  const oid = signatureOid(der);
  const alg = SIGNATURE_OIDS[oid] ?? { name: oid, hash: 'unknown' };
  const details = cert.publicKey.asymmetricKeyDetails ?? {};
  const keyType = cert.publicKey.asymmetricKeyType ?? 'unknown';
  const curve = details.namedCurve;
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    notBefore: Date.parse(cert.validFrom),
    notAfter: Date.parse(cert.validTo),
    sha256Fingerprint: cert.fingerprint256,
    keyType,
    keyBits: details.modulusLength ?? (curve ? CURVE_BITS[curve] : undefined),
    curve,
    signatureAlgorithm: alg.name,
    signatureHash: alg.hash,
    selfSigned: cert.checkIssued(cert) && safeVerify(cert),
  };
}

function safeVerify(cert: X509Certificate): boolean {
  try {
    return cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

function signatureOid(der: Buffer): string {
  const asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  const seq = asn1.value as forge.asn1.Asn1[];
  const algId = seq[1]?.value as forge.asn1.Asn1[] | undefined;
  const oid = algId?.[0];
  if (!oid || oid.type !== forge.asn1.Type.OID) return 'unknown';
  return forge.asn1.derToOid(forge.util.createBuffer(oid.value as string));
}

/** A short name for messages: the subject's CN when there is one, and the fingerprint's start. */
export function certificateLabel(info: CertificateInfo): string {
  const cn = /CN=([^,]+)/.exec(info.subject)?.[1] ?? info.subject;
  return `certificate '${cn}' (SHA-256 ${info.sha256Fingerprint.slice(0, 11)}…)`;
}
