import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';

/** A self-signed RSA certificate of the given size (forge signs; node:crypto makes the key). */
function rsaCert(bits: number): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: `weak ${bits}` }]);
  cert.setIssuer([{ name: 'commonName', value: `weak ${bits}` }]);
  cert.sign(key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

let lab: Lab;
beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'] });
});
afterAll(() => lab.stop());

const rp = (extra: Record<string, unknown>) => ({
  name: 'cert-check',
  identifiers: ['urn:test:cert-check'],
  endpoints: [{ kind: 'acs', binding: 'POST', url: 'https://sp.test/acs' }],
  ...extra,
});

async function post(body: unknown) {
  const res = await fetch(`${lab.urls.console}/api/relying-parties`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as { error?: { code: string; details: { issues: { path: string; message: string }[] } } } };
}

describe('relying-party certificates', () => {
  const weak = rsaCert(1024);

  it.each([
    ['encryption', { encryptClaims: true, encryptionCertificate: weak }, 'encryptionCertificate'],
    ['request-signing', { requestSigningCertificates: [weak] }, 'requestSigningCertificates.0'],
  ])('refuses a 1024-bit RSA %s certificate at the control API, before any sign-in can trip on it', async (_use, extra, path) => {
    const { status, json } = await post(rp(extra));
    expect(status).toBe(400);
    expect(json.error?.code).toBe('ERR_CONTROL_INVALID');
    expect(json.error?.details.issues).toEqual([{ path, message: expect.stringContaining('at least 2048') }]);
    expect(lab.state.relyingParties.get('cert-check')).toBeUndefined();
  });

  it('accepts a 2048-bit RSA certificate from the lab PKI', async () => {
    const { status } = await post(rp({ encryptClaims: true, encryptionCertificate: 'pki:sample-sp/encryption', name: 'cert-ok', identifiers: ['urn:test:cert-ok'] }));
    expect(status).toBe(201);
  });
});
