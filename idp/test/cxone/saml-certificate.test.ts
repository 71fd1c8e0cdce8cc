import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { throwawayCert, type ThrowawayCert } from '../helpers/throwaway-cert.js';
import { adminApi, LAB_ADFS_ID, samlAuthenticatorInput } from './saml-flow.js';

/**
 * The IdP signing certificate upload (seed 002 SAML step 3.7: "a PEM file: a text file whose first
 * line contains BEGIN CERTIFICATE"; issue 6: expired or malformed certificates rejected with a
 * clear message). Each bad upload is a 400 naming the field `saml.certificate` with its code, and
 * nothing is stored: neither a new authenticator nor a change to an existing one.
 */
const DAY = 86_400_000;

describe('SAML authenticator: the uploaded signing certificate', () => {
  let lab: Lab;
  let cert: ThrowawayCert;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'cxone'] });
    cert = throwawayCert('Partner IdP signing'); // valid from now − 1 min for a year
  });
  afterAll(async () => {
    await lab?.stop();
  });
  beforeEach(() => {
    lab.state.reset();
  });

  const names = async () => (await adminApi(lab, 'GET', '/login-authenticators')).body.loginAuthenticators.map((a: { name: string }) => a.name).sort();

  async function expectRejected(certificate: string, code: string): Promise<void> {
    const before = await names();
    const r = await adminApi(lab, 'POST', '/login-authenticators', samlAuthenticatorInput(lab, { certificate }));
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.code).toBe(code);
    expect(r.body.fieldErrors).toEqual([{ field: 'saml.certificate', code, message: expect.any(String) }]);
    expect(await names()).toEqual(before);
    // An existing authenticator keeps its certificate.
    const kept = (await adminApi(lab, 'GET', `/login-authenticators/${LAB_ADFS_ID}`)).body.saml.certificate;
    const u = await adminApi(lab, 'PATCH', `/login-authenticators/${LAB_ADFS_ID}`, { saml: { ...samlAuthenticatorInput(lab).saml, certificate } });
    expect({ status: u.status, code: u.body.code }).toEqual({ status: 400, code });
    expect((await adminApi(lab, 'GET', `/login-authenticators/${LAB_ADFS_ID}`)).body.saml.certificate).toBe(kept);
  }

  it('a valid PEM is stored and summarised (subject, validity, SHA-256 fingerprint)', async () => {
    const r = await adminApi(lab, 'POST', '/login-authenticators', samlAuthenticatorInput(lab, { certificate: cert.certPem }));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.saml.certificateInfo).toMatchObject({ valid: true, subject: 'CN=Partner IdP signing' });
    expect(await names()).toContain('Partner AD FS');
  });

  it('not a PEM certificate (a private key, DER bytes as text, plain text) → ERR_CXONE_CERT_NOT_PEM', async () => {
    await expectRejected(cert.keyPem, 'ERR_CXONE_CERT_NOT_PEM');
    await expectRejected(cert.certBase64, 'ERR_CXONE_CERT_NOT_PEM');
    await expectRejected('hello', 'ERR_CXONE_CERT_NOT_PEM');
  });

  it('a PEM that is not a certificate inside → ERR_CXONE_CERT_MALFORMED', async () => {
    await expectRejected('-----BEGIN CERTIFICATE-----\nMIIBnotreallyacertificate\n-----END CERTIFICATE-----\n', 'ERR_CXONE_CERT_MALFORMED');
    await expectRejected(cert.certPem.replace(/-----END CERTIFICATE-----\s*$/, ''), 'ERR_CXONE_CERT_MALFORMED');
  });

  it('expired on the lab clock → ERR_CXONE_CERT_EXPIRED; not valid yet → ERR_CXONE_CERT_NOT_YET_VALID', async () => {
    lab.state.clock.advance(366 * DAY);
    await expectRejected(cert.certPem, 'ERR_CXONE_CERT_EXPIRED');
    lab.state.clock.reset();
    lab.state.clock.advance(-DAY);
    await expectRejected(cert.certPem, 'ERR_CXONE_CERT_NOT_YET_VALID');
  });
});
