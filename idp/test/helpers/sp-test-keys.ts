import { X509Certificate, type KeyObject } from 'node:crypto';
import { throwawayCert } from './throwaway-cert.js';

/**
 * Keys for a test service provider (or a test attacker), in the shape SP libraries take them.
 * Generated in the test by throwawayCert, never read from certs/.
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
  const t = throwawayCert(commonName);
  const cert = new X509Certificate(t.certPem);
  return { privateKeyPem: t.keyPem, privateKey: t.privateKey, certPem: t.certPem, cert, publicKey: cert.publicKey };
}
