#!/usr/bin/env node
// Bundles the CLI (and the test-suite API) into single ES modules under dist/bundle/ with esbuild.
// Why: Node 20 has no module compile cache, and loading ~900 small ES modules (ours and
// oidc-provider's, koa's, zod's…) costs more than the lab's own start: one file starts the whole
// lab in about two thirds of the time (`npm run bench` measures both). Plain JavaScript on purpose:
// `npm start` runs it before anything else is built.
//   node scripts/bundle.mjs [--out <dir>]
// Some dependencies stay external, read from node_modules as without the bundle: libxml2-wasm
// (loads its .wasm beside itself), pino (resolves its worker files by path) and
// @node-saml/node-saml (its enums come out undefined when esbuild wraps its CommonJS modules:
// the sample SP's `ValidateInResponseTo.ifPresent` threw), loaded only by the sample SP and the
// scenarios, off the start-up path.
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Bundles each entry that exists; resolves to the files written. */
export async function bundle(outDir = join(root, 'dist', 'bundle')) {
  const { build } = await import('esbuild');
  const entries = {
    'idp-harness': join(root, 'harness', 'src', 'cli.ts'),
    index: join(root, 'harness', 'src', 'index.ts'),
  };
  const entryPoints = Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)));
  // Chunk names carry content hashes: without this, every build would leave the old ones behind.
  rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['libxml2-wasm', 'pino', '@node-saml/node-saml', 'esbuild'],
    // CommonJS dependencies call require() for Node built-ins; an ES module has none.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'error',
    legalComments: 'none',
  });
  return Object.keys(entryPoints).map((name) => join(outDir, `${name}.mjs`));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--out');
  const files = await bundle(i > 0 ? process.argv[i + 1] : undefined);
  process.stderr.write(`idp-harness: bundled ${files.map((f) => f.slice(root.length + 1)).join(', ')}\n`);
}
