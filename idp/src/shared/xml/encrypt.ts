import { constants, createCipheriv, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import {
  AES256_CBC,
  DIGEST_SHA1,
  DSIG_NS,
  RSA_OAEP_MGF1P,
  SAML_ASSERTION_NS,
  XMLENC_ELEMENT,
  XMLENC_NS,
} from './algorithms.js';
import { el, type XmlNode } from './tree.js';

export interface EncryptionRecipient {
  /** The SP's encryption public key (from its certificate). */
  publicKey: KeyObject;
  /** Issuer DN of the SP's certificate in .NET rendering, e.g. "CN=ADFS Encryption - host". */
  issuerName: string;
  /** Serial number of the SP's certificate, in decimal. */
  serialNumber: string;
}

/**
 * `<EncryptedAssertion>` exactly as AD FS writes it when the RP trust has EncryptClaims on
 * (reference §1.5, bytes from Cisco TAC doc 217268):
 *  - data: AES-256-CBC (XML Encryption §5.2.2). §5.2 says the IV is prefixed to the cipher text
 *    and the plaintext is padded with N > 0 octets whose last octet holds N (the others are
 *    arbitrary); node:crypto's PKCS#7 padding is one such padding;
 *  - key: RSA-OAEP with MGF1/SHA-1 (§5.4.2) and an explicit SHA-1 DigestMethod, which AD FS
 *    writes unprefixed, in the dsig default namespace declared by the enclosing KeyInfo;
 *  - the recipient key is named by X509IssuerSerial, not by certificate.
 *
 * `assertionXml` is the serialized, already signed Assertion (AD FS signs, then encrypts: the
 * signature is inside the ciphertext). It should declare its own namespaces: after decryption
 * (XML Encryption §4, Type=Element) the plaintext replaces EncryptedData and is parsed there, and
 * a self-contained assertion canonicalizes the same wherever it lands, so its signature holds.
 */
export function encryptAssertion(assertionXml: string, r: EncryptionRecipient): XmlNode {
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv); // PKCS#7 padding is node's default
  const data = Buffer.concat([iv, cipher.update(assertionXml, 'utf8'), cipher.final()]);
  const wrappedKey = publicEncrypt(
    { key: r.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    key,
  );

  return el('EncryptedAssertion', { xmlns: SAML_ASSERTION_NS }, [
    el('xenc:EncryptedData', { Type: XMLENC_ELEMENT, 'xmlns:xenc': XMLENC_NS }, [
      el('xenc:EncryptionMethod', { Algorithm: AES256_CBC }),
      el('KeyInfo', { xmlns: DSIG_NS }, [
        el('e:EncryptedKey', { 'xmlns:e': XMLENC_NS }, [
          el('e:EncryptionMethod', { Algorithm: RSA_OAEP_MGF1P }, [el('DigestMethod', { Algorithm: DIGEST_SHA1 })]),
          el('KeyInfo', undefined, [
            el('ds:X509Data', { 'xmlns:ds': DSIG_NS }, [
              el('ds:X509IssuerSerial', undefined, [
                el('ds:X509IssuerName', undefined, [r.issuerName]),
                el('ds:X509SerialNumber', undefined, [r.serialNumber]),
              ]),
            ]),
          ]),
          el('e:CipherData', undefined, [el('e:CipherValue', undefined, [wrappedKey.toString('base64')])]),
        ]),
      ]),
      el('xenc:CipherData', undefined, [el('xenc:CipherValue', undefined, [data.toString('base64')])]),
    ]),
  ]);
}
