import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from '../../idp/src/config/schema.js';
import { projectRoot } from '../../idp/src/shared/paths.js';
// @ts-expect-error plain JavaScript on purpose (it runs before anything is built): no types
import { bundle } from '../../scripts/bundle.mjs';

/**
 * The artifact users run: `npm start` and the image start the esbuild bundle, not the sources the
 * other tests import. This bundles the CLI the way `npm run build` does (into a folder of its own
 * under dist/, so the project root is found the same way), spawns `idp-harness up` from it with
 * every service on a free port, and checks that each service answers and that SIGTERM stops it
 * cleanly (exit 0), as `up` promises.
 */
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

const outDir = mkdtempSync(join(projectRoot, 'dist-test-bundle-'));
const ports: Record<string, number> = {};
let child: ChildProcess;
let stderr = '';

beforeAll(async () => {
  const [cli] = (await bundle(outDir)) as string[];
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], IDP_HARNESS__LOG__LEVEL: 'warn' };
  for (const name of SERVICE_NAMES) {
    ports[name] = await freePort();
    env[`IDP_HARNESS__${name.toUpperCase()}__PORT`] = String(ports[name]);
  }
  child = spawn(process.execPath, [cli!, 'up', '--plain-http'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  // Bounded: the lab prints its table once every service listens.
  for (let i = 0; i < 300 && !stderr.includes('idp-harness is up'); i++) {
    if (child.exitCode !== null) throw new Error(`up exited ${child.exitCode}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}, 60_000);

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(outDir, { recursive: true, force: true });
});

describe('the bundled CLI (dist/bundle/idp-harness.mjs)', () => {
  it('starts every service, each answering its health check and its protocol documents', async () => {
    expect(stderr).toContain('idp-harness is up');
    for (const name of SERVICE_NAMES) {
      const res = await fetch(`http://127.0.0.1:${ports[name]}/healthz`);
      expect(res.status, name).toBe(200);
    }
    const metadata = await fetch(`http://127.0.0.1:${ports['adfs']}/FederationMetadata/2007-06/FederationMetadata.xml`);
    expect(await metadata.text()).toContain('<ds:Signature');
    const discovery = (await (await fetch(`http://127.0.0.1:${ports['oidc']}/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(discovery.issuer).toBe(`http://localhost:${ports['oidc']}`);
    const cxone = (await (await fetch(`http://127.0.0.1:${ports['cxone']}/.well-known/openid-configuration`)).json()) as { token_endpoint: string };
    expect(cxone.token_endpoint).toMatch(/\/auth\/token$/);
    const sso = await fetch(`http://127.0.0.1:${ports['finesse']}/desktop/sso/token?cc_username=agent1`, { redirect: 'manual' });
    expect(sso.status).toBe(302);
    expect(sso.headers.get('location')).toContain('/ids/v1/oauth/authorize');
  });

  it('the bundled scenarios command drives the whole catalog against the bundled lab: exit 0, a JUnit case per scenario', async () => {
    const junit = join(outDir, 'junit.xml');
    const run = spawn(process.execPath, [join(outDir, 'idp-harness.mjs'), 'scenarios', 'run', '--lab', `http://127.0.0.1:${ports['console']}`, '--junit', junit], {
      env: { PATH: process.env['PATH'] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    run.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    run.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => run.once('exit', resolve));
    expect(code, out).toBe(0);
    const xml = readFileSync(junit, 'utf8');
    const cases = xml.match(/<testcase /g)?.length ?? 0;
    expect(cases).toBeGreaterThanOrEqual(30);
    expect(xml).not.toContain('<failure');
    expect(xml).not.toContain('<skipped');
  }, 120_000);

  it('stops cleanly on SIGTERM: exit code 0, every port released', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${ports['adfs']}/healthz`)).rejects.toThrow();
  });
});
