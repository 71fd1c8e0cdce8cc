import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import { run } from './helpers/run-cli.js';

/**
 * The CLI in-process: `main(argv)` resolves to the exit code; what it prints is captured by
 * spying on process.stdout/stderr. Nothing here binds a default port.
 */

const dir = mkdtempSync(join(tmpdir(), 'idp-harness-cli-'));
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
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('printing the resolved configuration', () => {
  for (const argv of [['config'], ['--print-config'], ['up', '--print-config']]) {
    it(`${argv.join(' ')} prints the defaults as JSON and exits 0`, async () => {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      const c = JSON.parse(r.stdout);
      expect(c.adfs.port).toBe(9443);
      expect(c.adfs.host).toBe('127.0.0.1');
      expect(c.console.port).toBe(9000);
      expect(c.console.tls).toBe(false);
      expect(c.tls.enabled).toBe(true);
    });
  }

  it('applies --config (YAML), --plain-http and --only adfs', async () => {
    const file = write('lab.yaml', 'adfs:\n  port: 10443\n  publicUrl: https://adfs:10443\nlog:\n  level: warn\n');
    for (const argv of [
      ['config', '--config', file, '--plain-http', '--only', 'adfs'],
      ['--print-config', '-c', file, '--plain-http', '--only', 'adfs'],
      ['up', '--print-config', '--config', file, '--plain-http', '--only', 'adfs'],
    ]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(0);
      const c = JSON.parse(r.stdout);
      expect(c.adfs.port).toBe(10443);
      expect(c.adfs.publicUrl).toBe('https://adfs:10443');
      expect(c.log.level).toBe('warn');
      expect(c.tls.enabled).toBe(false);
      expect(c.adfs.enabled).toBe(true);
      expect(c.console.enabled).toBe(false);
    }
  });

  it('--port, --public-url (repeatable) and --host set the listen keys of the services', async () => {
    const r = await run('config', '--port', 'adfs=10443', '--port', 'console=0', '--public-url', 'adfs=https://adfs.lab.test:10443', '--public-url', 'oidc=http://oidc.lab.test', '--host', '0.0.0.0', '--only', 'adfs,oidc,console');
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.adfs).toMatchObject({ enabled: true, port: 10443, publicUrl: 'https://adfs.lab.test:10443', host: '0.0.0.0' });
    expect(c.console).toMatchObject({ enabled: true, port: 0, host: '0.0.0.0' });
    expect(c.oidc).toMatchObject({ port: 9444, publicUrl: 'http://oidc.lab.test' });
    expect(c.ids).toMatchObject({ enabled: false, host: '0.0.0.0' });
  });

  it('a --port or --public-url the schema refuses is ERR_CONFIG_INVALID naming its path', async () => {
    const r = await run('config', '--port', 'adfs=70000', '--public-url', 'oidc=https://oidc.lab.test/path');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERR_CONFIG_INVALID: invalid configuration \(2 problems\)/);
    expect(r.stderr).toContain('- adfs.port: ');
    expect(r.stderr).toContain('- oidc.publicUrl: ');
  });

  it('--only takes a comma-separated list', async () => {
    const c = JSON.parse((await run('config', '--only', 'adfs, console')).stdout);
    expect(c.adfs.enabled).toBe(true);
    expect(c.console.enabled).toBe(true);
  });

  it('command-line options win over the environment, which wins over the file', async () => {
    const file = write('layers.json', JSON.stringify({ adfs: { port: 10443 }, console: { port: 10000 }, tls: { enabled: true } }));
    vi.stubEnv('IDP_HARNESS__ADFS__PORT', '9555');
    vi.stubEnv('IDP_HARNESS__TLS__ENABLED', 'true');
    const c = JSON.parse((await run('config', '--config', file, '--plain-http')).stdout);
    expect(c.adfs.port).toBe(9555);
    expect(c.console.port).toBe(10000);
    expect(c.tls.enabled).toBe(false);
  });

  it('reads the file named by IDP_HARNESS_CONFIG', async () => {
    vi.stubEnv('IDP_HARNESS_CONFIG', write('env.json', JSON.stringify({ console: { port: 10001 } })));
    expect(JSON.parse((await run('config')).stdout).console.port).toBe(10001);
  });
});

