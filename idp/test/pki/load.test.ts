import { constants, X509Certificate, createHash, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, sign, verify } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePki } from '../../src/pki/generate.js';
import { keyPairFromPem, loadPki, type KeyPairMaterial, type Pki } from '../../src/pki/load.js';
import { PKI_SYSTEMS, PKI_USES, allPkiFiles } from '../../src/pki/systems.js';
import { IdpError } from '../../src/shared/errors.js';

let root: string;
let dir: string;
let pki: Pki;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'idp-pki-load-'));
  dir = join(root, 'certs');
  await ensurePki(dir);
  pki = loadPki(dir);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function catchError(fn: () => unknown): IdpError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IdpError);
    return e as IdpError;
  }
  throw new Error('expected an error');
}

const allPairs = (): Array<[string, KeyPairMaterial]> =>
  PKI_SYSTEMS.flatMap((s) => PKI_USES.map((u) => [`${s}-${u}`, pki.systems[s][u]] as [string, KeyPairMaterial]));

describe('loadPki', () => {
  it('returns key pairs that sign and verify (RS256 and PS256)', () => {
    const data = Buffer.from('<Assertion ID="_1">…</Assertion>');
    for (const [name, kp] of allPairs()) {
      const sig = sign('sha256', data, kp.privateKey);
      expect(verify('sha256', data, kp.publicKey, sig), name).toBe(true);
      expect(verify('sha256', data, kp.x509.publicKey, sig), name).toBe(true);
      expect(verify('sha256', Buffer.from('tampered'), kp.publicKey, sig), name).toBe(false);
    }
    const pss = { key: pki.systems.oidc.signing.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    const sig = sign('sha256', data, pss);
    expect(verify('sha256', data, { ...pss, key: pki.systems.oidc.signing.publicKey }, sig)).toBe(true);
  });

  it('returns encryption pairs that decrypt what their certificate encrypts (RSA-OAEP)', () => {
    const cek = randomBytes(32);
    for (const system of PKI_SYSTEMS) {
      const kp = pki.systems[system].encryption;
      const wrapped = publicEncrypt({ key: kp.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, cek);
      const unwrapped = privateDecrypt({ key: kp.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, wrapped);
      expect(unwrapped.equals(cek), system).toBe(true);
    }
  });

  it('precomputes what XML signatures and encrypted assertions need', async () => {
    for (const [name, kp] of allPairs()) {
      const certPem = await readFile(join(dir, `${name}.pem`), 'utf8');
      const x509 = new X509Certificate(certPem);
      expect(kp.certPem).toBe(certPem);
      expect(kp.keyPem).toBe(await readFile(join(dir, `${name}.key`), 'utf8'));
      expect(kp.certBase64).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(Buffer.from(kp.certBase64, 'base64').equals(x509.raw)).toBe(true);
      expect(kp.serialNumber).toMatch(/^[1-9]\d*$/);
      expect(BigInt(kp.serialNumber)).toBe(BigInt(`0x${x509.serialNumber}`));
      expect(kp.notAfter.getTime()).toBe(Date.parse(x509.validTo));
      expect(kp.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(kp.fingerprintSha256.replaceAll(':', '').toLowerCase()).toBe(createHash('sha256').update(x509.raw).digest('hex'));
    }
    expect(pki.systems.adfs.encryption.issuerName).toBe('CN=ADFS Encryption - localhost');
    expect(pki.systems.adfs.signing.issuerName).toBe('CN=ADFS Signing - localhost');
    expect(pki.systems['sample-sp'].encryption.issuerName).toBe('CN=sample-sp encryption - idp-harness test');
  });

  it('returns the CA and the TLS files', async () => {
    expect(pki.dir).toBe(dir);
    expect(new X509Certificate(pki.caPem).ca).toBe(true);
    expect(pki.tls.certPem).toBe(await readFile(join(dir, 'tls.pem'), 'utf8'));
    expect(pki.tls.keyPem).toBe(await readFile(join(dir, 'tls.key'), 'utf8'));
  });

  it('throws ERR_PKI_MISSING naming every missing file and the remedy', async () => {
    const d = join(root, 'partial');
    await cp(dir, d, { recursive: true });
    const gone = ['ca.pem', 'tls.key', 'adfs-signing.key', 'sample-sp-encryption.pem'];
    for (const f of gone) await rm(join(d, f));
    const err = catchError(() => loadPki(d));
    expect(err.code).toBe('ERR_PKI_MISSING');
    expect(err.details).toEqual({ dir: d, missing: allPkiFiles().filter((f) => gone.includes(f)) });
    for (const f of gone) expect(err.message).toContain(f);
    expect(err.message).toContain('npm run certs');

    const empty = catchError(() => loadPki(join(root, 'does-not-exist')));
    expect(empty.code).toBe('ERR_PKI_MISSING');
    expect(empty.details['missing']).toEqual(allPkiFiles());
  });

  it('throws ERR_PKI_MISSING for files that exist but cannot be used', async () => {
    const d = join(root, 'broken');
    await cp(dir, d, { recursive: true });
    await writeFile(join(d, 'ids-signing.key'), await readFile(join(d, 'cxone-signing.key')));
    // a readable key of the wrong type (P-256 where the TLS certificate holds an RSA key)
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await writeFile(join(d, 'tls.key'), ec.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(d, 'oidc-encryption.key'), 'not a key');
    await writeFile(join(d, 'ca.pem'), 'garbage');
    const err = catchError(() => loadPki(d));
    expect(err.code).toBe('ERR_PKI_MISSING');
    const unusable = err.details['unusable'] as string[];
    expect(unusable).toHaveLength(4);
    expect(unusable.join('\n')).toMatch(/ca\.pem/);
    expect(unusable.join('\n')).toMatch(/ids-signing\.pem\/ids-signing\.key \(the certificate does not match the private key\)/);
    expect(unusable.join('\n')).toMatch(/tls\.pem\/tls\.key \(the certificate does not match the private key\)/);
    expect(unusable.join('\n')).toMatch(/oidc-encryption\.pem\/oidc-encryption\.key \(not a readable private key/);
    for (const f of ['ca.pem', 'ids-signing.key', 'tls.key', 'oidc-encryption.key']) expect(err.message).toContain(f);
  });
});

describe('keyPairFromPem', () => {
  it('builds the public part of a certificate supplied at runtime', () => {
    const source = pki.systems['sample-sp'].encryption;
    const m = keyPairFromPem(source.certPem);
    expect(m.privateKey).toBeUndefined();
    expect(m.keyPem).toBeUndefined();
    expect(m.certBase64).toBe(source.certBase64);
    expect(m.issuerName).toBe('CN=sample-sp encryption - idp-harness test');
    expect(m.serialNumber).toBe(source.serialNumber);
    expect(m.fingerprintSha256).toBe(source.fingerprintSha256);
  });

  it('accepts bare base64 DER and takes the first certificate of a bundle', () => {
    const a = pki.systems.ids.signing;
    expect(keyPairFromPem(a.certBase64.replace(/(.{76})/g, '$1\r\n')).fingerprintSha256).toBe(a.fingerprintSha256);
    expect(keyPairFromPem(a.certPem + pki.caPem).fingerprintSha256).toBe(a.fingerprintSha256);
  });

  it('includes the private key when given, checked against the certificate', () => {
    const a = pki.systems.cxone.signing;
    const m = keyPairFromPem(a.certPem, a.keyPem);
    const sig = sign('sha256', Buffer.from('x'), m.privateKey);
    expect(verify('sha256', Buffer.from('x'), m.publicKey, sig)).toBe(true);

    const mismatch = catchError(() => keyPairFromPem(a.certPem, pki.systems.ids.signing.keyPem));
    expect(mismatch.code).toBe('ERR_CONTROL_INVALID');
    expect(mismatch.message).toMatch(/does not match/);
  });

  it('reports bad input with the caller-chosen code and label', () => {
    const e1 = catchError(() => keyPairFromPem('not a certificate!'));
    expect(e1.code).toBe('ERR_CONTROL_INVALID');
    const badPem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
    const e2 = catchError(() => keyPairFromPem(badPem, undefined, { code: 'ERR_FIXTURE_INVALID', label: 'rp.encryptionCert' }));
    expect(e2.code).toBe('ERR_FIXTURE_INVALID');
    expect(e2.message).toMatch(/^rp\.encryptionCert: not a valid X\.509 certificate/);
  });
});
