import { X509Certificate } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main as genCerts } from '../../../scripts/gen-certs.js';
import { ensurePki } from '../../src/pki/generate.js';
import { loadPki } from '../../src/pki/load.js';
import { allPkiFiles } from '../../src/pki/systems.js';

const EXTRA_HOSTS = ['lab.example.test', '192.0.2.10'];
const ALL = allPkiFiles();

let root: string;
let dir: string;

interface Snapshot {
  bytes: Buffer;
  mtimeMs: number;
  mode: number;
}

async function snapshot(d: string): Promise<Map<string, Snapshot>> {
  const out = new Map<string, Snapshot>();
  for (const name of (await readdir(d)).sort()) {
    const s = await stat(join(d, name));
    out.set(name, { bytes: await readFile(join(d, name)), mtimeMs: s.mtimeMs, mode: s.mode & 0o777 });
  }
  return out;
}

/** A private copy of the generated folder for a test that changes it. */
async function copyOf(name: string): Promise<string> {
  const target = join(root, name);
  await cp(dir, target, { recursive: true });
  return target;
}

function changed(before: Map<string, Snapshot>, after: Map<string, Snapshot>): string[] {
  return ALL.filter((f) => !before.get(f)!.bytes.equals(after.get(f)!.bytes));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'idp-pki-gen-'));
  dir = join(root, 'certs'); // does not exist yet: ensurePki creates it
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ensurePki', () => {
  it('creates every file on an empty folder', async () => {
    const result = await ensurePki(dir, { hostNames: EXTRA_HOSTS });
    expect(result.created).toEqual(ALL);
    expect(result.kept).toEqual([]);
    expect(Object.keys(result.reasons).sort()).toEqual([...ALL].sort());
    // nothing else is left behind: no temporary files, no lock
    expect((await readdir(dir)).sort()).toEqual([...ALL].sort());
  });

  it('is idempotent: a second run creates nothing and changes no byte or mtime', async () => {
    const before = await snapshot(dir);
    const result = await ensurePki(dir, { hostNames: EXTRA_HOSTS });
    expect(result.created).toEqual([]);
    expect(result.kept).toEqual(ALL);
    const after = await snapshot(dir);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [name, s] of before) {
      expect(after.get(name)!.bytes.equals(s.bytes), name).toBe(true);
      expect(after.get(name)!.mtimeMs, name).toBe(s.mtimeMs);
    }
    // a subset of the host names is still satisfied by the existing certificate
    expect((await ensurePki(dir)).created).toEqual([]);
  });

  it('writes private keys as PKCS#8 PEM with mode 0600 and certificates as PEM', async () => {
    for (const [name, s] of await snapshot(dir)) {
      const text = s.bytes.toString('utf8');
      if (name.endsWith('.key')) {
        expect(s.mode, name).toBe(0o600);
        expect(text, name).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
      } else {
        expect(text, name).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
        expect(text, name).not.toContain('\r');
      }
    }
  });

  it('regenerates only the TLS pair when a host name is added', async () => {
    const d = await copyOf('add-host');
    const before = await snapshot(d);
    const result = await ensurePki(d, { hostNames: [...EXTRA_HOSTS, 'new-host.example.test', '2001:db8::7'] });
    expect(result.created).toEqual(['tls.key', 'tls.pem']);
    expect(result.reasons['tls.pem']).toMatch(/lacks SAN new-host\.example\.test, 2001:db8::7/);
    expect(changed(before, await snapshot(d))).toEqual(['tls.key', 'tls.pem']);

    const tls = new X509Certificate(await readFile(join(d, 'tls.pem')));
    const ca = new X509Certificate(await readFile(join(d, 'ca.pem')));
    expect(tls.checkHost('new-host.example.test')).toBe('new-host.example.test');
    expect(tls.checkIP('2001:db8::7')).toBe('2001:db8::7');
    expect(tls.checkHost('lab.example.test')).toBe('lab.example.test');
    expect(tls.checkIssued(ca)).toBe(true);
    expect(tls.verify(ca.publicKey)).toBe(true);
    // IPv6 written differently is the same address
    expect((await ensurePki(d, { hostNames: [...EXTRA_HOSTS, 'new-host.example.test', '[2001:DB8:0:0::7]'] })).created).toEqual([]);
  });

  it('regenerates a pair when one of its files is deleted, and nothing else', async () => {
    const d = await copyOf('delete-one');
    const before = await snapshot(d);
    await rm(join(d, 'adfs-signing.pem'));
    const result = await ensurePki(d, { hostNames: EXTRA_HOSTS });
    expect(result.created).toEqual(['adfs-signing.key', 'adfs-signing.pem']);
    expect(result.reasons['adfs-signing.pem']).toBe('missing adfs-signing.pem');
    expect(changed(before, await snapshot(d))).toEqual(['adfs-signing.key', 'adfs-signing.pem']);

    // the same for a key file: its certificate is re-issued with it, the other pairs stay
    const beforeKey = await snapshot(d);
    await rm(join(d, 'cxone-encryption.key'));
    const again = await ensurePki(d, { hostNames: EXTRA_HOSTS });
    expect(again.created).toEqual(['cxone-encryption.key', 'cxone-encryption.pem']);
    expect(again.reasons['cxone-encryption.key']).toBe('missing cxone-encryption.key');
    expect(changed(beforeKey, await snapshot(d))).toEqual(['cxone-encryption.key', 'cxone-encryption.pem']);
    expect(() => loadPki(d)).not.toThrow();
  });

  it('ignores files it does not own, such as the retired oidc-signing-es256.key and oidc-signing-eddsa.key', async () => {
    const d = await copyOf('leftovers');
    for (const f of ['oidc-signing-es256.key', 'oidc-signing-eddsa.key']) await writeFile(join(d, f), 'left over from an older version');
    const before = await snapshot(d);
    const result = await ensurePki(d, { hostNames: EXTRA_HOSTS });
    expect(result.created).toEqual([]);
    expect(result.kept).toEqual(ALL);
    expect(changed(before, await snapshot(d))).toEqual([]);
    expect(await readFile(join(d, 'oidc-signing-es256.key'), 'utf8')).toBe('left over from an older version');
    expect(() => loadPki(d)).not.toThrow();
  });

  it('repairs a pair whose key no longer matches its certificate (an interrupted run)', async () => {
    const d = await copyOf('mismatch');
    await writeFile(join(d, 'oidc-signing.key'), await readFile(join(d, 'ids-signing.key')));
    const result = await ensurePki(d, { hostNames: EXTRA_HOSTS });
    expect(result.created).toEqual(['oidc-signing.key', 'oidc-signing.pem']);
    expect(result.reasons['oidc-signing.pem']).toMatch(/does not match/);
    expect(() => loadPki(d)).not.toThrow();
  });

  it('re-issues the TLS pair when the CA is replaced', async () => {
    const d = await copyOf('new-ca');
    const before = await snapshot(d);
    await rm(join(d, 'ca.key'));
    const result = await ensurePki(d, { hostNames: EXTRA_HOSTS });
    expect(result.created).toEqual(['ca.key', 'ca.pem', 'tls.key', 'tls.pem']);
    expect(changed(before, await snapshot(d))).toEqual(['ca.key', 'ca.pem', 'tls.key', 'tls.pem']);
    const tls = new X509Certificate(await readFile(join(d, 'tls.pem')));
    expect(tls.verify(new X509Certificate(await readFile(join(d, 'ca.pem'))).publicKey)).toBe(true);
  });

  it('re-issues expired certificates: token certificates after a year, TLS after 397 days, never the 10-year CA', async () => {
    const d = await copyOf('expired');
    const DAY = 86_400_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 366 * DAY);
      const afterAYear = await ensurePki(d, { hostNames: EXTRA_HOSTS });
      expect(afterAYear.created).toEqual(ALL.filter((f) => /^(adfs|oidc|ids|cxone|sample-sp)-(signing|encryption)\./.test(f)));
      expect(afterAYear.reasons['adfs-signing.pem']).toMatch(/expired/);

      vi.setSystemTime(Date.now() + 40 * DAY);
      const later = await ensurePki(d, { hostNames: EXTRA_HOSTS });
      expect(later.created).toEqual(['tls.key', 'tls.pem']);
      const tls = new X509Certificate(await readFile(join(d, 'tls.pem')));
      expect(Date.parse(tls.validFrom)).toBeGreaterThan(Date.now() - 2 * 3_600_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('serializes concurrent runs on a fresh folder: every pair matches', async () => {
    const d = join(root, 'concurrent');
    const [a, b] = await Promise.all([ensurePki(d), ensurePki(d)]);
    expect([...a.created, ...b.created].sort()).toEqual([...ALL].sort());
    expect(() => loadPki(d)).not.toThrow();
    expect((await readdir(d)).sort()).toEqual([...ALL].sort());
  });

  it('rejects an invalid host name before touching the folder', async () => {
    const d = join(root, 'never-created');
    await expect(ensurePki(d, { hostNames: ['ok.example', 'bad host', '-x.example'] })).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
      details: { hostNames: ['bad host', '-x.example'] },
    });
    await expect(stat(d)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('gen-certs CLI', () => {
  it('reports what it created and kept, with SHA-256 fingerprints, and exits 0', async () => {
    const d = await copyOf('cli');
    const lines: string[] = [];
    expect(await genCerts(['--dir', d, '--host', 'cli.example.test'], (l) => lines.push(l))).toBe(0);
    const out = lines.join('\n');
    expect(out).toMatch(/created {2}tls\.key/);
    expect(out).toMatch(/created {2}tls\.pem {2}\(tls\.pem lacks SAN cli\.example\.test\)/);
    expect(out).toMatch(/kept {5}22 file\(s\)/);
    const adfs = new X509Certificate(await readFile(join(d, 'adfs-signing.pem')));
    expect(out).toContain(`adfs-signing.pem          ${adfs.fingerprint256}`);
    expect(out).toContain('TEST ONLY');

    lines.length = 0;
    expect(await genCerts(['--dir', d, '--host', 'cli.example.test'], (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/kept {5}24 file\(s\): nothing to do/);
  });

  it('rejects unknown options with a usage message', async () => {
    const lines: string[] = [];
    expect(await genCerts(['--nope'], (l) => lines.push(l))).toBe(2);
    expect(lines.join('\n')).toMatch(/Usage: gen-certs/);
  });
});
