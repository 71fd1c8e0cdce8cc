/**
 * Start-up figures of `npm run bench` (issue 7):
 *  - cold start: spawning the built CLI (`dist/bundle/idp-harness.mjs up`) to all six services
 *    answering /healthz, beside the in-run reference of spawning `node` with a bare HTTP server to
 *    its first answer (what any Node mock costs at least on this machine);
 *  - `startLab()`: in a fresh process per run, the package's import, then the first, a second and
 *    a TLS start of every service in-process (bench-start-lab-child.ts).
 * Targets: all six answering within 0.6 s of spawn; the first `startLab()` under 0.3 s.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SERVICE_NAMES } from '../idp/src/config/schema.js';
import { projectRoot } from '../idp/src/shared/paths.js';
import { median } from './bench-oidc.js';
import { CLI, freePort, spawnServer, stop, waitHealthy, type Row } from './bench-process.js';

export const COLD_START_TARGET_MS = 600;
export const START_LAB_TARGET_MS = 300;
const RUNS = 5;

export type LabPorts = Record<(typeof SERVICE_NAMES)[number], number>;

export async function freeLabPorts(): Promise<LabPorts> {
  const ports = {} as LabPorts;
  for (const name of SERVICE_NAMES) ports[name] = await freePort();
  return ports;
}

export function healthUrls(ports: LabPorts): string[] {
  return SERVICE_NAMES.map((name) => `http://127.0.0.1:${ports[name]}/healthz`);
}

/** The built CLI's `up` over plain HTTP, every service on its own free port. */
export function startLabProcess(ports: LabPorts, extraEnv: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, IDP_HARNESS__LOG__LEVEL: 'warn', ...extraEnv };
  for (const name of SERVICE_NAMES) env[`IDP_HARNESS__${name.toUpperCase()}__PORT`] = String(ports[name]);
  const startedAt = performance.now();
  const child = spawnServer([CLI, 'up', '--plain-http'], env);
  return { child, startedAt };
}

/** Reference: `node` spawned with a bare http server, to its first answer. */
async function bareNodeStart(): Promise<number> {
  const port = await freePort();
  const code = `require('http').createServer((q,s)=>s.end('ok')).listen(${port},'127.0.0.1')`;
  const startedAt = performance.now();
  const child = spawnServer(['-e', code], { ...process.env });
  try {
    return (await waitHealthy([`http://127.0.0.1:${port}/healthz`], 10_000)) - startedAt;
  } finally {
    await stop(child);
  }
}

async function coldStart(): Promise<number> {
  const ports = await freeLabPorts();
  const { child, startedAt } = startLabProcess(ports);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    return (await waitHealthy(healthUrls(ports), 10_000)) - startedAt;
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${stderr}`);
  } finally {
    await stop(child);
  }
}

interface StartLabFigures {
  importMs: number;
  firstMs: number;
  secondMs: number;
  tlsMs: number;
}

function startLabRun(): Promise<StartLabFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'dist', 'scripts', 'bench-start-lab-child.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) return reject(new Error(`startLab bench child failed (${code}): ${err}`));
      resolve(JSON.parse(line) as StartLabFigures);
    });
  });
}

export async function startPart(): Promise<Row[]> {
  const bare: number[] = [];
  const cold: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    bare.push(await bareNodeStart());
    cold.push(await coldStart());
  }
  const runs: StartLabFigures[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await startLabRun());
  const m = (k: keyof StartLabFigures) => median(runs.map((r) => r[k]));
  const coldMs = median(cold);
  const bareMs = median(bare);
  console.log(`cold starts (ms): ${cold.map((x) => x.toFixed(0)).join(', ')}; bare node: ${bare.map((x) => x.toFixed(0)).join(', ')}`);
  console.log(`first startLab() (ms): ${runs.map((r) => r.firstMs.toFixed(0)).join(', ')}`);
  const verdict = (v: number, target: number) => (v <= target ? `PASS (≤ ${target})` : `FAIL (> ${target})`);
  return [
    ['reference: spawn of node + bare HTTP server to first answer, median (ms)', bareMs.toFixed(0), ''],
    [`cold start: spawn to all ${SERVICE_NAMES.length} services answering, median of ${RUNS} (ms)`, coldMs.toFixed(0), verdict(coldMs, COLD_START_TARGET_MS)],
    ['cold start ÷ bare node start', (coldMs / bareMs).toFixed(2), ''],
    ['import of the test-suite API (dist/bundle/index.mjs), median (ms)', m('importMs').toFixed(0), ''],
    ['first startLab(), every service, plain HTTP, median (ms)', m('firstMs').toFixed(0), verdict(m('firstMs'), START_LAB_TARGET_MS)],
    ['second startLab() in the same process, median (ms)', m('secondMs').toFixed(0), ''],
    ['startLab({ tls: true }), median (ms)', m('tlsMs').toFixed(0), ''],
  ];
}
