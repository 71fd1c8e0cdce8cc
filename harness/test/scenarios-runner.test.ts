import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../idp/src/lab.js';
import { LabControlError } from '../src/control/lab-control.js';
import { junitXml } from '../src/scenarios/report/junit.js';
import { liveReporter } from '../src/scenarios/report/live.js';
import { exitStatus, type RunResult } from '../src/scenarios/result.js';
import { runScenarios } from '../src/scenarios/runner.js';
import { expectThat, ScenarioFailure, type Scenario, type ScenarioTarget } from '../src/scenarios/scenario.js';
import { connectTarget } from '../src/scenarios/target.js';
import { startTestLab } from '../src/start-lab.js';
import { jsonReportProblems, junitProblems } from './helpers/scenario-report-schemas.js';

/**
 * The scenario runner with test-only scenarios injected: what it records (steps, notes, errors by
 * code), skips, the reset between scenarios, the per-scenario timeout, and the three reports — the
 * JSON and JUnit ones validated against harness/schemas/. The lab runs adfs and the console only,
 * so a scenario that needs oidc is skipped.
 */
let lab: Lab;
let target: ScenarioTarget;
beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'] });
  target = await connectTarget(lab.urls.console!);
});
afterAll(() => lab?.stop());

const scenario = (id: string, run: Scenario['run'], more: Partial<Scenario> = {}): Scenario => ({
  id,
  title: `test scenario ${id}`,
  flow: 'F7',
  tags: ['test'],
  needs: ['console'],
  run,
  ...more,
});

const passing = scenario('passes', async (ctx) => {
  await ctx.step('first', async () => 1);
  ctx.note('a note');
  await ctx.step('second', async () => 2);
});
const failingCheck = scenario('fails-a-check', async (ctx) => {
  await ctx.step('holds', async () => undefined);
  await ctx.step('does not hold <&"\u0001>', async () => expectThat(false, 'the thing was "wrong" <&>\u0001'));
  await ctx.step('never runs', async () => undefined);
});
const failingControl = scenario('control-refuses', async (ctx) => {
  await ctx.step('an unknown user', () => ctx.target.control.users.get('nobody-here'));
});
const needsOidc = scenario('needs-oidc', async () => undefined, { needs: ['oidc', 'console'], flow: 'F5' });

describe('runScenarios', () => {
  let result: RunResult;
  let live = '';
  beforeAll(async () => {
    result = await runScenarios([passing, failingCheck, failingControl, needsOidc], target, { listener: liveReporter((t) => (live += t)) });
  });

  it('records each scenario with its steps (the reset first), notes, status and summary', () => {
    expect(result.scenarios.map((s) => [s.id, s.status])).toEqual([
      ['passes', 'passed'],
      ['fails-a-check', 'failed'],
      ['control-refuses', 'failed'],
      ['needs-oidc', 'skipped'],
    ]);
    const [p] = result.scenarios;
    expect(p!.steps.map((s) => [s.name, s.status])).toEqual([
      ['reset the lab (control API)', 'passed'],
      ['first', 'passed'],
      ['second', 'passed'],
    ]);
    expect(p!.notes).toEqual(['a note']);
    expect(p!.error).toBeUndefined();
    expect(result.summary).toMatchObject({ total: 4, passed: 1, failed: 2, skipped: 1 });
    expect(exitStatus(result)).toBe(1);
    expect(result.lab).toEqual({ console: lab.urls.console, inProcess: false, urls: lab.urls });
  });

  it('a failed check stops the scenario at its step, typed ScenarioFailure; a control refusal by its code', () => {
    const f = result.scenarios[1]!;
    expect(f.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'failed']);
    expect(f.error).toEqual({ type: 'ScenarioFailure', message: 'the thing was "wrong" <&>\u0001' });
    expect(f.steps[2]!.error).toEqual(f.error);
    const c = result.scenarios[2]!;
    expect(c.error).toMatchObject({ type: 'ERR_CONTROL_NOT_FOUND', code: 'ERR_CONTROL_NOT_FOUND' });
  });

  it('skips a scenario whose service does not run, with the reason, and runs nothing of it', () => {
    expect(result.scenarios[3]).toMatchObject({ status: 'skipped', steps: [], skipReason: 'needs oidc, which is not running' });
  });

  it('reports live: one line per step with ✓/✗ and the reason, the verdicts and a summary of failures', () => {
    expect(live).toContain('  ✓ first  ');
    expect(live).toMatch(/ {2}✗ does not hold .*\n {6}ScenarioFailure: the thing was "wrong"/);
    expect(live).toContain('✗ FAILED  fails-a-check');
    expect(live).toContain('- skipped: needs oidc, which is not running');
    expect(live).toMatch(/4 scenarios: 1 passed, 2 failed, 1 skipped/);
    expect(live).toMatch(/ {2}✗ control-refuses: ERR_CONTROL_NOT_FOUND: /);
  });

  it('the JSON report validates against scenario-report.schema.json, and the schema catches a wrong one', () => {
    const report = JSON.parse(JSON.stringify(result)) as RunResult;
    expect(jsonReportProblems(report)).toEqual([]);
    const broken = structuredClone(report);
    broken.scenarios[0]!.status = 'failed'; // failed without an error
    (broken.scenarios[1] as unknown as Record<string, unknown>)['extra'] = true;
    expect(jsonReportProblems(broken).length).toBeGreaterThanOrEqual(2);
  });

  it('the JUnit report validates against junit.xsd: a suite per flow, failure type = code, skipped; the XSD catches a wrong one', () => {
    const xml = junitXml(result);
    expect(junitProblems(xml)).toEqual([]);
    expect(xml).toMatch(/<testsuites name="idp-harness scenarios" tests="4" failures="2" errors="0" skipped="1" /);
    expect(xml).toMatch(/<testsuite name="F5 [^"]*" [^>]*tests="1" failures="0" errors="0" skipped="1"/);
    expect(xml).toContain('<testcase name="fails-a-check" classname="idp-harness.scenarios.F7"');
    expect(xml).toContain('<failure message="ScenarioFailure: the thing was &quot;wrong&quot; &lt;&amp;&gt;\uFFFD" type="ScenarioFailure">');
    expect(xml).toContain('type="ERR_CONTROL_NOT_FOUND"');
    expect(xml).toContain('<skipped message="needs oidc, which is not running"/>');
    expect(junitProblems(xml.replace('<testcase name="passes"', '<testcase'))).not.toEqual([]);
    expect(junitProblems(xml.replace('<skipped message', '<skip message'))).not.toEqual([]);
  });
});

