import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { projectRoot } from '../../../idp/src/shared/paths.js';

/**
 * Validators for the JSON the `certs` and `token` commands print, from the schema files the
 * project publishes (harness/schemas/). Each returns the problems found ([] when valid).
 */
const ajv = new Ajv({
  allErrors: true,
  strict: true,
  formats: { 'date-time': (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)) },
});
for (const file of ['certs-show.schema.json', 'token-output.schema.json']) {
  ajv.addSchema(JSON.parse(readFileSync(join(projectRoot, 'harness', 'schemas', file), 'utf8')) as object);
}
const BASE = 'https://idp-harness.invalid/schemas/';

function problems(ref: string, value: unknown): string[] {
  const validate = ajv.getSchema(BASE + ref);
  if (!validate) throw new Error(`no schema ${ref}`);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

export const certsShowProblems = (v: unknown) => problems('certs-show.schema.json', v);
/** `kind`: finesse, ids, oidc or cxone; the whole schema when omitted. */
export const tokenOutputProblems = (v: unknown, kind?: string) => problems(`token-output.schema.json${kind ? `#/definitions/${kind}` : ''}`, v);
