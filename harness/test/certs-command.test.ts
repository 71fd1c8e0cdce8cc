import { X509Certificate } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allPkiFiles } from '../../idp/src/pki/systems.js';
import { defaultCertsDir } from '../../idp/src/shared/paths.js';
import { certsShowProblems } from './helpers/cli-output-schemas.js';
import { run } from './helpers/run-cli.js';

/**
 * `idp-harness certs` in-process, on private copies of the test PKI (the shared certs/ folder is
 * never written): show / fingerprints against node:crypto's own reading of each file, rotate
 * (what changes, what stays, what the user is told), generate, and the usage errors.
 */

const root = mkdtempSync(join(tmpdir(), 'idp-harness-certs-'));
let n = 0;
/** A private copy of certs/ (with the OIDC issuer keys). */
function copy(): string {
  const dir = join(root, `pki-${n++}`);
  cpSync(defaultCertsDir, dir, { recursive: true, filter: (src) => !src.includes(`${defaultCertsDir}/previous`) });
  return dir;
}
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const x509 = (dir: string, file: string) => new X509Certificate(read(dir, file));

const saved: Record<string, string | undefined> = {};
beforeAll(() => {
  // A developer's own IDP_HARNESS_* must not change what these tests see.
  for (const k of Object.keys(process.env)) {
    if (k.startsWith('IDP_HARNESS')) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
  }
});
afterAll(() => {
  Object.assign(process.env, saved);
  rmSync(root, { recursive: true, force: true });
});

