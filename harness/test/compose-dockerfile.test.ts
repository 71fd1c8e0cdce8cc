import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../idp/src/config/load.js';
import { SERVICE_NAMES } from '../../idp/src/config/schema.js';
import { projectRoot } from '../../idp/src/shared/paths.js';
import { readDockerfile } from './helpers/compose-file.js';

/**
 * The Dockerfile against the project (no Docker engine here): what it copies exists and is not
 * excluded from the build context, it builds with the project's own build script, what it runs is
 * what the build produces, and it exposes and opens the ports the lab listens on.
 */
const df = readDockerfile();
const ignored = readFileSync(join(projectRoot, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

/** Whether .dockerignore leaves `path` out of the build context (its patterns: exact paths, `dir/*`, `!re-include`). */
function excluded(path: string): boolean {
  let out = false;
  for (const pattern of ignored) {
    const negate = pattern.startsWith('!');
    const p = negate ? pattern.slice(1) : pattern;
    const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`);
    if (re.test(path)) out = !negate;
  }
  return out;
}

describe('Dockerfile', () => {
  it('copies sources that exist and that .dockerignore keeps in the build context', () => {
    expect(df.copySources).toEqual(expect.arrayContaining(['package-lock.json', 'idp', 'harness', 'scripts', 'fixtures', 'idp/assets']));
    for (const src of df.copySources) {
      expect(existsSync(join(projectRoot, src)), src).toBe(true);
      expect(excluded(src), `${src} is in the build context`).toBe(false);
    }
    // and what must never be baked in stays out: the generated PKI, local builds and installs
    for (const path of ['certs/ca.key', 'certs/tls.key', 'node_modules', 'dist', '.git']) expect(excluded(path), path).toBe(true);
  });

  it('installs from the lockfile, builds with the project’s build script and keeps only runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['build']).toContain('tsc -p tsconfig.build.json');
    expect(df.run).toContain('npm ci --no-audit --no-fund');
    expect(df.run.some((r) => r.startsWith('npm run build && npm prune --omit=dev'))).toBe(true);
  });

  it('exposes the default port of every service', () => {
    const defaults = loadConfig({ env: {} });
    expect(df.expose).toEqual(SERVICE_NAMES.map((n) => defaults[n].port));
  });

  it('binds every service on every interface, with configuration the lab accepts', () => {
    const config = loadConfig({ env: df.env });
    for (const n of SERVICE_NAMES) expect(config[n].host, n).toBe('0.0.0.0');
  });

  it('runs built files: the PKI generator and `up`, and a health check of what `up` runs', () => {
    expect(df.cmd[0]).toBe('sh');
    const built = [...df.cmd.join(' ').matchAll(/node (dist\/\S+\.js)/g)].map((m) => m[1]!);
    expect(built).toEqual(['dist/scripts/gen-certs.js', 'dist/harness/src/cli.js']);
    expect(df.cmd.join(' ')).toMatch(/cli\.js up$/); // every service, as the health check's default
    expect(df.healthcheck).toEqual(['node', 'dist/scripts/healthcheck.js']);
    for (const file of [...built, df.healthcheck[1]!]) expect(existsSync(join(projectRoot, file.slice(5).replace(/\.js$/, '.ts'))), file).toBe(true);
  });
});
