import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Moves files (or folders) of the certs folder to `<dir>/previous/`, replacing what an earlier
 * rotation left there, so that the generator makes new ones and nothing is lost: a rotation can
 * be undone by moving them back. Resolves to the names that existed and were moved.
 */
export async function setAside(dir: string, names: readonly string[]): Promise<string[]> {
  const moved: string[] = [];
  for (const name of names) {
    const from = join(dir, name);
    if (!(await stat(from).catch(() => null))) continue;
    const to = join(dir, 'previous', name);
    await mkdir(dirname(to), { recursive: true });
    await rm(to, { recursive: true, force: true });
    await rename(from, to);
    moved.push(name);
  }
  return moved;
}
