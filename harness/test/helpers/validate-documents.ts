import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { toXml } from '../../../idp/src/shared/xml/serialize.js';
import { signEnveloped, type SignatureAlgorithm } from '../../../idp/src/shared/xml/sign.js';
import { el, type XmlNode } from '../../../idp/src/shared/xml/tree.js';

/**
 * Builds the documents the validator tests use: X.509 certificates with chosen key size, hash and
 * dates (node:crypto keys, node-forge certificates — forge's own keygen is slow), and SAML IdP
 * metadata around them, signed with the lab's own XML-DSig signer. The committed fixtures in
 * fixtures/validate/ were written once by `writeValidateFixtures` (fixtures/validate/README.md);
 * tests build the ones whose dates are relative to now (a certificate expiring in 10 days).
 */

export interface TestCert {
  privateKey: KeyObject;
  /** DER, base64, one line (what goes in ds:X509Certificate). */
  certBase64: string;
  certPem: string;
}

export function makeCert(o: { cn?: string; bits?: number; hash?: 'sha1' | 'sha256'; notBefore: Date; notAfter: Date }): TestCert {
  const { privateKey: keyPem } = generateKeyPairSync('rsa', {
    modulusLength: o.bits ?? 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
  cert.validity.notBefore = o.notBefore;
  cert.validity.notAfter = o.notAfter;
  const attrs = [{ name: 'commonName', value: o.cn ?? 'ADFS Signing - idp.partner.example' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(key, (o.hash ?? 'sha256') === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create());
  return {
    privateKey: createPrivateKey(keyPem),
    certBase64: forge.util.encode64(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes()),
    certPem: forge.pki.certificateToPem(cert),
  };
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
export const URIS = {
  saml2: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml11: 'urn:oasis:names:tc:SAML:1.1:protocol',
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
} as const;

export interface MetadataSpec {
  entityId?: string;
  cert: TestCert;
  /** Sign the EntityDescriptor with the certificate's key (default rsa-sha256); false: unsigned. */
  sign?: SignatureAlgorithm | false;
  protocols?: string[];
  sso?: Array<{ binding: string; location: string }>;
  slo?: Array<{ binding: string; location: string }>;
  nameIdFormats?: string[];
  wantAuthnRequestsSigned?: boolean;
}

const BASE = 'https://idp.partner.example';

/** A partner IdP's metadata, AD FS-like but without the WS-Federation roles. */
export function samlMetadata(s: MetadataSpec): string {
  const sso = s.sso ?? [
    { binding: URIS.redirect, location: `${BASE}/adfs/ls/` },
    { binding: URIS.post, location: `${BASE}/adfs/ls/` },
  ];
  const slo = s.slo ?? [{ binding: URIS.redirect, location: `${BASE}/adfs/ls/` }];
  const keyInfo = el('KeyInfo', { xmlns: DSIG }, [el('X509Data', {}, [el('X509Certificate', {}, [s.cert.certBase64])])]);
  const entity: XmlNode = el('EntityDescriptor', { ID: '_3f1c2b9e-6a0d-4c1e-9a55-0e7b1d2c3a4f', entityID: s.entityId ?? `http://idp.partner.example/adfs/services/trust`, xmlns: MD }, [
    el('IDPSSODescriptor', { protocolSupportEnumeration: (s.protocols ?? [URIS.saml2]).join(' '), WantAuthnRequestsSigned: s.wantAuthnRequestsSigned ? 'true' : undefined }, [
      el('KeyDescriptor', { use: 'signing' }, [keyInfo]),
      ...slo.map((e) => el('SingleLogoutService', { Binding: e.binding, Location: e.location })),
      ...(s.nameIdFormats ?? [URIS.email, URIS.persistent, URIS.transient]).map((f) => el('NameIDFormat', {}, [f])),
      ...sso.map((e) => el('SingleSignOnService', { Binding: e.binding, Location: e.location })),
    ]),
    el('ContactPerson', { contactType: 'support' }),
  ]);
  if (s.sign !== false) signEnveloped(entity, { privateKey: s.cert.privateKey, certBase64: s.cert.certBase64 }, s.sign ?? 'rsa-sha256');
  return toXml(entity);
}
