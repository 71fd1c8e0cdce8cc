import type { ServiceName } from '../../../idp/src/config/schema.js';
import type { Flow } from './scenario.js';

/**
 * What a scenario run produced: the typed form of `idp-harness scenarios run --json`, described
 * for other tools by harness/schemas/scenario-report.schema.json (keep the two in step).
 */

/** Why something failed: a stable code when there is one, else the error's class name. */
export interface ErrorInfo {
  /**
   * The lab's or the client's stable code (`ERR_FINESSE_UNAUTHORIZED`, `OAUTH_INVALID_RESPONSE`,
   * `ERR_SCENARIO_TIMEOUT`…), or the class name (`ScenarioFailure`, `Error`) when there is none:
   * the JUnit `<failure type>`.
   */
  type: string;
  /** The code alone, when the error carried one. */
  code?: string;
  message: string;
}

export interface StepResult {
  name: string;
  status: 'passed' | 'failed';
  durationMs: number;
  error?: ErrorInfo;
}

export type ScenarioStatus = 'passed' | 'failed' | 'skipped';

export interface ScenarioResult {
  id: string;
  title: string;
  flow: Flow;
  tags: string[];
  status: ScenarioStatus;
  durationMs: number;
  steps: StepResult[];
  notes: string[];
  /** For a failed scenario: the error that ended it (the failed step's, or one outside any step). */
  error?: ErrorInfo;
  /** For a skipped scenario: why (e.g. "needs cxone, which is not running"). */
  skipReason?: string;
}

export interface RunSummary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
}

export interface RunResult {
  /** ISO instant the run started (wall clock, not the lab clock). */
  startedAt: string;
  scenarios: ScenarioResult[];
  summary: RunSummary;
  lab: {
    /** The console whose control API the run used. */
    console: string;
    /** Whether the command started the lab itself for this run. */
    inProcess: boolean;
    urls: Partial<Record<ServiceName, string>>;
  };
}

/** The process exit status a run stands for: 0 when nothing failed (skips allowed), 1 otherwise. */
export function exitStatus(result: RunResult): 0 | 1 {
  return result.summary.failed === 0 ? 0 : 1;
}
