import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import {
  certificateNames,
  dn,
  dotnetDistinguishedName,
  dotnetIssuerName,
  dotnetSubjectName,
  formatDotnetDn,
  parseName,
} from '../../src/pki/dotnet-dn.js';

const { asn1 } = forge;

/** AttributeTypeAndValue with an explicit value encoding. */
function atv(oid: string, tag: number, bytes: string): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, tag, false, bytes),
  ]);
}

function nameDer(...rdns: forge.asn1.Asn1[][]): Uint8Array {
  const name = asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.SEQUENCE,
    true,
    rdns.map((set) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, set)),
  );
  return Buffer.from(asn1.toDer(name).getBytes(), 'binary');
}

const utf8 = (oid: string, value: string) => atv(oid, asn1.Type.UTF8, forge.util.encodeUtf8(value));
const printable = (oid: string, value: string) => atv(oid, asn1.Type.PRINTABLESTRING, value);

/** A certificate whose issuer (= subject) is the multi-RDN name from Cisco TAC doc 217268 (reference §1.5). */
function ciscoStyleCert(): X509Certificate {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '0a1b2c';
  cert.validity.notBefore = new Date('2024-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2026-01-01T00:00:00Z');
  // certificate (DER) order: least specific first
  const attrs = [
    { shortName: 'C', value: 'US' },
    { shortName: 'O', value: 'Cisco' },
    { shortName: 'OU', value: 'TAC' },
    { shortName: 'CN', value: 'adfs.tac.cisco.test' },
    { shortName: 'ST', value: 'NC' },
    { shortName: 'L', value: 'RTP' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(key, forge.md.sha256.create());
  return new X509Certificate(forge.pki.certificateToPem(cert));
}

describe('.NET X500DistinguishedName rendering', () => {
  it('renders the issuer of a multi-RDN certificate like AD FS does (reference §1.5)', () => {
    const cert = ciscoStyleCert();
    expect(cert.issuer).toBe('C=US\nO=Cisco\nOU=TAC\nCN=adfs.tac.cisco.test\nST=NC\nL=RTP'); // OpenSSL's view, for contrast
    expect(dotnetIssuerName(cert)).toBe('L=RTP, S=NC, CN=adfs.tac.cisco.test, OU=TAC, O=Cisco, C=US');
    expect(dotnetSubjectName(cert.raw)).toBe('L=RTP, S=NC, CN=adfs.tac.cisco.test, OU=TAC, O=Cisco, C=US');
  });

  it('finds issuer and subject in a v1 certificate (no version field) too', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string) as forge.pki.rsa.PrivateKey;
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
    cert.serialNumber = '01';
    cert.setIssuer([{ shortName: 'CN', value: 'Issuer' }]);
    cert.setSubject([{ shortName: 'CN', value: 'Subject' }]);
    cert.sign(key, forge.md.sha256.create());
    const der = Buffer.from(asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
    // drop the [0] version element to make it v1, keeping the (now invalid) signature: only names matter here
    const parsed = asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
    const tbs = (parsed.value as forge.asn1.Asn1[])[0]!;
    (tbs.value as forge.asn1.Asn1[]).shift();
    const v1 = Buffer.from(asn1.toDer(parsed).getBytes(), 'binary');
    expect(dotnetIssuerName(v1)).toBe('CN=Issuer');
    expect(dotnetSubjectName(v1)).toBe('CN=Subject');
    expect(dotnetDistinguishedName(certificateNames(v1).subject)).toBe('CN=Subject');
  });

  it('uses Windows short names: S, E, SERIALNUMBER, DC, G, SN, T, STREET, PostalCode', () => {
    const der = nameDer(
      [atv('0.9.2342.19200300.100.1.25', asn1.Type.IA5STRING, 'test')],
      [atv('0.9.2342.19200300.100.1.25', asn1.Type.IA5STRING, 'example')],
      [printable('2.5.4.6', 'US')],
      [utf8('2.5.4.8', 'North Carolina')],
      [utf8('2.5.4.9', '7200 Kit Creek Rd')],
      [printable('2.5.4.17', '27709')],
      [utf8('2.5.4.42', 'Ada')],
      [utf8('2.5.4.4', 'Lovelace')],
      [utf8('2.5.4.12', 'Engineer')],
      [printable('2.5.4.5', '12345')],
      [atv('1.2.840.113549.1.9.1', asn1.Type.IA5STRING, 'ada@example.test')],
    );
    expect(dotnetDistinguishedName(der)).toBe(
      'E=ada@example.test, SERIALNUMBER=12345, T=Engineer, SN=Lovelace, G=Ada, PostalCode=27709, ' +
        'STREET=7200 Kit Creek Rd, S=North Carolina, C=US, DC=example, DC=test',
    );
  });

  it('writes OID.<dotted> for types Windows has no name for', () => {
    const der = nameDer([utf8('0.9.2342.19200300.100.1.1', 'ada')], [utf8('1.3.6.1.4.1.311.60.2.1.3', 'US')], [utf8('2.5.4.3', 'x')]);
    expect(dotnetDistinguishedName(der)).toBe('CN=x, OID.1.3.6.1.4.1.311.60.2.1.3=US, OID.0.9.2342.19200300.100.1.1=ada');
  });

  it('quotes values that need it, doubling inner quotes; never backslash-escapes', () => {
    const der = nameDer(
      [utf8('2.5.4.10', 'Acme, Inc.')],
      [utf8('2.5.4.11', ' leading space')],
      [utf8('2.5.4.11', 'say "hi"')],
      [utf8('2.5.4.11', '')],
      [utf8('2.5.4.11', 'a+b=c;d<e>#f')],
      [utf8('2.5.4.3', 'plain-value\\with backslash')],
    );
    expect(dotnetDistinguishedName(der)).toBe(
      'CN=plain-value\\with backslash, OU="a+b=c;d<e>#f", OU="", OU="say ""hi""", OU=" leading space", O="Acme, Inc."',
    );
  });

  it('joins the attributes of a multi-valued RDN with " + "', () => {
    const der = nameDer([printable('2.5.4.6', 'US')], [utf8('2.5.4.11', 'TAC'), utf8('2.5.4.3', 'Jane')]);
    expect(dotnetDistinguishedName(der)).toBe('OU=TAC + CN=Jane, C=US');
  });

  it('decodes BMPString and UTF8String, drops trailing NULs, and hex-encodes binary values', () => {
    const der = nameDer(
      [atv('2.5.4.3', asn1.Type.BMPSTRING, 'Zoë')], // forge writes BMPString values as UTF-16BE
      [utf8('2.5.4.10', 'Société Générale\0\0')],
      [atv('2.5.4.45', asn1.Type.OCTETSTRING, '\x01\xab')],
      [atv('2.5.4.46', asn1.Type.INTEGER, '\x05')],
    );
    expect(dotnetDistinguishedName(der)).toBe('dnQualifier=#020105, OID.2.5.4.45=#01AB, O=Société Générale, CN=Zoë');
  });

  it('round-trips through parseName and the dn() builder', () => {
    const der = nameDer([printable('2.5.4.6', 'US')], [printable('2.5.4.10', 'Cisco')], [printable('2.5.4.3', 'x')]);
    const rdns = parseName(der);
    expect(rdns).toEqual([[{ oid: '2.5.4.6', value: 'US' }], [{ oid: '2.5.4.10', value: 'Cisco' }], [{ oid: '2.5.4.3', value: 'x' }]]);
    expect(formatDotnetDn(dn(['C', 'US'], ['O', 'Cisco'], ['CN', 'x']))).toBe(formatDotnetDn(rdns));
    expect(formatDotnetDn(dn(['ST', 'NC'], ['Email', 'a@b.test'], ['OID.1.2.3', 'v']))).toBe('OID.1.2.3=v, E=a@b.test, S=NC');
    expect(() => dn(['Bogus', 'x'])).toThrow(/unknown/);
  });

  it('rejects malformed DER instead of guessing', () => {
    expect(() => dotnetDistinguishedName(Uint8Array.from([0x30, 0x05, 0x31]))).toThrow(/malformed DER/);
    expect(() => dotnetDistinguishedName(Uint8Array.from([0x31, 0x00]))).toThrow(/malformed DER/);
    expect(() => dotnetIssuerName(Uint8Array.from([0x30, 0x80, 0x00, 0x00]))).toThrow(/malformed DER/);
  });
});
