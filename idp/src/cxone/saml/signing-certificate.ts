import { X509Certificate } from 'node:crypto';
import type { IdpErrorCode } from '../../shared/errors.js';

/** What the admin page shows of an uploaded IdP signing certificate. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  sha256Fingerprint: string;
}

export type CertificateCheck =
  | { ok: true; pem: string; summary: CertificateSummary }
  | { ok: false; code: IdpErrorCode; message: string };

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n?([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/;

/**
 * The upload rule of seed 002 step 3.7: "the file must be a PEM file: a text file whose first line
 * contains BEGIN CERTIFICATE". One certificate is taken (the IdP's signing certificate); a file
 * with a chain uses its first block. Expired and not-yet-valid certificates are refused with the
 * dates, on the lab clock, because a SAML response signed by them could never be trusted.
 */
export function checkSigningCertificate(text: string, now: number): CertificateCheck {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  if (!firstLine.includes('BEGIN CERTIFICATE')) {
    return { ok: false, code: 'ERR_CXONE_CERT_NOT_PEM', message: 'The certificate must be a PEM file whose first line contains BEGIN CERTIFICATE.' };
  }
  const block = PEM_BLOCK.exec(text);
  if (!block) return { ok: false, code: 'ERR_CXONE_CERT_MALFORMED', message: 'The PEM file has no complete CERTIFICATE block (BEGIN … END CERTIFICATE).' };
  const body = block[1]!.replace(/\s+/g, '');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(body, 'base64'));
  } catch {
    return { ok: false, code: 'ERR_CXONE_CERT_MALFORMED', message: 'The CERTIFICATE block is not a valid X.509 certificate.' };
  }
  const notBefore = Date.parse(cert.validFrom);
  const notAfter = Date.parse(cert.validTo);
  if (now >= notAfter) {
    return { ok: false, code: 'ERR_CXONE_CERT_EXPIRED', message: `The certificate expired on ${new Date(notAfter).toISOString()}.` };
  }
  if (now < notBefore) {
    return { ok: false, code: 'ERR_CXONE_CERT_NOT_YET_VALID', message: `The certificate is not valid before ${new Date(notBefore).toISOString()}.` };
  }
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  return {
    ok: true,
    pem,
    summary: {
      subject: cert.subject.replace(/\n/g, ', '),
      issuer: cert.issuer.replace(/\n/g, ', '),
      notBefore: new Date(notBefore).toISOString(),
      notAfter: new Date(notAfter).toISOString(),
      sha256Fingerprint: cert.fingerprint256,
    },
  };
}
