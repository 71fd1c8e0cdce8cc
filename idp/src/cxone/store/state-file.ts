import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { IdpError } from '../../shared/errors.js';

/**
 * One JSON file in the state directory, written atomically (DESIGN §3: "never half-written"): the
 * new content goes to a temporary file in the same folder, is flushed to disk, and replaces the
 * old file by rename(2), which POSIX makes atomic. A crash leaves the old file or the new one.
 */
export class StateFile<T> {
  constructor(readonly path: string) {}

  static in<T>(dir: string, name: string): StateFile<T> {
    return new StateFile<T>(join(dir, name));
  }

  read(): T | undefined {
    if (!existsSync(this.path)) return undefined;
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as T;
    } catch (e) {
      throw new IdpError('ERR_CXONE_STATE_FILE', `The state file ${this.path} cannot be read: ${(e as Error).message}`, { status: 500 });
    }
  }

  write(value: T): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(value, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(tmp, this.path);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        /* already gone */
      }
      throw e;
    }
    // The rename itself is durable once the folder is flushed.
    const dirFd = openSync(dirname(this.path), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }
}
