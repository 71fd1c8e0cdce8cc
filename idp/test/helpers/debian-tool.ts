import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

/**
 * Tests that shell out to Debian tools (xmlsec1) are independent verifiers, so they must not
 * silently vanish in CI: under CI=true a missing tool fails the block; on a developer machine it
 * is skipped with one notice per tool.
 */
export function toolAvailable(name: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

const warned = new Set<string>();

export function describeWithTool(tool: string, title: string, fn: () => void): void {
  if (toolAvailable(tool)) {
    describe(title, fn);
    return;
  }
  const message = `${tool} is required under CI=true; .ci/run installs it with apt-get`;
  if (process.env.CI === 'true') {
    describe(title, () => {
      it(`needs ${tool} on PATH`, () => {
        throw new Error(message);
      });
    });
    return;
  }
  if (!warned.has(tool)) {
    warned.add(tool);
    console.warn(`[skip] ${tool} not found on PATH: skipping "${title}" (install it with apt-get install ${tool})`);
  }
  describe.skip(title, fn);
}
