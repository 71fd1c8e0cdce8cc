import { constants, createDecipheriv, privateDecrypt } from 'node:crypto';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { XmlC14NMode, XmlDocument } from 'libxml2-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { excC14n } from '../../src/shared/xml/c14n.js';
import { encryptAssertion } from '../../src/shared/xml/encrypt.js';
import { toXml } from '../../src/shared/xml/serialize.js';
import { signEnveloped } from '../../src/shared/xml/sign.js';
import { findChild, type XmlNode } from '../../src/shared/xml/tree.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { throwawayCert, type ThrowawayCert } from '../helpers/throwaway-cert.js';
import { ASSERTION_SIGNATURE_XPATH, xmlsec1Decrypt, xmlsec1Verify } from '../helpers/xmlsec1.js';
import {
  ACS_URL,
  adfsAssertion,
  adfsResponse,
  CLAIM_EMAIL,
  CLAIM_GROUP,
  FS_ISSUER,
  shape,
  SP_ENTITY,
} from './adfs-shaped.js';

let idp: ThrowawayCert;
let sp: ThrowawayCert;
let otherSp: ThrowawayCert;
beforeAll(() => {
  idp = throwawayCert('ADFS Signing - fs.example.test');
  sp = throwawayCert('SP Encryption - sp.example.test');
  otherSp = throwawayCert('SP Encryption - other.example.test');
});

const recipient = (c: ThrowawayCert) => ({ publicKey: c.publicKey, issuerName: c.issuerName, serialNumber: c.serialNumber });

/** AD FS order: sign the assertion, serialize it, encrypt the bytes (reference §1.5). */
function encryptedResponse(mutateSigned: (xml: string) => string = (x) => x) {
  const s = shape();
  const signed = signEnveloped(adfsAssertion(s), idp, 'rsa-sha256');
  const assertionXml = mutateSigned(toXml(signed));
  const encrypted = encryptAssertion(assertionXml, recipient(sp));
  const response = adfsResponse(s, encrypted);
  return { s, signed, assertionXml, encrypted, xml: toXml(response) };
}

function child(n: XmlNode | undefined, local: string): XmlNode {
  const c = n && findChild(n, local);
  if (c === undefined) throw new Error(`missing ${local}`);
  return c;
}
const text = (n: XmlNode): string => n.children.join('');

