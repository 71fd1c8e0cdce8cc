import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

/** A test-only RSA-2048 key and self-signed certificate shaped like AD FS's (reference §1.2). */
export interface ThrowawayCert {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyPem: string;
  certPem: string;
  /** DER, base64, one line (what goes in ds:X509Certificate). */
  certBase64: string;
  /** .NET-style issuer DN, e.g. "CN=ADFS Signing - host". */
  issuerName: string;
  /** Serial number in decimal. */
  serialNumber: string;
}

/** Generate once per test file: RSA keygen costs tens of milliseconds. */
export function throwawayCert(cn: string): ThrowawayCert {
  const { privateKey: keyPem } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15)); // positive, 16 bytes
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const attrs = [{ name: 'commonName', value: cn }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(key, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const certBase64 = forge.util.encode64(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes());
  const privateKey = createPrivateKey(keyPem);
  return {
    privateKey,
    publicKey: createPublicKey(privateKey),
    keyPem,
    certPem,
    certBase64,
    issuerName: `CN=${cn}`,
    serialNumber: BigInt('0x' + cert.serialNumber).toString(10),
  };
}
