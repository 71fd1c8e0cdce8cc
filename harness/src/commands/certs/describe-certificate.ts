import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import forge from 'node-forge';
import { dotnetIssuerName, dotnetSubjectName } from '../../../../idp/src/pki/dotnet-dn.js';

/** What `certs show` reports for one certificate file (harness/schemas/certs-show.schema.json). */
export interface CertificateDescription {
  file: string;
  path: string;
  /** As AD FS (.NET `X500DistinguishedName.Name`) shows it: most specific first, `, `-separated. */
  subject: string;
  issuer: string;
  selfSigned: boolean;
  ca: boolean;
  /** Upper-case hex, as `Get-AdfsCertificate` shows SerialNumber. */
  serialNumber: string;
  /** `DNS:name` and `IP:address` entries of subjectAltName. */
  subjectAltNames: string[];
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter (negative once expired), on this machine's clock. */
  daysLeft: number;
  expired: boolean;
  key: { type: string; bits?: number; curve?: string };
  signatureAlgorithm: string;
  /**
   * Thumbprints of the DER certificate. AD FS (`Get-AdfsCertificate`, the MMC, relying-party
   * trusts) shows the SHA-1 one as 40 upper-case hex digits with no separators; tools like openssl
   * and browsers show the colon form.
   */
  thumbprints: { sha1: string; sha1Colon: string; sha256: string; sha256Colon: string };
  /** Whether the sibling `.key` file exists and matches (`null`: no key file beside it). */
  privateKeyMatches: boolean | null;
}

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

const DAY_MS = 86_400_000;

/** Describes the certificate in `pem`; `keyPem` is the private key file beside it, if any. */
export function describeCertificate(file: string, path: string, pem: string, keyPem: string | undefined, now = Date.now()): CertificateDescription {
  const x = new X509Certificate(pem);
  const notAfter = new Date(x.validTo);
  const details = x.publicKey.asymmetricKeyDetails ?? {};
  const type = x.publicKey.asymmetricKeyType ?? 'unknown';
  return {
    file,
    path,
    subject: dotnetSubjectName(x),
    issuer: dotnetIssuerName(x),
    selfSigned: x.checkIssued(x) && x.verify(x.publicKey),
    ca: x.ca,
    serialNumber: x.serialNumber.toUpperCase(),
    subjectAltNames: (x.subjectAltName ?? '')
      .split(', ')
      .filter(Boolean)
      .map((s) => s.replace(/^IP Address:/, 'IP:')),
    notBefore: new Date(x.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now) / DAY_MS),
    expired: notAfter.getTime() <= now,
    key: {
      type: type === 'rsa' || type === 'rsa-pss' ? 'RSA' : type === 'ec' ? 'EC' : type.toUpperCase(),
      ...(details.modulusLength === undefined ? {} : { bits: details.modulusLength }),
      ...(details.namedCurve === undefined ? {} : { curve: details.namedCurve }),
    },
    signatureAlgorithm: signatureAlgorithm(x.raw),
    thumbprints: thumbprints(x.raw),
    privateKeyMatches: keyPem === undefined ? null : keyMatches(x, keyPem),
  };
}

export function thumbprints(der: Buffer): CertificateDescription['thumbprints'] {
  const sha1 = createHash('sha1').update(der).digest('hex').toUpperCase();
  const sha256 = createHash('sha256').update(der).digest('hex').toUpperCase();
  const colon = (hex: string) => hex.match(/../g)!.join(':');
  return { sha1, sha1Colon: colon(sha1), sha256, sha256Colon: colon(sha256) };
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signature } (RFC 5280 §4.1). */
function signatureAlgorithm(der: Buffer): string {
  try {
    const cert = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
    const algId = (cert.value as forge.asn1.Asn1[])[1]!;
    const oid = forge.asn1.derToOid(forge.util.createBuffer((algId.value as forge.asn1.Asn1[])[0]!.value as string));
    return SIGNATURE_ALGORITHMS[oid] ?? oid;
  } catch {
    return 'unknown';
  }
}

function keyMatches(x: X509Certificate, keyPem: string): boolean {
  try {
    return x.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}