describe('certs show and fingerprints', () => {
  const dir = copy();
  const certFiles = allPkiFiles().filter((f) => f.endsWith('.pem'));

  it('show --json: every certificate, valid against the schema, thumbprints as node:crypto reads them', async () => {
    const r = await run('certs', 'show', '--dir', dir, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { dir: string; certificates: Array<Record<string, any>>; missing: string[] };
    expect(certsShowProblems(out)).toEqual([]);
    expect(out.missing).toEqual([]);
    expect(out.certificates.map((c) => c.file).sort()).toEqual([...certFiles].sort());
    for (const c of out.certificates) {
      const x = x509(dir, c.file);
      // AD FS's thumbprint: SHA-1, upper-case hex, no separators.
      expect(c.thumbprints.sha1).toBe(x.fingerprint.replace(/:/g, ''));
      expect(c.thumbprints.sha1Colon).toBe(x.fingerprint);
      expect(c.thumbprints.sha256Colon).toBe(x.fingerprint256);
      expect(c.notAfter).toBe(new Date(x.validTo).toISOString());
      expect(c.serialNumber).toBe(x.serialNumber.toUpperCase());
      expect(c.key).toEqual({ type: 'RSA', bits: 2048 });
      expect(c.signatureAlgorithm).toBe('sha256WithRSAEncryption');
      expect(c.privateKeyMatches).toBe(true);
      expect(c.expired).toBe(false);
    }
    const adfs = out.certificates.find((c) => c.file === 'adfs-signing.pem')!;
    expect(adfs.subject).toBe('CN=ADFS Signing - localhost');
    expect(adfs.selfSigned).toBe(true);
    expect(adfs.subjectAltNames).toEqual([]);
    const tls = out.certificates.find((c) => c.file === 'tls.pem')!;
    expect(tls.subject).toBe('CN=localhost, O=idp-harness (TEST ONLY)');
    expect(tls.selfSigned).toBe(false);
    expect(tls.subjectAltNames).toEqual(expect.arrayContaining(['DNS:localhost', 'DNS:adfs', 'IP:127.0.0.1']));
    expect(out.certificates.find((c) => c.file === 'ca.pem')!.ca).toBe(true);
  });

  it('show: a readable block per certificate naming the AD FS thumbprint', async () => {
    const r = await run('certs', 'show', 'adfs-signing.pem', '--dir', dir);
    expect(r.code, r.stderr).toBe(0);
    const x = x509(dir, 'adfs-signing.pem');
    expect(r.stdout).toMatch(/^adfs-signing\.pem\n {2}subject {5}CN=ADFS Signing - localhost\n/);
    expect(r.stdout).toContain(`SHA-1       ${x.fingerprint.replace(/:/g, '')}  (AD FS thumbprint)`);
    expect(r.stdout).toContain(x.fingerprint256);
    expect(r.stdout).toMatch(/key {9}RSA 2048, signed sha256WithRSAEncryption/);
  });

  it('fingerprints: one line per certificate, SHA-1 as AD FS shows it and SHA-256', async () => {
    const r = await run('certs', 'fingerprints', '--dir', dir);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + certFiles.length);
    for (const file of certFiles) {
      const x = x509(dir, file);
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${file.replace('.', '\\.')} +${x.fingerprint.replace(/:/g, '')}  ${x.fingerprint256}$`)));
    }
  });

  it('a file outside the folder, by path', async () => {
    const r = await run('certs', 'show', join(dir, 'ids-signing.pem'), '--json', '--dir', join(root, 'nowhere'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).certificates[0].subject).toBe('CN=ids signing - idp-harness test');
  });

  it('a missing folder: exit 1 and one line saying to run certs generate', async () => {
    const r = await run('certs', 'show', '--dir', join(root, 'nowhere'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('run `idp-harness certs generate`');
  });

  it('a missing file: the others are shown, exit 1, and the missing one named', async () => {
    const d = copy();
    rmSync(join(d, 'cxone-signing.pem'));
    const r = await run('certs', 'show', '--dir', d, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(certsShowProblems(out)).toEqual([]);
    expect(out.missing).toEqual(['cxone-signing.pem']);
    expect(out.certificates).toHaveLength(certFiles.length - 1);
    expect(r.stderr).toMatch(/missing in .*: cxone-signing\.pem; run `idp-harness certs generate`/);
  });
});

describe('certs rotate', () => {
  it('--what signing --system adfs: only the AD FS signing pair is new; restart and metadata advice', async () => {
    const dir = copy();
    const before = Object.fromEntries(allPkiFiles().map((f) => [f, read(dir, f)]));
    const r = await run('certs', 'rotate', '--what', 'signing', '--system', 'adfs', '--dir', dir);
    expect(r.code, r.stderr).toBe(0);
    for (const f of allPkiFiles()) {
      if (f.startsWith('adfs-signing.')) expect(read(dir, f), f).not.toBe(before[f]);
      else expect(read(dir, f), f).toBe(before[f]);
    }
    // The old pair is kept aside; the new one is a proper AD FS token-signing certificate.
    expect(read(join(dir, 'previous'), 'adfs-signing.pem')).toBe(before['adfs-signing.pem']);
    const x = x509(dir, 'adfs-signing.pem');
    expect(x.subject).toBe('CN=ADFS Signing - localhost');
    expect(r.stdout).toContain(`new  adfs-signing.pem  SHA-1 ${x.fingerprint.replace(/:/g, '')}`);
    expect(r.stdout).toMatch(/these services read the new files at start: adfs, ids, cxone, console\./);
    expect(r.stdout).toContain('idp-harness metadata adfs');
  });

  it('--what tls: a new TLS pair under the same CA, with every host name of the old one', async () => {
    const dir = copy();
    expect((await run('certs', 'generate', '--dir', dir, '--host', 'partner.lab.test')).code).toBe(0);
    const ca = read(dir, 'ca.pem');
    const oldTls = read(dir, 'tls.pem');
    const r = await run('certs', 'rotate', '--what', 'tls', '--dir', dir);
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir, 'ca.pem')).toBe(ca);
    const tls = x509(dir, 'tls.pem');
    expect(read(dir, 'tls.pem')).not.toBe(oldTls);
    expect(tls.subjectAltName).toContain('DNS:partner.lab.test');
    expect(tls.verify(new X509Certificate(ca).publicKey)).toBe(true);
    expect(r.stdout).toMatch(/restart.*: adfs, oidc, ids, finesse, cxone\./i);
  });

  it('--ca: a new CA and a TLS certificate it signs; the user is told to trust the new ca.pem', async () => {
    const dir = copy();
    const oldCa = read(dir, 'ca.pem');
    const r = await run('certs', 'rotate', '--ca', '--dir', dir);
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir, 'ca.pem')).not.toBe(oldCa);
    expect(x509(dir, 'tls.pem').verify(x509(dir, 'ca.pem').publicKey)).toBe(true);
    expect(r.stdout).toContain('trust the new ca.pem');
    expect(read(dir, 'adfs-signing.pem')).toBe(read(defaultCertsDir, 'adfs-signing.pem'));
  });

  it("--what oidc: new JWS keys for every issuer folder; the relying parties' JWKS advice", async () => {
    const dir = copy();
    const before = read(join(dir, 'oidc', 'default'), 'signing-rs256.key');
    const r = await run('certs', 'rotate', '--what', 'oidc', '--dir', dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, 'oidc', 'default')).sort()).toEqual(['signing-eddsa.key', 'signing-es256.key', 'signing-ps256.key', 'signing-rs256.key']);
    expect(read(join(dir, 'oidc', 'default'), 'signing-rs256.key')).not.toBe(before);
    expect(existsSync(join(dir, 'previous', 'oidc', 'ficam', 'signing-es256.key'))).toBe(true);
    expect(r.stdout).toMatch(/services read the new files at start: oidc\./);
    expect(r.stdout).toContain('JWKS');
  });

  for (const [argv, pattern] of [
    [['rotate'], /say what to rotate/],
    [['rotate', '--what', 'keys'], /--what keys: one of tls, signing, encryption, oidc, all/],
    [['rotate', '--what', 'signing', '--system', 'finesse'], /--system finesse: one of adfs, oidc, ids, cxone, sample-sp/],
    [['rotate', '--what', 'tls', '--system', 'adfs'], /--system chooses whose signing or encryption pair/],
    [['frobnicate'], /unknown subcommand 'frobnicate'/],
    [[], /say what to do: generate, rotate, show, fingerprints/],
    [['show', '--bogus'], /Unknown option '--bogus'/],
  ] as const) {
    it(`certs ${argv.join(' ')}: exit 2, one line`, async () => {
      const r = await run('certs', ...argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).toContain("Run 'idp-harness certs --help'.");
    });
  }

  it('rotate on a folder without a PKI: exit 1, run certs generate', async () => {
    const r = await run('certs', 'rotate', '--what', 'all', '--dir', join(root, 'empty'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no test PKI in .*: run `idp-harness certs generate` --dir /);
  });
});

describe('certs generate', () => {
  it('creates only what is missing and reissues TLS for a new host name', async () => {
    const dir = copy();
    rmSync(join(dir, 'ids-encryption.key'));
    const keep = read(dir, 'adfs-signing.pem');
    const r = await run('certs', 'generate', '--dir', dir, '--host', 'fs.partner.test');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/created {2}ids-encryption\.key {2}\(missing ids-encryption\.key\)/);
    expect(r.stdout).toMatch(/created {2}tls\.pem {2}\(tls\.pem lacks SAN fs\.partner\.test\)/);
    expect(read(dir, 'adfs-signing.pem')).toBe(keep);
    expect(x509(dir, 'tls.pem').subjectAltName).toContain('DNS:fs.partner.test');
    const again = await run('certs', 'generate', '--dir', dir, '--host', 'fs.partner.test');
    expect(again.stdout).toMatch(/kept {5}24 file\(s\): nothing to do/);
  });

  it('--force replaces every file, the CA included, keeping the old ones aside', async () => {
    const dir = copy();
    const oldCa = read(dir, 'ca.pem');
    const r = await run('certs', 'generate', '--dir', dir, '--force');
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir, 'ca.pem')).not.toBe(oldCa);
    expect(read(join(dir, 'previous'), 'ca.pem')).toBe(oldCa);
    for (const f of allPkiFiles()) expect(r.stdout).toContain(`created  ${f}`);
    expect(existsSync(join(dir, 'oidc', 'default', 'signing-rs256.key'))).toBe(true);
  });

  it('--help prints the usage of every subcommand', async () => {
    const r = await run('certs', 'rotate', '--help');
    expect(r.code).toBe(0);
    for (const sub of ['certs generate', 'certs rotate', 'certs show', 'certs fingerprints']) expect(r.stdout).toContain(sub);
  });
});
