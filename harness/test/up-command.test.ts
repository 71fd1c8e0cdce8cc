import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { projectRoot } from '../../idp/src/shared/paths.js';
import { main } from '../src/cli.js';
// @ts-expect-error plain JavaScript on purpose (it runs before anything is built): no types
import { bundle } from '../../scripts/bundle.mjs';

/**
 * `idp-harness up` with the listen options (--port, --public-url, --host) in-process, and the
 * clean stop on a real SIGINT in a spawned process (the bundled CLI, as `npm start` runs it;
 * bundle-up.test.ts covers SIGTERM and every service). Ports are free ones picked here.
 */

const tmp = mkdtempSync(join(tmpdir(), 'idp-harness-up-'));
const saved: Record<string, string | undefined> = {};
beforeAll(() => {
  for (const k of Object.keys(process.env)) {
    if (k.startsWith('IDP_HARNESS')) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
  }
});
afterAll(() => {
  Object.assign(process.env, saved);
  rmSync(tmp, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const signalListeners = () => [...process.listeners('SIGINT'), ...process.listeners('SIGTERM')];

describe('up with --port, --public-url and --host', () => {
  it('listens where told, derives the AD FS identifier from the public URL, and stops on SIGINT', async () => {
    const port = await freePort();
    const cfg = join(tmp, 'quiet.json');
    writeFileSync(cfg, JSON.stringify({ log: { level: 'silent' } }));
    const before = new Set(signalListeners());
    let stderr = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
    try {
      const done = main(['up', '--config', cfg, '--plain-http', '--only', 'adfs,console', '--port', `adfs=${port}`, '--port', 'console=0', '--public-url', `adfs=http://adfs.lab.test:${port}`, '--host', '127.0.0.1']);
      for (let i = 0; i < 200 && !stderr.includes('idp-harness is up'); i++) await new Promise((r) => setTimeout(r, 25));
      expect(stderr).toContain('idp-harness is up');
      expect(stderr).toMatch(new RegExp(`^\\s+adfs\\s+http://adfs\\.lab\\.test:${port}$`, 'm'));
      expect(stderr).toMatch(/^\s+identifier\s+http:\/\/adfs\.lab\.test\/adfs\/services\/trust$/m);
      expect(stderr).toContain('Listening on 127.0.0.1.');
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toEqual({ service: 'adfs', status: 'ok' });
      // Over plain HTTP the PKI is left alone: no certificate was reissued for adfs.lab.test.
      expect(stderr).not.toContain('TLS certificate reissued');

      const added = signalListeners().filter((l) => !before.has(l));
      expect(added).toHaveLength(2); // one function, on SIGINT and SIGTERM
      (added[0] as (s: NodeJS.Signals) => void)('SIGINT');
      expect(await done).toBe(0);
      // Both listeners are gone: a second Ctrl-C would get Node's default.
      expect(signalListeners().filter((l) => !before.has(l))).toEqual([]);
      expect(stderr).toContain('idp-harness: SIGINT, stopping…');
      expect(stderr).toContain('idp-harness: stopped.');
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  it('a port in use: exit 1, one line naming the remedy', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    let stderr = '';
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
    try {
      const code = await main(['up', '--plain-http', '--only', 'adfs', '--port', `adfs=${port}`]);
      expect(code).toBe(1);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/EADDRINUSE.*another process holds that port/);
    } finally {
      err.mockRestore();
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});

describe('up in its own process', () => {
  const outDir = mkdtempSync(join(projectRoot, 'dist-test-up-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('a real SIGINT stops it cleanly: exit 0, the ports released', async () => {
    const [cli] = (await bundle(outDir)) as string[];
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], IDP_HARNESS__LOG__LEVEL: 'warn' };
    const child = spawn(process.execPath, [cli!, 'up', '--plain-http', '--only', 'adfs,console', '--port', `adfs=${port}`, '--port', 'console=0'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      for (let i = 0; i < 300 && !stderr.includes('idp-harness is up'); i++) {
        if (child.exitCode !== null) throw new Error(`up exited ${child.exitCode}: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stderr).toContain('SIGINT, stopping');
      expect(stderr).toContain('stopped.');
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
