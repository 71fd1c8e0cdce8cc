import type { RunListener } from '../runner.js';
import type { ErrorInfo, RunResult } from '../result.js';

/**
 * The human report, written as the run goes: a header per scenario, one line per step as it
 * ends (✓/✗, duration, the reason of a failure), the scenario's verdict, and a summary that
 * repeats every failure so a CI log's last lines say what broke.
 */
export function liveReporter(write: (text: string) => void): RunListener {
  return {
    runStart({ scenarios, console, inProcess }) {
      write(`Running ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} against the lab at ${console}${inProcess ? ' (started for this run)' : ''}\n`);
    },
    scenarioStart(s) {
      write(`\n${s.id}  [${s.flow}] ${s.title}\n`);
    },
    step(_s, step) {
      write(`  ${step.status === 'passed' ? '✓' : '✗'} ${step.name}  ${ms(step.durationMs)}\n`);
      if (step.error) write(`      ${reason(step.error)}\n`);
    },
    note(_s, text) {
      write(`    · ${text}\n`);
    },
    scenarioEnd(s, r) {
      if (r.status === 'skipped') write(`- skipped: ${r.skipReason ?? ''}\n`);
      else if (r.status === 'passed') write(`✓ passed  ${s.id}  ${ms(r.durationMs)}\n`);
      else {
        // An error outside any step has not been printed yet.
        const inStep = r.steps.some((st) => st.status === 'failed');
        write(`✗ FAILED  ${s.id}  ${ms(r.durationMs)}${!inStep && r.error ? `\n      ${reason(r.error)}` : ''}\n`);
      }
    },
    runEnd(result) {
      write(summary(result));
    },
  };
}

function summary(result: RunResult): string {
  const { total, passed, failed, skipped, durationMs } = result.summary;
  let text = `\n${total} scenario${total === 1 ? '' : 's'}: ${passed} passed, ${failed} failed, ${skipped} skipped (${ms(durationMs)})\n`;
  for (const r of result.scenarios.filter((x) => x.status === 'failed')) text += `  ✗ ${r.id}: ${r.error ? reason(r.error) : 'failed'}\n`;
  return text;
}

/** `TYPE: message`, the type omitted when the message already starts with it. */
export function reason(e: ErrorInfo): string {
  const message = firstLine(e.message);
  return message.startsWith(e.type) ? message : `${e.type}: ${message}`;
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

function ms(n: number): string {
  return n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(2)} s`;
}
