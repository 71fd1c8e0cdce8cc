import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../idp/src/lab.js';
import { defaultCertsDir } from '../../idp/src/shared/paths.js';
import { httpLabControl } from '../src/control/lab-control.js';
import type { RunResult } from '../src/scenarios/result.js';
import { startTestLab } from '../src/start-lab.js';
import { run } from './helpers/run-cli.js';
import { jsonReportProblems, junitProblems } from './helpers/scenario-report-schemas.js';

/**
 * `scenarios run --lab <console URL>` against a lab started separately (in this process, over TLS,
 * as `npm start` would run it): services and configuration come from its control API, the CA from
 * --ca or the lab's certs/ca.pem. A lab that misbehaves — its sample SP's trust removed — makes the
 * scenario fail with the lab's own error code, exit status 1, in the JSON and JUnit reports alike.
 */
let lab: Lab;
const dir = mkdtempSync(join(tmpdir(), 'idp-harness-scenarios-lab-'));
beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: true });
});
afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('scenarios run --lab', () => {
  it('drives the running TLS lab with --ca: Finesse and SAML pass; OIDC is skipped (not running there)', { timeout: 60_000 }, async () => {
    const junitFile = join(dir, 'pass.xml');
    const r = await run('scenarios', 'run', 'finesse-dialog', 'saml-sp-initiated', 'oidc-refresh', '--lab', lab.urls.console!, '--ca', join(defaultCertsDir, 'ca.pem'), '--junit', junitFile);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`against the lab at ${lab.urls.console}\n`);
    expect(r.stdout).not.toContain('started for this run');
    expect(r.stdout).toMatch(/3 scenarios: 2 passed, 0 failed, 1 skipped/);
    expect(junitProblems(readFileSync(junitFile, 'utf8'))).toEqual([]);
  });

  it('selects by flow: F1–F3 against the same lab, the CA found in the lab\'s certs/ by default', { timeout: 60_000 }, async () => {
    const r = await run('scenarios', 'run', '--flow', 'F1,F2,F3', '--lab', lab.urls.console!, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as RunResult;
    expect(jsonReportProblems(report)).toEqual([]);
    expect(report.scenarios.map((s) => s.flow)).toEqual(['F1', 'F2', 'F2', 'F3', 'F3', 'F3']);
    expect(report.scenarios.every((s) => s.status === 'passed')).toBe(true);
    expect(report.lab).toMatchObject({ console: lab.urls.console, inProcess: false });
    expect(report.lab.urls.finesse).toMatch(/^https:/);
    // The run leaves the lab reset: its clock back to real time after F2 moved it by hours.
    expect(lab.state.clock.state()).toMatchObject({ offsetMs: 0, frozenAt: null });
  });

  it('a lab whose sample SP trust was removed: the scenario fails with the lab\'s code, exit 1, in JSON and JUnit', { timeout: 60_000 }, async () => {
    const control = httpLabControl(lab.urls.console!);
    await control.relyingParties.remove('idp-harness sample SP');
    try {
      const junitFile = join(dir, 'fail.xml');
      // --no-reset: a reset would bring the trust back from the fixtures.
      const r = await run('scenarios', 'run', 'saml-sp-initiated', 'saml-idp-initiated', '--lab', lab.urls.console!, '--no-reset', '--json', '--junit', junitFile);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as RunResult;
      expect(jsonReportProblems(report)).toEqual([]);
      expect(report.summary).toMatchObject({ total: 2, passed: 0, failed: 2, skipped: 0 });
      const [sp, idp] = report.scenarios;
      expect(sp!.error).toMatchObject({ type: 'ERR_SAML_UNKNOWN_RELYING_PARTY', code: 'ERR_SAML_UNKNOWN_RELYING_PARTY' });
      expect(sp!.steps.at(-1)).toMatchObject({ status: 'failed', error: { type: 'ERR_SAML_UNKNOWN_RELYING_PARTY' } });
      expect(sp!.steps.some((s) => s.name.startsWith('reset'))).toBe(false);
      expect(idp!.error?.type).toMatch(/^ERR_SAML_/);
      expect(r.stderr).toMatch(/✗ saml-sp-initiated: ERR_SAML_UNKNOWN_RELYING_PARTY: /);

      const xml = readFileSync(junitFile, 'utf8');
      expect(junitProblems(xml)).toEqual([]);
      expect(xml).toMatch(/<testcase name="saml-sp-initiated" classname="idp-harness\.scenarios\.F7" time="[\d.]+">\n {6}<failure message="ERR_SAML_UNKNOWN_RELYING_PARTY: [^"]*" type="ERR_SAML_UNKNOWN_RELYING_PARTY">/);
    } finally {
      await control.reset();
    }
  });
});
