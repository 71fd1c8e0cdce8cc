import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { expect } from 'vitest';
import { projectRoot } from '../../../idp/src/shared/paths.js';
import type { Level, ValidationReport } from '../../src/validate/report.js';
import { RULE_IDS } from '../../src/validate/rule-catalog.js';
import { run } from './run-cli.js';

/**
 * Runs `idp-harness validate … --json` in-process and checks what every report must satisfy:
 * valid against harness/schemas/validate-report.schema.json (ajv), every rule id in the catalog,
 * the exit status following the result.
 */

const ajv = new Ajv({
  allErrors: true,
  strict: true,
  formats: { 'date-time': (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(s) && !Number.isNaN(Date.parse(s)) },
});
const schema = ajv.compile(JSON.parse(readFileSync(join(projectRoot, 'harness', 'schemas', 'validate-report.schema.json'), 'utf8')) as object);

export function schemaProblems(report: unknown): string[] {
  if (schema(report)) return [];
  return (schema.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

export interface ValidateRun {
  code: number;
  report: ValidationReport;
  stderr: string;
}

export async function validateJson(...args: string[]): Promise<ValidateRun> {
  const r = await run('validate', ...args, '--json');
  expect(r.stderr, r.stderr).toBe('');
  const report = JSON.parse(r.stdout) as ValidationReport;
  expect(schemaProblems(report)).toEqual([]);
  expect(report.rules.map((x) => x.id).filter((id) => !RULE_IDS.has(id))).toEqual([]);
  expect(r.code).toBe(report.result === 'fail' ? 1 : 0);
  return { code: r.code, report, stderr: r.stderr };
}

/** The levels a rule took in a report (one per subject). */
export function levelsOf(report: ValidationReport, id: string): Level[] {
  return report.rules.filter((x) => x.id === id).map((x) => x.level);
}

/** The rules at a level, as `id` strings (to show what failed when an expectation does not hold). */
export function idsAt(report: ValidationReport, level: Level): string[] {
  return report.rules.filter((x) => x.level === level).map((x) => (x.subject ? `${x.id} [${x.subject}]` : x.id));
}
