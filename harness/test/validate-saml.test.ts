import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../idp/src/lab.js';
import { startTestLab } from '../src/start-lab.js';
import { makeCert, samlMetadata } from './helpers/validate-documents.js';
import { idsAt, levelsOf, validateJson } from './helpers/validate-run.js';

/**
 * `idp-harness validate --saml-metadata`: the lab's own AD FS metadata (fetched over TLS from an
 * in-process lab) passes, and each bad fixture of fixtures/validate/ trips its rule at the level
 * the rule table gives, with the exit status following.
 */
const fixture = (name: string) => join('fixtures', 'validate', `saml-metadata-${name}.xml`);

describe('validate --saml-metadata', () => {
  let lab: Lab;
  let dir: string;
  let ca: string;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs'], tls: true });
    dir = mkdtempSync(join(tmpdir(), 'validate-saml-'));
    ca = join(dir, 'ca.pem');
    writeFileSync(ca, lab.state.pki.caPem);
  });
  afterAll(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const metadataUrl = () => `${lab.urls.adfs}/FederationMetadata/2007-06/FederationMetadata.xml`;

  it.each([['cxone'], ['ids']])('the lab AD FS metadata (URL, TLS with --ca) passes for --target %s, its signature verified', async (target) => {
    const { code, report } = await validateJson('--saml-metadata', metadataUrl(), '--ca', ca, '--target', target);
    expect(idsAt(report, 'fail')).toEqual([]);
    expect(code).toBe(0);
    expect(report).toMatchObject({ kind: 'saml-metadata', source: metadataUrl(), target, ficam: false, result: 'pass' });
    expect(levelsOf(report, 'saml.metadata.signed')).toEqual(['pass']);
    expect(levelsOf(report, 'saml.sso.redirect-binding')).toEqual(['pass']);
    expect(levelsOf(report, 'saml.cert.key-size')).toEqual(['pass']);
    // AD FS metadata lists two RoleDescriptors and an SPSSODescriptor besides the IdP: one IdP is read.
    expect(levelsOf(report, 'saml.entity.descriptor')).toEqual(['pass']);
    expect(report.rules.find((r) => r.id === 'saml.entity.id')?.message).toContain(lab.state.adfs!.identifier);
  });

  it('the good fixture passes everything, FICAM included except the emailAddress NameID (a warning)', async () => {
    const { code, report } = await validateJson('--saml-metadata', fixture('good'), '--target', 'cxone', '--ficam');
    expect(code).toBe(0);
    expect(idsAt(report, 'fail')).toEqual([]);
    expect(idsAt(report, 'warn')).toEqual(['ficam.saml.nameid-format']);
  });

  it.each([
    // file, extra args, rule, level, exit
    ['expired-cert', [], 'saml.cert.expired', 'warn', 0],
    ['expired-cert', ['--target', 'cxone'], 'saml.cert.expired', 'fail', 1],
    ['not-yet-valid-cert', ['--target', 'cxone'], 'saml.cert.not-yet-valid', 'fail', 1],
    ['sha1-only', [], 'saml.cert.signature-algorithm', 'fail', 1],
    ['sha1-only', [], 'saml.metadata.signature-algorithm', 'warn', 1],
    ['sha1-only', ['--ficam'], 'ficam.saml.sha256', 'fail', 1],
    ['rsa-1024', [], 'saml.cert.key-size', 'fail', 1],
    ['rsa-1024', ['--ficam'], 'ficam.saml.key-size', 'fail', 1],
    ['http-endpoints', [], 'saml.endpoint.https', 'fail', 1],
    ['http-endpoints', ['--ficam'], 'ficam.saml.https', 'fail', 1],
    ['no-redirect-binding', [], 'saml.sso.redirect-binding', 'warn', 0],
    ['no-redirect-binding', ['--target', 'cxone'], 'saml.sso.redirect-binding', 'fail', 1],
    ['no-slo', ['--target', 'cxone'], 'saml.slo.present', 'warn', 0],
    ['want-authn-requests-signed', [], 'saml.want-authn-requests-signed', 'warn', 0],
    ['want-authn-requests-signed', ['--target', 'ids'], 'saml.want-authn-requests-signed', 'fail', 1],
    ['saml11-protocol', ['--ficam'], 'ficam.saml.protocol', 'fail', 1],
    ['unsigned', [], 'saml.metadata.signed', 'warn', 0],
    ['tampered-signature', [], 'saml.metadata.signed', 'fail', 1],
    ['malformed', [], 'saml.xml.well-formed', 'fail', 1],
    ['doctype', [], 'saml.xml.doctype', 'fail', 1],
    ['no-idp', [], 'saml.entity.descriptor', 'fail', 1],
  ] as const)('%s %j: %s is %s, exit %i', async (name, extra, rule, level, exit) => {
    const { code, report } = await validateJson('--saml-metadata', fixture(name), ...extra);
    expect(levelsOf(report, rule)).toContain(level);
    expect(code).toBe(exit);
  });

  it('each bad fixture fails only for its own reasons (no stray failure from an unrelated rule)', async () => {
    const failing = async (name: string) => (await validateJson('--saml-metadata', fixture(name), '--target', 'cxone')).report.rules.filter((r) => r.level === 'fail').map((r) => r.id);
    expect(await failing('rsa-1024')).toEqual(['saml.cert.key-size']);
    expect(await failing('tampered-signature')).toEqual(['saml.metadata.signed']);
    expect(await failing('expired-cert')).toEqual(['saml.cert.expired']);
    expect(await failing('http-endpoints')).toEqual(['saml.endpoint.https', 'saml.endpoint.https', 'saml.endpoint.https']);
  });

  it('a certificate that expires in 10 days is a warning (built for today: the dates are relative)', async () => {
    const now = Date.now();
    const cert = makeCert({ notBefore: new Date(now - 355 * 86_400_000), notAfter: new Date(now + 10 * 86_400_000) });
    const file = join(dir, 'saml-metadata-expiring-cert.xml');
    writeFileSync(file, samlMetadata({ cert }));
    const { code, report } = await validateJson('--saml-metadata', file, '--target', 'cxone');
    expect(levelsOf(report, 'saml.cert.expiring')).toEqual(['warn']);
    expect(levelsOf(report, 'saml.cert.expired')).toEqual(['pass']);
    expect(code).toBe(0);
  });

  it('an expired certificate beside a valid one (rollover) is only a warning, even for CXone', async () => {
    const expired = makeCert({ cn: 'old', notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') });
    const current = makeCert({ cn: 'new', notBefore: new Date('2025-01-01'), notAfter: new Date('2125-01-01') });
    const xml = samlMetadata({ cert: current, sign: false }).replace(
      '<KeyDescriptor use="signing">',
      `<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${expired.certBase64}</X509Certificate></X509Data></KeyInfo></KeyDescriptor><KeyDescriptor use="signing">`,
    );
    const file = join(dir, 'saml-metadata-rollover.xml');
    writeFileSync(file, xml);
    const { code, report } = await validateJson('--saml-metadata', file, '--target', 'cxone');
    expect(levelsOf(report, 'saml.cert.expired').sort()).toEqual(['pass', 'warn']);
    expect(code).toBe(0);
  });

  it('several IdPs in one document need --entity-id, which picks one', async () => {
    const a = samlMetadata({ cert: makeCert({ notBefore: new Date('2025-01-01'), notAfter: new Date('2125-01-01') }), sign: false, entityId: 'https://a.example/idp' });
    const b = a.replace('https://a.example/idp', 'https://b.example/idp').replace('_3f1c2b9e-6a0d-4c1e-9a55-0e7b1d2c3a4f', '_b');
    const file = join(dir, 'saml-metadata-aggregate.xml');
    writeFileSync(file, `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">${a}${b}</EntitiesDescriptor>`);
    const both = await validateJson('--saml-metadata', file);
    expect(levelsOf(both.report, 'saml.entity.descriptor')).toEqual(['fail']);
    const one = await validateJson('--saml-metadata', file, '--entity-id', 'https://b.example/idp');
    expect(levelsOf(one.report, 'saml.entity.descriptor')).toEqual(['pass']);
    expect(one.report.rules.find((r) => r.id === 'saml.entity.id')?.message).toContain('https://b.example/idp');
  });
});
