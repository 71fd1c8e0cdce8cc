#!/usr/bin/env node
// `npm start`: installs what is missing, builds when the sources changed, generates the test PKI
// when it is absent, then runs `idp-harness up` (arguments after `--` are passed on).
// Plain JavaScript on purpose: it must run before anything is built.
//   --build-only   stop after the build (used by `npm run bench`)
//   --certs-only   stop after the PKI (used by `npm run certs`)
//   --install-only stop after the dependencies (`npm test` runs this first)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const buildOnly = args.includes('--build-only');
const certsOnly = args.includes('--certs-only');
const installOnly = args.includes('--install-only');
const passOn = args.filter((a) => a !== '--build-only' && a !== '--certs-only' && a !== '--install-only' && a !== '--');

function run(cmd, cmdArgs, what) {
  process.stderr.write(`idp-harness: ${what}…\n`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`idp-harness: ${what} failed (exit ${r.status}).\n`);
    process.exit(r.status ?? 1);
  }
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

// 1. Dependencies, from the committed lockfile.
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(join(root, 'package-lock.json')).mtimeMs > statSync(installed).mtimeMs) {
  run('npm', ['ci', '--no-audit', '--no-fund'], 'installing dependencies (npm ci)');
}
if (installOnly) process.exit(0);

// 2. Build, when any source is newer than the last build.
const stamp = join(root, 'dist', '.build-stamp');
const sources = Math.max(
  ...['idp/src', 'harness/src', 'scripts', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((p) => newestMtime(join(root, p))),
);
if (!existsSync(stamp) || statSync(stamp).mtimeMs < sources) {
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], 'building (tsc)');
  run(process.execPath, [join(root, 'scripts', 'bundle.mjs')], 'bundling the CLI (esbuild)');
  writeFileSync(stamp, new Date().toISOString() + '\n');
}
if (buildOnly) process.exit(0);

// 3. The test PKI, when a file of it is missing (gen-certs creates only what is missing).
const { allPkiFiles } = await import(pathToFileURL(join(root, 'dist', 'idp', 'src', 'pki', 'systems.js')).href);
const certsDir = join(root, 'certs');
if (certsOnly || allPkiFiles().some((f) => !existsSync(join(certsDir, f)))) {
  run(process.execPath, [join(root, 'dist', 'scripts', 'gen-certs.js'), '--dir', certsDir], 'generating the test PKI');
}
if (certsOnly) process.exit(0);

// 4. The lab, in the foreground; signals go to it so Ctrl-C stops it cleanly.
const child = spawn(process.execPath, [join(root, 'dist', 'bundle', 'idp-harness.mjs'), 'up', ...passOn], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