describe('encryptAssertion', () => {
  it('writes the §1.5 AD FS EncryptedAssertion layout byte for byte', () => {
    const { encrypted } = encryptedResponse();
    const b64 = '[A-Za-z0-9+/]+={0,2}';
    expect(toXml(encrypted)).toMatch(
      new RegExp(
        '^' +
          [
            '<EncryptedAssertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion">',
            '<xenc:EncryptedData Type="http://www.w3.org/2001/04/xmlenc#Element" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">',
            '<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc" />',
            '<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">',
            '<e:EncryptedKey xmlns:e="http://www.w3.org/2001/04/xmlenc#">',
            '<e:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p">',
            '<DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1" /></e:EncryptionMethod>',
            '<KeyInfo><ds:X509Data xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509IssuerSerial>',
            `<ds:X509IssuerName>CN=SP Encryption - sp.example.test</ds:X509IssuerName>`,
            `<ds:X509SerialNumber>${sp.serialNumber}</ds:X509SerialNumber>`,
            '</ds:X509IssuerSerial></ds:X509Data></KeyInfo>',
          ]
            .join('')
            .replace(/[.*+?^${}()|[\]\\]/g, '\\$&') +
          `<e:CipherData><e:CipherValue>${b64}</e:CipherValue></e:CipherData></e:EncryptedKey></KeyInfo>` +
          `<xenc:CipherData><xenc:CipherValue>${b64}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></EncryptedAssertion>$`,
      ),
    );
    expect(sp.serialNumber).toMatch(/^[1-9][0-9]+$/);
  });

  it('round-trips with node:crypto: RSA-OAEP(SHA-1) key, AES-256-CBC with the IV prepended', () => {
    const { encrypted, assertionXml } = encryptedResponse();
    const data = child(encrypted, 'EncryptedData');
    const encKey = child(child(data, 'KeyInfo'), 'EncryptedKey');
    const wrapped = Buffer.from(text(child(child(encKey, 'CipherData'), 'CipherValue')), 'base64');
    const aesKey = privateDecrypt({ key: sp.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, wrapped);
    expect(aesKey).toHaveLength(32);
    const blob = Buffer.from(text(child(child(data, 'CipherData'), 'CipherValue')), 'base64');
    expect(blob.length % 16).toBe(0);
    const d = createDecipheriv('aes-256-cbc', aesKey, blob.subarray(0, 16));
    const plain = Buffer.concat([d.update(blob.subarray(16)), d.final()]).toString('utf8');
    expect(plain).toBe(assertionXml);
    expect(() =>
      privateDecrypt({ key: otherSp.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, wrapped),
    ).toThrow();
  });

  it('uses a fresh key and IV every time', () => {
    const a = encryptAssertion('<a />', recipient(sp));
    const b = encryptAssertion('<a />', recipient(sp));
    expect(toXml(a)).not.toBe(toXml(b));
  });

  describeWithTool('xmlsec1', 'xmlsec1 --decrypt', () => {
    it('recovers a signed assertion whose signature still verifies', () => {
      const { xml, signed } = encryptedResponse();
      const dec = xmlsec1Decrypt(xml, sp.keyPem);
      expect(dec).not.toContain('EncryptedData');
      const r = xmlsec1Verify(dec, idp.certPem, { nodeXpath: ASSERTION_SIGNATURE_XPATH });
      expect(r.output).toMatch(/^OK$/m);
      expect(r.ok).toBe(true);
      // The decrypted Assertion canonicalizes to exactly what we built.
      const doc = XmlDocument.fromString(dec);
      try {
        const node = doc.get("//*[local-name()='Assertion']");
        expect(node?.canonicalizeToString({ mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0 })).toBe(excC14n(signed));
      } finally {
        doc.dispose();
      }
    });

    it('recovers the exact assertion bytes (raw plaintext when EncryptedData carries no Type)', () => {
      const { xml, assertionXml } = encryptedResponse();
      const untyped = xml.replace(' Type="http://www.w3.org/2001/04/xmlenc#Element"', '');
      expect(untyped).not.toBe(xml);
      expect(xmlsec1Decrypt(untyped, sp.keyPem)).toBe(assertionXml);
    });

    it('fails with the wrong private key', () => {
      const { xml } = encryptedResponse();
      expect(() => xmlsec1Decrypt(xml, otherSp.keyPem)).toThrow(/xmlsec1 --decrypt failed/);
    });
  });

  describe('@node-saml/node-saml 5.1.0 as the SP', () => {
    const sso = () =>
      new SAML({
        callbackUrl: ACS_URL,
        issuer: SP_ENTITY,
        audience: SP_ENTITY,
        idpIssuer: FS_ISSUER,
        idpCert: idp.certPem,
        decryptionPvk: sp.keyPem,
        wantAssertionsSigned: true,
        wantAuthnResponseSigned: false, // AD FS default: AssertionOnly (reference §1.4)
        validateInResponseTo: ValidateInResponseTo.never,
      });
    const post = (xml: string) => sso().validatePostResponseAsync({ SAMLResponse: Buffer.from(xml, 'utf8').toString('base64') });

    it('accepts an AD FS-shaped response with an encrypted, signed assertion', async () => {
      const { xml, s } = encryptedResponse();
      const { profile, loggedOut } = await post(xml);
      expect(loggedOut).toBe(false);
      expect(profile?.issuer).toBe(FS_ISSUER);
      expect(profile?.nameID).toBe(s.email);
      expect(profile?.sessionIndex).toBe(s.assertionId);
      expect(profile?.attributes).toEqual({
        [CLAIM_EMAIL]: s.email,
        [CLAIM_GROUP]: ['Domain Users', 'R&D <lab> "A"'],
      });
    });

    it('rejects one changed character inside the encrypted signed assertion', async () => {
      const { xml } = encryptedResponse((a) => a.replace('>Domain Users<', '>Domain Userz<'));
      await expect(post(xml)).rejects.toThrow(/signature/i);
    });

    it('rejects an assertion encrypted for another SP', async () => {
      const s = shape();
      const signed = toXml(signEnveloped(adfsAssertion(s), idp, 'rsa-sha256'));
      const xml = toXml(adfsResponse(s, encryptAssertion(signed, recipient(otherSp))));
      await expect(post(xml)).rejects.toThrow();
    });
  });
});
