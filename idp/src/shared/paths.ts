import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root (the folder holding package.json), found by walking up from this module.
 * Works the same from `idp/src/shared` (vitest) and from `dist/idp/src/shared` (built), so data
 * files (fixtures, certs, XSDs) are always read from the checkout, never copied into dist.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'idp'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('idp-harness: cannot find the project root above ' + import.meta.url);
    dir = up;
  }
}

export const projectRoot = findRoot();
export const fixturesDir = join(projectRoot, 'fixtures');
export const defaultCertsDir = join(projectRoot, 'certs');
export const assetsDir = join(projectRoot, 'idp', 'assets');
