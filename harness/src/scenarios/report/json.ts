import type { RunResult } from '../result.js';

/**
 * The `--json` report: the run result as it is, described by
 * harness/schemas/scenario-report.schema.json, for tools that want more than a pass/fail.
 */
export function jsonReport(result: RunResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}
