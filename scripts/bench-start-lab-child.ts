/**
 * Run by bench-start.ts in a fresh process, as a test file's worker would be: imports the
 * test-suite API the way a suite does (the package entry, `dist/bundle/index.mjs`), then times
 * `startLab()` with every service — the first call (cold: lazy initialisations included), a second
 * one, and one over TLS — and prints the figures as one JSON line on stdout.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../idp/src/shared/paths.js';

interface StartLabApi {
  startLab(opts?: { tls?: boolean }): Promise<{ stop(): Promise<void> }>;
}

const t0 = performance.now();
const api = (await import(pathToFileURL(join(projectRoot, 'dist', 'bundle', 'index.mjs')).href)) as StartLabApi;
const importMs = performance.now() - t0;
const time = async (opts: { tls?: boolean }): Promise<number> => {
  const s = performance.now();
  const lab = await api.startLab(opts);
  const ms = performance.now() - s;
  await lab.stop();
  return ms;
};
const firstMs = await time({});
const secondMs = await time({});
const tlsMs = await time({ tls: true });
process.stdout.write(JSON.stringify({ importMs, firstMs, secondMs, tlsMs }) + '\n');
process.exit(0);
