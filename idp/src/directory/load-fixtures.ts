import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdpError } from '../shared/errors.js';

/**
 * Reads one fixture file: a JSON array of records (users, relying parties…). The records are
 * validated by the collection they are loaded into, with the same schema as the control API.
 */
export function readFixtureArray(fixturesDir: string, relPath: string): unknown[] {
  const file = join(fixturesDir, relPath);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new IdpError('ERR_FIXTURE_INVALID', `cannot read fixture ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw new IdpError('ERR_FIXTURE_INVALID', `fixture ${file} must hold a JSON array`);
  return data;
}
