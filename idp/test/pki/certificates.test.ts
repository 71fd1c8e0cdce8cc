import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dotnetIssuerName, dotnetSubjectName } from '../../src/pki/dotnet-dn.js';
import { ensurePki } from '../../src/pki/generate.js';
import { COMPOSE_SERVICE_NAMES, PKI_SYSTEMS, PKI_USES } from '../../src/pki/systems.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let dir: string;
let startedAt: number;

const pem = (name: string) => readFile(join(dir, name), 'utf8');
const x509 = async (name: string) => new X509Certificate(await pem(name));

/** The TBSCertificate fields as forge's generic ASN.1 parser sees them (no RSA assumptions). */
function tbsFields(cert: X509Certificate): forge.asn1.Asn1[] {
  const asn = forge.asn1.fromDer(forge.util.createBuffer(cert.raw.toString('binary')));
  const tbs = (asn.value as forge.asn1.Asn1[])[0]!;
  return tbs.value as forge.asn1.Asn1[];
}

interface ForgeExtension {
  name: string;
  critical?: boolean;
  [k: string]: unknown;
}

function extensions(certPem: string): Map<string, ForgeExtension> {
  const cert = forge.pki.certificateFromPem(certPem);
  return new Map((cert.extensions as ForgeExtension[]).map((e) => [e.name, e]));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idp-pki-certs-'));
  startedAt = Date.now();
  await ensurePki(dir, { hostNames: ['partner-lab.example.test', '10.20.30.40', '::ffff:192.0.2.1'] });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('local CA', () => {
  it('is a self-signed 10-year CA named "idp-harness Local Test CA"', async () => {
    const ca = await x509('ca.pem');
    expect(dotnetSubjectName(ca)).toBe('CN=idp-harness Local Test CA, O=idp-harness (TEST ONLY)');
    expect(ca.issuer).toBe(ca.subject);
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    const years = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / (365.25 * DAY);
    expect(years).toBeCloseTo(10, 1);
    expect(ca.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('has critical basicConstraints CA:true, critical keyUsage keyCertSign+cRLSign and a subjectKeyIdentifier', async () => {
    const ext = extensions(await pem('ca.pem'));
    expect(ext.get('basicConstraints')).toMatchObject({ critical: true, cA: true });
    expect(ext.get('keyUsage')).toMatchObject({ critical: true, keyCertSign: true, cRLSign: true, digitalSignature: false });
    expect(ext.get('subjectKeyIdentifier')?.['subjectKeyIdentifier']).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('TLS certificate', () => {
  it('chains to the CA', async () => {
    const [ca, tls] = [await x509('ca.pem'), await x509('tls.pem')];
    expect(tls.checkIssued(ca)).toBe(true);
    expect(tls.verify(ca.publicKey)).toBe(true);
    expect(tls.verify(tls.publicKey)).toBe(false);
    expect(tls.ca).toBe(false);
    expect(tls.checkPrivateKey(createPrivateKey(await pem('tls.key')))).toBe(true);
  });

  it('is for CN localhost with every required SAN and the extra host names', async () => {
    const tls = await x509('tls.pem');
    expect(tls.subject).toContain('CN=localhost');
    for (const host of ['localhost', ...COMPOSE_SERVICE_NAMES, 'partner-lab.example.test']) {
      expect(tls.checkHost(host, { subject: 'never' }), host).toBe(host);
    }
    for (const ip of ['127.0.0.1', '::1', '10.20.30.40', '::ffff:192.0.2.1']) expect(tls.checkIP(ip), ip).toBe(ip);
    expect(tls.subjectAltName).toContain('DNS:partner-lab.example.test');
    expect(tls.checkHost('elsewhere.example.test')).toBeUndefined();
  });

  it('has serverAuth, digitalSignature+keyEncipherment, an authorityKeyIdentifier naming the CA key, 397 days', async () => {
    const tls = await x509('tls.pem');
    expect(tls.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    const ext = extensions(await pem('tls.pem'));
    expect(ext.get('keyUsage')).toMatchObject({ digitalSignature: true, keyEncipherment: true, keyCertSign: false });
    expect(ext.get('extKeyUsage')).toMatchObject({ serverAuth: true });
    const caSki = extensions(await pem('ca.pem')).get('subjectKeyIdentifier')!['subjectKeyIdentifier'] as string;
    const aki = forge.asn1.fromDer((ext.get('authorityKeyIdentifier') as unknown as { value: string }).value);
    const keyIdentifier = (aki.value as forge.asn1.Asn1[]).find((v) => v.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && v.type === 0);
    expect(forge.util.bytesToHex(keyIdentifier!.value as string)).toBe(caSki);
    expect(Date.parse(tls.validTo) - Date.parse(tls.validFrom)).toBe(397 * DAY);
  });
});

describe('token certificates (AD FS shape)', () => {
  it('adfs certificates are named like AD FS', async () => {
    expect((await x509('adfs-signing.pem')).subject).toBe('CN=ADFS Signing - localhost');
    expect((await x509('adfs-encryption.pem')).subject).toBe('CN=ADFS Encryption - localhost');
    expect(dotnetIssuerName(await x509('adfs-encryption.pem'))).toBe('CN=ADFS Encryption - localhost');
  });

  it('the other systems are named "<system> <use> - idp-harness test"', async () => {
    for (const system of PKI_SYSTEMS.filter((s) => s !== 'adfs')) {
      for (const use of PKI_USES) {
        expect((await x509(`${system}-${use}.pem`)).subject).toBe(`CN=${system} ${use} - idp-harness test`);
      }
    }
  });

  it.each(PKI_SYSTEMS.flatMap((s) => PKI_USES.map((u) => `${s}-${u}`)))(
    '%s: self-signed X.509 v3, RSA-2048, sha256WithRSA, 16-byte positive serial, no extensions, 1 year',
    async (name) => {
      const cert = await x509(`${name}.pem`);
      expect(cert.issuer).toBe(cert.subject);
      expect(cert.checkIssued(cert)).toBe(true);
      expect(cert.verify(cert.publicKey)).toBe(true);
      expect(cert.checkPrivateKey(createPrivateKey(await pem(`${name}.key`)))).toBe(true);
      expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
      expect(cert.publicKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });

      const fields = tbsFields(cert);
      // [0] version = 2 (v3)
      expect(fields[0]!.tagClass).toBe(forge.asn1.Class.CONTEXT_SPECIFIC);
      const version = (fields[0]!.value as forge.asn1.Asn1[])[0]!.value as string;
      expect(version.charCodeAt(0)).toBe(2);
      // serial: exactly 16 content bytes, positive
      const serial = fields[1]!.value as string;
      expect(serial.length).toBe(16);
      expect(serial.charCodeAt(0)).toBeGreaterThan(0);
      expect(serial.charCodeAt(0)).toBeLessThan(0x80);
      expect(cert.serialNumber).toMatch(/^[0-9A-F]{32}$/);
      // signature algorithm: sha256WithRSAEncryption
      const algOid = forge.asn1.derToOid((fields[2]!.value as forge.asn1.Asn1[])[0]!.value as string);
      expect(algOid).toBe('1.2.840.113549.1.1.11');
      // version, serial, signature, issuer, validity, subject, spki: and no [3] extensions
      expect(fields).toHaveLength(7);
      expect(forge.pki.certificateFromPem(await pem(`${name}.pem`)).extensions).toEqual([]);

      // 365 days, notBefore backdated one hour for clock skew
      const from = Date.parse(cert.validFrom);
      expect(Date.parse(cert.validTo) - from).toBe(365 * DAY);
      expect(from).toBeGreaterThan(startedAt - HOUR - 2_000);
      expect(from).toBeLessThanOrEqual(Date.now() - HOUR);
    },
  );

  it('serials differ between certificates', async () => {
    const serials = new Set<string>();
    for (const s of PKI_SYSTEMS) for (const u of PKI_USES) serials.add((await x509(`${s}-${u}.pem`)).serialNumber);
    expect(serials.size).toBe(PKI_SYSTEMS.length * PKI_USES.length);
  });
});
