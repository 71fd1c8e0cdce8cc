import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

/**
 * Keys for a test service provider (or a test attacker): an RSA-2048 key from node:crypto and a
 * self-signed certificate from node-forge. Generated in the test, never read from certs/.
 */
export interface SpTestKeys {
  /** PKCS#8 PEM, the form node-saml's `privateKey` option and xml-crypto accept. */
  privateKeyPem: string;
  privateKey: KeyObject;
  certPem: string;
  /** What a relying-party trust would hold. */
  cert: X509Certificate;
  publicKey: KeyObject;
}

export function spTestKeys(commonName: string): SpTestKeys {
  const { privateKey: privateKeyPem } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(8));
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const name = [{ name: 'commonName', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(key, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const x509 = new X509Certificate(certPem);
  return { privateKeyPem, privateKey: createPrivateKey(privateKeyPem), certPem, cert: x509, publicKey: x509.publicKey };
}
