import { performance } from 'node:perf_hooks';
import { describeError } from './describe-error.js';
import type { ErrorInfo, RunResult, ScenarioResult, StepResult } from './result.js';
import { ScenarioFailure, type Scenario, type ScenarioContext, type ScenarioTarget } from './scenario.js';

/** The default time one scenario may take, all its steps together. */
export const DEFAULT_SCENARIO_TIMEOUT_MS = 60_000;
/** The longest per-scenario timeout a run accepts: a stuck lab must not hold a CI job for hours. */
export const MAX_SCENARIO_TIMEOUT_MS = 600_000;

/** What a reporter hears while a run goes on, in this order per scenario. */
export interface RunListener {
  runStart?(info: { scenarios: readonly Scenario[]; console: string; inProcess: boolean }): void;
  scenarioStart?(scenario: Scenario): void;
  step?(scenario: Scenario, step: StepResult): void;
  note?(scenario: Scenario, text: string): void;
  scenarioEnd?(scenario: Scenario, result: ScenarioResult): void;
  runEnd?(result: RunResult): void;
}

export interface RunOptions {
  /**
   * Reset the lab through the control API before each scenario (and once after the last), so
   * that the faults, clock moves and users of one never leak into the next. Default true;
   * `--no-reset` turns it off (to drive a lab prepared by hand).
   */
  reset?: boolean;
  /** Per scenario, default 60 s; at most MAX_SCENARIO_TIMEOUT_MS. */
  timeoutMs?: number;
  listener?: RunListener;
  /** Whether the lab was started for this run (reported in the result). */
  inProcess?: boolean;
}

/**
 * Runs `scenarios` one after the other against `target` and returns the typed result. A scenario
 * whose `needs` are not all running is skipped with the reason; one that throws (in a step or
 * not), leaves a failed step behind, or outlives its timeout fails with the error's code.
 */
export async function runScenarios(scenarios: readonly Scenario[], target: ScenarioTarget, opts: RunOptions = {}): Promise<RunResult> {
  const reset = opts.reset ?? true;
  const timeoutMs = Math.min(opts.timeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS, MAX_SCENARIO_TIMEOUT_MS);
  const listener = opts.listener ?? {};
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  listener.runStart?.({ scenarios, console: target.control.consoleUrl, inProcess: opts.inProcess ?? false });

  const results: ScenarioResult[] = [];
  let ranAny = false;
  for (const scenario of scenarios) {
    listener.scenarioStart?.(scenario);
    const missing = scenario.needs.filter((svc) => !target.urls[svc]);
    let result: ScenarioResult;
    if (missing.length > 0) {
      const skipReason = `needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not running`;
      result = { ...identity(scenario), status: 'skipped', durationMs: 0, steps: [], notes: [], skipReason };
    } else {
      ranAny = true;
      result = await runOne(scenario, target, { reset, timeoutMs, listener });
    }
    results.push(result);
    listener.scenarioEnd?.(scenario, result);
  }
  // Leave a running lab as the fixtures describe it, not with the last scenario's clock or faults.
  if (reset && ranAny) await target.control.reset().catch(() => undefined);

  const count = (status: ScenarioResult['status']) => results.filter((r) => r.status === status).length;
  const result: RunResult = {
    startedAt,
    scenarios: results,
    summary: { total: results.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped'), durationMs: round(performance.now() - t0) },
    lab: { console: target.control.consoleUrl, inProcess: opts.inProcess ?? false, urls: { ...target.urls } },
  };
  listener.runEnd?.(result);
  return result;
}

interface OneOptions {
  reset: boolean;
  timeoutMs: number;
  listener: RunListener;
}

async function runOne(scenario: Scenario, target: ScenarioTarget, o: OneOptions): Promise<ScenarioResult> {
  const steps: StepResult[] = [];
  const notes: string[] = [];
  // Set once the scenario is over (timed out): a step or note still coming from it is not recorded.
  let closed = false;
  const ctx: ScenarioContext = {
    target,
    async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
      if (closed) throw new ScenarioFailure(`step "${name}" started after the scenario ended`);
      const s0 = performance.now();
      try {
        const value = await fn();
        record({ name, status: 'passed', durationMs: round(performance.now() - s0) });
        return value;
      } catch (e) {
        record({ name, status: 'failed', durationMs: round(performance.now() - s0), error: describeError(e) });
        throw e;
      }
    },
    note(text: string): void {
      if (closed) return;
      notes.push(text);
      o.listener.note?.(scenario, text);
    },
  };
  const record = (step: StepResult) => {
    if (closed) return;
    steps.push(step);
    o.listener.step?.(scenario, step);
  };

  const t0 = performance.now();
  let error: ErrorInfo | undefined;
  try {
    if (o.reset) await ctx.step('reset the lab (control API)', () => target.control.reset());
    await withTimeout(scenario.run(ctx), o.timeoutMs);
  } catch (e) {
    error = describeError(e);
  } finally {
    closed = true;
  }
  // A step that failed fails the scenario even when the scenario caught its error.
  const failedStep = steps.find((s) => s.status === 'failed');
  if (!error && failedStep) error = failedStep.error;
  return {
    ...identity(scenario),
    status: error ? 'failed' : 'passed',
    durationMs: round(performance.now() - t0),
    steps,
    notes,
    ...(error ? { error } : {}),
  };
}

/** The scenario's timeout, as an error with a stable code. */
export class ScenarioTimeoutError extends Error {
  readonly code = 'ERR_SCENARIO_TIMEOUT';
  constructor(ms: number) {
    super(`the scenario did not finish within ${ms / 1000} s`);
    this.name = 'ScenarioTimeoutError';
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ScenarioTimeoutError(ms)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function identity(s: Scenario): Pick<ScenarioResult, 'id' | 'title' | 'flow' | 'tags'> {
  return { id: s.id, title: s.title, flow: s.flow, tags: [...s.tags] };
}

/** Durations in whole milliseconds keep the report readable and stable to compare. */
function round(ms: number): number {
  return Math.round(ms);
}