describe('the lab between scenarios', () => {
  const seen: string[] = [];
  const dirty = scenario('dirty', async (ctx) => {
    await ctx.step('queue a fault and move the clock', async () => {
      await ctx.target.control.faults.add({ surface: 'adfs', kind: 'unsigned' });
      await ctx.target.control.clock.advance(3_600_000);
      await ctx.target.control.users.remove('agent2');
    });
  });
  const observe = scenario('observe', async (ctx) => {
    const faults = await ctx.target.control.faults.list();
    const clock = await ctx.target.control.clock.state();
    const agent2 = await ctx.target.control.users.get('agent2').then(() => 'present', (e: unknown) => (e instanceof LabControlError ? e.code : 'error'));
    seen.push(`${faults.length} fault(s), offset ${clock.offsetMs}, agent2 ${agent2}`);
  });

  it('is reset before each scenario and after the last, so nothing leaks', async () => {
    seen.length = 0;
    const r = await runScenarios([dirty, observe], target);
    expect(r.summary.failed).toBe(0);
    expect(seen).toEqual(['0 fault(s), offset 0, agent2 present']);
    expect(await target.control.faults.list()).toEqual([]);
  });

  it('with reset off (--no-reset), the next scenario sees what the previous one left', async () => {
    seen.length = 0;
    const r = await runScenarios([dirty, observe], target, { reset: false });
    expect(r.scenarios[0]!.steps.map((s) => s.name)).toEqual(['queue a fault and move the clock']);
    expect(seen).toEqual(['1 fault(s), offset 3600000, agent2 ERR_CONTROL_NOT_FOUND']);
    await target.control.reset();
  });
});

describe('failures outside steps and timeouts', () => {
  it('an error thrown outside any step fails the scenario with it; a step failure the scenario swallowed still fails it', async () => {
    const outside = scenario('outside', async () => {
      throw new ScenarioFailure('no step at all');
    });
    const swallowed = scenario('swallowed', async (ctx) => {
      await ctx.step('fails', async () => {
        throw Object.assign(new Error('refused'), { code: 'ERR_SOMETHING' });
      }).catch(() => undefined);
    });
    let live = '';
    const r = await runScenarios([outside, swallowed], target, { reset: false, listener: liveReporter((t) => (live += t)) });
    expect(r.scenarios.map((s) => [s.status, s.error?.type])).toEqual([
      ['failed', 'ScenarioFailure'],
      ['failed', 'ERR_SOMETHING'],
    ]);
    expect(live).toMatch(/✗ FAILED {2}outside .*\n {6}ScenarioFailure: no step at all/);
  });

  it('a scenario that does not finish in time fails with ERR_SCENARIO_TIMEOUT; its late steps are not recorded', async () => {
    let release: () => void = () => undefined;
    const stuck = scenario('stuck', async (ctx) => {
      await ctx.step('waits for ever', () => new Promise<void>((resolve) => (release = resolve)));
      await ctx.step('after the timeout', async () => undefined);
    });
    const r = await runScenarios([stuck, passing], target, { reset: false, timeoutMs: 50 });
    expect(r.scenarios[0]).toMatchObject({ status: 'failed', error: { type: 'ERR_SCENARIO_TIMEOUT', code: 'ERR_SCENARIO_TIMEOUT' }, steps: [] });
    expect(r.scenarios[1]!.status).toBe('passed');
    release();
    // Let the released step and the one after it run to the end before looking.
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(r.scenarios[0]!.steps).toEqual([]);
  });
});
