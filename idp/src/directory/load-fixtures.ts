import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdpError } from '../shared/errors.js';
import { substituteServiceUrls } from '../shared/service-urls.js';

/**
 * Reads one fixture file: a JSON array of records (users, relying parties…). The records are
 * validated by the collection they are loaded into, with the same schema as the control API.
 * With `serviceUrls`, `${cxone}`-style placeholders become the services' public URLs first.
 */
export function readFixtureArray(fixturesDir: string, relPath: string, serviceUrls?: Readonly<Record<string, string>>): unknown[] {
  const file = join(fixturesDir, relPath);
  let data: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    data = JSON.parse(serviceUrls ? substituteServiceUrls(text, serviceUrls) : text);
  } catch (e) {
    throw new IdpError('ERR_FIXTURE_INVALID', `cannot read fixture ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw new IdpError('ERR_FIXTURE_INVALID', `fixture ${file} must hold a JSON array`);
  return data;
}