describe('configuration errors', () => {
  const file = write('bad.json', JSON.stringify({ adfs: { prot: 1, port: 70000 }, console: { tls2: true }, nope: 1 }));

  for (const argv of [['config', '--config', file], ['--print-config', '--config', file], ['up', '--config', file]]) {
    it(`${argv[0]} exits 1 with one ERR_CONFIG_INVALID line naming every path`, async () => {
      const r = await run(...argv);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      const first = r.stderr.split('\n')[0]!;
      expect(first).toMatch(/^idp-harness (config|up): ERR_CONFIG_INVALID: invalid configuration \(4 problems\)/);
      for (const path of ['adfs.prot', 'adfs.port', 'console.tls2', 'nope']) expect(r.stderr).toContain(`- ${path}: `);
    });
  }

  it('a bad environment value is reported with its config path', async () => {
    vi.stubEnv('IDP_HARNESS__LOG__LEVEL', 'loud');
    const r = await run('config');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERR_CONFIG_INVALID/);
    expect(r.stderr).toContain('- log.level: ');
  });

  it('a missing config file is a config error, not a crash', async () => {
    const missing = join(dir, 'missing.yaml');
    const r = await run('config', '--config', missing);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERR_CONFIG_INVALID/);
    expect(r.stderr).toContain(`(file ${missing})`);
  });

  it('--only with an unknown service exits 2 naming it', async () => {
    const r = await run('config', '--only', 'adfs,oidcx');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^idp-harness config: --only: unknown service\(s\) oidcx/);
  });

  it('a missing PKI is reported with its remedy', async () => {
    const empty = mkdtempSync(join(dir, 'certs-'));
    const cfg = write('empty-certs.json', JSON.stringify({ certsDir: empty, adfs: { port: 0 }, console: { port: 0 } }));
    const r = await run('up', '--config', cfg);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^idp-harness up: ERR_PKI_MISSING: /);
    expect(r.stderr).toContain("Run 'idp-harness certs generate'");
  });
});

describe('usage errors and help', () => {
  it('an unknown command exits 2 and says so', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("idp-harness: unknown command 'frobnicate'. Run 'idp-harness --help' for the list.\n");
  });

  it('no command prints the help and exits 2', async () => {
    const r = await run();
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('usage: idp-harness <command>');
  });

  for (const argv of [['--help'], ['-h'], ['help']]) {
    it(`${argv[0]} lists the commands and exits 0`, async () => {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^\s+up\s+start the lab/m);
      expect(r.stdout).toMatch(/^\s+config\s+print the resolved configuration/m);
    });
  }

  for (const name of ['up', 'config']) {
    for (const flag of ['--help', '-h']) {
      it(`${name} ${flag} prints its usage and exits 0 (without starting anything)`, async () => {
        const r = await run(name, flag);
        expect(r.code).toBe(0);
        expect(r.stderr).toBe('');
        expect(r.stdout.startsWith(`idp-harness ${name} [options]`)).toBe(true);
        expect(r.stdout).toContain('--config <file>');
        expect(r.stdout).toContain('--plain-http');
        expect(r.stdout).toContain('--only <list>');
      });
    }
  }

  it('up --help mentions --print-config and the listen options', async () => {
    const help = (await run('up', '--help')).stdout;
    for (const opt of ['--print-config', '--port <svc>=<n>', '--public-url <svc>=<url>', '--host <address>', 'SIGTERM']) expect(help).toContain(opt);
  });

  for (const name of ['certs', 'metadata', 'token']) {
    it(`${name} is listed, and ${name} --help exits 0`, async () => {
      expect((await run('--help')).stdout).toMatch(new RegExp(`^\\s+${name}\\s+\\S`, 'm'));
      const r = await run(name, '--help');
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.startsWith(`idp-harness ${name} `)).toBe(true);
    });
  }

  it('up --frob (an unknown option) exits 2 with one clear line', async () => {
    const r = await run('up', '--frob', '9443');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^idp-harness up: Unknown option '--frob'.*Run 'idp-harness up --help'\.$/);
  });

  it('a stray positional argument exits 2', async () => {
    const r = await run('config', 'extra');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^idp-harness config: .*extra.*Run 'idp-harness config --help'\.\n$/);
  });

  it('--config without its value exits 2', async () => {
    const r = await run('config', '--config');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^idp-harness config: .*--config/);
  });

  for (const [argv, pattern] of [
    [['up', '--port', '9443'], /--port 9443: write <service>=<value>, e\.g\. --port adfs=10443/],
    [['up', '--port', 'adfs='], /--port adfs=: write <service>=<value>/],
    [['config', '--port', 'fs=9443'], /--port fs=9443: unknown service 'fs' \(known: adfs, oidc, ids, finesse, cxone, console\)/],
    [['config', '--port', 'adfs=high'], /--port adfs=high: the port is a number/],
    [['config', '--public-url', 'https://adfs:9443'], /--public-url https:\/\/adfs:9443: write <service>=<value>, e\.g\. --public-url adfs=https:\/\/adfs:9443/],
    [['up', '--host', ''], /--host: an address to bind/],
  ] as const) {
    it(`${argv.join(' ')} exits 2 with one line`, async () => {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    });
  }
});

