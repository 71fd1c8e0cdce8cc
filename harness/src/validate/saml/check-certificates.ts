import { certificateInfo, certificateLabel, WEAK_HASHES, type CertificateInfo } from '../certificate-info.js';
import { EXPIRY_WARNING_DAYS, type CheckOptions } from '../options.js';
import type { Findings, Level } from '../report.js';
import type { IdpMetadata } from './read-metadata.js';

const DAY = 86_400_000;

/** A signing certificate of the IDPSSODescriptor, parsed (or why it could not be). */
export interface SigningCertificate {
  base64: string;
  info: CertificateInfo;
}

/**
 * The IdP's signing certificates: KeyDescriptor use="signing" or without `use` (saml-metadata
 * §2.4.1.1: "if omitted, the key can be used for either purpose"). They are what CXone's admin
 * uploads (reference B.2.1) and what IdS reads from the metadata (A.1.6) to check every response.
 */
export function signingCertificates(md: IdpMetadata, findings: Findings): SigningCertificate[] {
  const seen = new Set<string>();
  const out: SigningCertificate[] = [];
  for (const key of md.keys) {
    if (key.use !== undefined && key.use !== 'signing') continue;
    for (const base64 of key.certificates) {
      if (seen.has(base64)) continue;
      seen.add(base64);
      try {
        out.push({ base64, info: certificateInfo(base64) });
      } catch (e) {
        findings.fail('saml.cert.parse', `A signing ds:X509Certificate is not a DER X.509 certificate (${(e as Error).message}); re-export the metadata.`, { spec: 'xmldsig-core §4.4.4' });
      }
    }
  }
  return out;
}

/** Validity dates, key, algorithm and issuer of each signing certificate. */
export function checkCertificates(certs: SigningCertificate[], findings: Findings, o: CheckOptions): void {
  if (certs.length === 0) {
    findings.fail('saml.cert.present', 'The IDPSSODescriptor has no signing certificate (KeyDescriptor use="signing" with ds:X509Certificate): no SP can check the IdP’s signatures.', {
      spec: 'saml-metadata §2.4.1.1',
    });
    return;
  }
  findings.pass('saml.cert.present', `${certs.length} signing certificate(s) in the IDPSSODescriptor.`);
  const valid = certs.filter((c) => c.info.notBefore <= o.now && o.now < c.info.notAfter);
  // Dates: SAML SPs pin the key, and many ignore the dates; CXone does not — its admin page
  // refuses an expired or not-yet-valid certificate at upload (the lab: ERR_CXONE_CERT_EXPIRED).
  // So for --target cxone a date problem fails unless another signing certificate is valid now
  // (AD FS rollover publishes two).
  const dateLevel: Level = o.target === 'cxone' && valid.length === 0 ? 'fail' : 'warn';
  const weak = certs.filter((c) => WEAK_HASHES.has(c.info.signatureHash));
  for (const { info } of certs) {
    const subject = certificateLabel(info);
    if (o.now >= info.notAfter) {
      findings.add('saml.cert.expired', dateLevel, `Expired on ${iso(info.notAfter)}. Renew the token-signing certificate at the IdP and publish the new one (AD FS: Update-AdfsCertificate, or AutoCertificateRollover).`, { subject });
    } else {
      findings.pass('saml.cert.expired', `Valid until ${iso(info.notAfter)}.`, { subject });
    }
    if (o.now < info.notBefore) {
      findings.add('saml.cert.not-yet-valid', dateLevel, `Not valid before ${iso(info.notBefore)}; check the IdP's clock, or wait until then before switching to it.`, { subject });
    } else {
      findings.pass('saml.cert.not-yet-valid', `Valid since ${iso(info.notBefore)}.`, { subject });
    }
    if (o.now < info.notAfter && info.notAfter - o.now < EXPIRY_WARNING_DAYS * DAY) {
      const days = Math.ceil((info.notAfter - o.now) / DAY);
      findings.warn('saml.cert.expiring', `Expires in ${days} day(s), on ${iso(info.notAfter)}: plan the rollover now, and upload the new certificate to CXone / IdS before it signs anything.`, { subject });
    } else if (o.now < info.notAfter) {
      findings.pass('saml.cert.expiring', `More than ${EXPIRY_WARNING_DAYS} days left.`, { subject });
    }
    checkKey(info, subject, findings, o);
    // Weak hash in the certificate's own signature: SHA-1 collisions are practical (SHAttered,
    // 2017); FICAM and most SPs want SHA-256. Only SHA-1 certificates: fail; a SHA-1 one next to
    // a SHA-256 one (rollover in progress): warn.
    if (WEAK_HASHES.has(info.signatureHash)) {
      const only = weak.length === certs.length;
      findings.add('saml.cert.signature-algorithm', only ? 'fail' : 'warn', `Signed with ${info.signatureAlgorithm}${only ? ', and no signing certificate uses SHA-256' : ''}: reissue it with sha256WithRSAEncryption (AD FS issues SHA-256 certificates by default).`, { subject });
    } else {
      findings.pass('saml.cert.signature-algorithm', `Signed with ${info.signatureAlgorithm}.`, { subject });
    }
    findings.pass(
      'saml.cert.self-signed',
      info.selfSigned
        ? 'Self-signed, as AD FS issues its token-signing certificates: fine, SAML SPs trust this exact certificate, not a chain.'
        : `Issued by a CA: fine, but CXone and IdS trust this exact certificate, not its CA; a renewed certificate must be uploaded again.`,
      { subject },
    );
  }
}

function checkKey(info: CertificateInfo, subject: string, findings: Findings, o: CheckOptions): void {
  if (info.keyType === 'rsa' || info.keyType === 'rsa-pss') {
    // NIST SP 800-131A Rev.2 §3: RSA keys below 2048 bits are disallowed for signatures.
    if ((info.keyBits ?? 0) < 2048) findings.fail('saml.cert.key-size', `RSA key of ${info.keyBits} bits; at least 2048 are required. Generate a new 2048-bit (or larger) key pair and certificate.`, { subject, spec: 'NIST SP 800-131A Rev.2 §3' });
    else findings.pass('saml.cert.key-size', `RSA key of ${info.keyBits} bits.`, { subject });
    findings.pass('saml.cert.key-type', 'RSA key: what AD FS, CXone and IdS use.', { subject });
    return;
  }
  if (info.keyType === 'ec') {
    if ((info.keyBits ?? 0) < 256) findings.fail('saml.cert.key-size', `EC key on ${info.curve}; at least P-256 is required.`, { subject, spec: 'NIST SP 800-131A Rev.2 §3' });
    else findings.pass('saml.cert.key-size', `EC key on ${info.curve}.`, { subject });
  } else {
    findings.pass('saml.cert.key-size', `${info.keyType} key.`, { subject });
  }
  // The SAML SPs this lab emulates verify rsa-sha256 / rsa-sha1 signatures only (AD FS's two
  // algorithms, reference §1.4); an EC or EdDSA signing key would fail every sign-in there.
  findings.add('saml.cert.key-type', o.target ? 'fail' : 'warn', `${info.keyType.toUpperCase()} key: CXone and IdS check RSA signatures (rsa-sha256); use an RSA signing certificate.`, { subject });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
