/**
 * What the parts of `npm run bench` share to run servers in separate processes: free loopback
 * ports, the built CLI, spawning on the server core (taskset when available), waiting for
 * /healthz, stopping, and reading a process's resident memory. bench.ts runs `main()` when loaded,
 * so the parts (bench-xmpp.ts) import these from here rather than from it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../idp/src/shared/paths.js';

/** One line of bench.ts's tables: label, value, verdict (PASS/FAIL only where a target exists). */
export type Row = [string, string, string];

/** The CLI as `npm start` and the image run it: the esbuild bundle (scripts/bundle.mjs). */
export const CLI = join(projectRoot, 'dist', 'bundle', 'idp-harness.mjs');
export const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
export const SERVER_CORE = '0';
export const CLIENT_CORE = '1';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * A node process on the server core; BENCH_SERVER_NODE_ARGS (e.g. `--cpu-prof`) profiles it.
 * `extraNodeArgs` go to node too (e.g. `--inspect=127.0.0.1:<port>`).
 */
export function spawnServer(args: string[], env: NodeJS.ProcessEnv, extraNodeArgs: string[] = []): ChildProcess {
  const nodeArgs = [...(process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean), ...extraNodeArgs];
  return hasTaskset
    ? spawn('taskset', ['-c', SERVER_CORE, process.execPath, ...nodeArgs, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(process.execPath, [...nodeArgs, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function get(url: string, agent?: Agent, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const r = request(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
    });
    r.on('error', reject);
    r.end();
  });
}

export async function waitHealthy(urls: string[], deadlineMs: number): Promise<number> {
  const t0 = performance.now();
  const pending = new Set(urls);
  while (pending.size > 0) {
    if (performance.now() - t0 > deadlineMs) throw new Error(`not healthy within ${deadlineMs} ms: ${[...pending].join(', ')}`);
    await Promise.all(
      [...pending].map(async (u) => {
        try {
          if ((await get(u)).status === 200) pending.delete(u);
        } catch {
          /* not listening yet */
        }
      }),
    );
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now();
}

/** SIGTERM, then SIGKILL if the process has not gone within 5 s: a bench never leaves a server behind. */
export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(); // already gone (it failed)
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function rssMb(pid: number): number {
  // Under taskset the child is taskset itself only until it execs node: same pid.
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}