describe('up', () => {
  it('starts the configured services (ephemeral ports), prints them, and stops on SIGTERM', async () => {
    const cfg = write('up.json', JSON.stringify({ adfs: { port: 0 }, cxone: { port: 0 }, console: { port: 0 }, log: { level: 'silent' } }));
    const before = new Set([...process.listeners('SIGTERM'), ...process.listeners('SIGINT')]);
    let stdout = '';
    let stderr = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
    let done: Promise<number> | undefined;
    try {
      done = main(['up', '--config', cfg, '--plain-http']);
      // `up` prints its table once every service answers; wait for it (bounded).
      for (let i = 0; i < 200 && !stderr.includes('idp-harness is up'); i++) await new Promise((r) => setTimeout(r, 25));
      expect(stderr).toContain('idp-harness is up');
      const adfsUrl = /^\s+adfs\s+(http:\/\/localhost:\d+)$/m.exec(stderr)?.[1];
      const consoleUrl = /^\s+console\s+(http:\/\/localhost:\d+)$/m.exec(stderr)?.[1];
      expect(adfsUrl).toBeDefined();
      expect(consoleUrl).toBeDefined();
      expect(adfsUrl).not.toBe('http://localhost:9443');
      expect(stderr).toMatch(/identifier\s+http:\/\/localhost\/adfs\/services\/trust/);
      expect(stderr).toMatch(new RegExp(`^\\s+sample SP\\s+${consoleUrl}/sample-sp/$`, 'm'));
      const cxoneUrl = /^\s+cxone\s+(http:\/\/localhost:\d+)$/m.exec(stderr)?.[1];
      expect(cxoneUrl).toBeDefined();
      expect(stderr).toMatch(new RegExp(`^\\s+cxone admin\\s+${cxoneUrl}/admin$`, 'm'));
      expect(stderr).toMatch(new RegExp(`^\\s+cxone sign-in\\s+${cxoneUrl}/login$`, 'm'));
      const health = await fetch(adfsUrl!.replace('localhost', '127.0.0.1') + '/healthz');
      expect(await health.json()).toEqual({ service: 'adfs', status: 'ok' });

      const added = process.listeners('SIGTERM').filter((l) => !before.has(l));
      expect(added).toHaveLength(1);
      (added[0] as () => void)();
      expect(await done).toBe(0);
      // `up` listens once on both signals; drop the one that did not fire.
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        for (const l of process.listeners(sig)) if (!before.has(l)) process.removeListener(sig, l);
      }
      await expect(fetch(adfsUrl!.replace('localhost', '127.0.0.1') + '/healthz')).rejects.toThrow();
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect(stdout).toBe('');
  });
});

describe('up and the TLS certificate', () => {
  it('reissues the TLS certificate so it names tls.hostNames and the public URLs hosts before starting', async () => {
    const { cpSync, readFileSync } = await import('node:fs');
    const { X509Certificate } = await import('node:crypto');
    const { defaultCertsDir } = await import('../../idp/src/shared/paths.js');
    const certs = join(dir, 'certs-copy');
    cpSync(defaultCertsDir, certs, { recursive: true });
    const sans = () => new X509Certificate(readFileSync(join(certs, 'tls.pem'))).subjectAltName ?? '';
    expect(sans()).not.toContain('adfs.lab.test');
    const cfg = write(
      'up-tls.json',
      JSON.stringify({
        certsDir: certs,
        tls: { hostNames: ['adfs.lab.test'] },
        adfs: { port: 0, publicUrl: 'https://lab.example:9443' },
        console: { enabled: false },
        log: { level: 'silent' },
      }),
    );
    const before = new Set([...process.listeners('SIGTERM'), ...process.listeners('SIGINT')]);
    let stderr = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
    try {
      const done = main(['up', '--config', cfg]);
      for (let i = 0; i < 400 && !stderr.includes('idp-harness is up'); i++) await new Promise((r) => setTimeout(r, 25));
      expect(stderr).toContain('TLS certificate reissued');
      expect(sans()).toContain('DNS:adfs.lab.test');
      expect(sans()).toContain('DNS:lab.example');
      (process.listeners('SIGTERM').find((l) => !before.has(l)) as () => void)();
      expect(await done).toBe(0);
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        for (const l of process.listeners(sig)) if (!before.has(l)) process.removeListener(sig, l);
      }
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
