import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADFS_SCENARIOS } from '../src/scenarios/adfs/index.js';
import { SCENARIOS } from '../src/scenarios/catalog.js';
import { CISCO_SCENARIOS } from '../src/scenarios/cisco/index.js';
import { OIDC_SCENARIOS } from '../src/scenarios/oidc/index.js';
import type { RunResult } from '../src/scenarios/result.js';
import { run } from './helpers/run-cli.js';
import { jsonReportProblems, junitProblems } from './helpers/scenario-report-schemas.js';

/**
 * `idp-harness scenarios` through `main` in-process: help, the catalog, usage errors (exit 2, one
 * line), skips, and one run of every Cisco, AD FS and OIDC scenario against a lab the command
 * starts itself over TLS — all must pass, and both reports must validate against their schemas.
 */
const dir = mkdtempSync(join(tmpdir(), 'idp-harness-scenarios-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scenarios: help and the catalog', () => {
  it('--help prints the usage and exits 0', async () => {
    const r = await run('scenarios', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('idp-harness scenarios run [ids…] [options]');
    expect(r.stdout).toContain('--junit <file>');
    expect((await run('scenarios', 'run', '-h')).code).toBe(0);
  });

  it('is listed in the CLI help', async () => {
    expect((await run('--help')).stdout).toMatch(/\n {2}scenarios +list and run/);
  });

  it('list prints a table of every scenario: id, flow, tags, title', async () => {
    const r = await run('scenarios', 'list');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +FLOW +TAGS +TITLE$/);
    for (const s of SCENARIOS) expect(lines.some((l) => l.startsWith(`${s.id} `) && l.includes(` ${s.flow} `) && l.endsWith(s.title))).toBe(true);
    expect(lines.at(-1)).toBe(`${SCENARIOS.length} scenarios`);
  });

  it('list --json --flow F7 --tag negative: only the negative F7 scenarios, with what they need', async () => {
    const r = await run('scenarios', 'list', '--json', '--flow', 'f7', '--tag', 'negative');
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as Array<{ id: string; flow: string; tags: string[]; needs: string[] }>;
    const expected = SCENARIOS.filter((s) => s.flow === 'F7' && s.tags.includes('negative')).map((s) => s.id);
    expect(listed.map((s) => s.id)).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(9);
    expect(listed.every((s) => s.needs.includes('console'))).toBe(true);
  });

  it('every flow of DESIGN.md §1 has scenarios, and the negative ones are tagged', () => {
    expect([...new Set(SCENARIOS.map((s) => s.flow))].sort()).toEqual(['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7']);
    expect(CISCO_SCENARIOS.concat(ADFS_SCENARIOS, OIDC_SCENARIOS).filter((s) => s.tags.includes('negative')).length).toBeGreaterThanOrEqual(11);
  });
});

describe('scenarios: usage errors exit 2 with one line', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no subcommand', [], /say 'list' or 'run'/],
    ['an unknown subcommand', ['start'], /unknown subcommand 'start'/],
    ['an unknown scenario id', ['run', 'finesse-sso-token', 'no-such-scenario'], /unknown scenario 'no-such-scenario'/],
    ['an unknown flow', ['run', '--flow', 'F9'], /unknown flow F9/],
    ['an unknown tag', ['list', '--tag', 'no-such-tag'], /no scenario has the tag no-such-tag/],
    ['an unknown option', ['run', '--bogus'], /bogus/],
    ['a missing option value', ['run', '--junit'], /junit/],
    ['a timeout out of range', ['run', '--timeout', '0'], /--timeout takes whole seconds from 1 to 600/],
    ['--lab with --plain-http', ['run', '--lab', 'http://127.0.0.1:9000', '--plain-http'], /cannot go with --lab/],
    ['--lab that is not a URL', ['run', '--lab', 'localhost:9000'], /--lab wants the console's http\(s\) URL/],
    ['an unknown service in --only', ['run', '--only', 'adfs,nope'], /--only: unknown service\(s\) nope/],
    ['a --ca file that does not exist', ['run', '--ca', join(dir, 'missing.pem')], /--ca: cannot read/],
    ['ids given to list', ['list', 'saml-sp-initiated'], /'list' takes no scenario ids/],
  ];
  for (const [name, argv, message] of cases) {
    it(name, async () => {
      const r = await run('scenarios', ...argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    });
  }

  it('a console that does not answer: exit 1, one line saying what to do', async () => {
    const port = await closedPort();
    const r = await run('scenarios', 'run', 'saml-sp-initiated', '--lab', `http://127.0.0.1:${port}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach the lab's console at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

/** A loopback port nothing listens on: bound by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('scenarios run with an in-process lab', () => {
  it('skips a scenario whose service is off (--only), with the reason; skips do not fail the run', async () => {
    const r = await run('scenarios', 'run', 'saml-idp-initiated', 'oidc-refresh', '--only', 'adfs', '--plain-http', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as RunResult;
    expect(jsonReportProblems(report)).toEqual([]);
    expect(report.scenarios.map((s) => [s.id, s.status, s.skipReason])).toEqual([
      ['saml-idp-initiated', 'passed', undefined],
      ['oidc-refresh', 'skipped', 'needs oidc, which is not running'],
    ]);
    expect(report.lab.inProcess).toBe(true);
    expect(Object.keys(report.lab.urls).sort()).toEqual(['adfs', 'console']);
    expect(report.lab.urls.adfs).toMatch(/^http:\/\//);
    // With --json the live report goes to stderr.
    expect(r.stderr).toContain('✓ passed  saml-idp-initiated');
    expect(r.stderr).toContain('- skipped: needs oidc, which is not running');
  });

  it('every Cisco, AD FS and OIDC scenario passes over TLS; the JSON and JUnit reports validate', { timeout: 90_000 }, async () => {
    const junitFile = join(dir, 'reports', 'junit.xml');
    const r = await run('scenarios', 'run', '--only', 'adfs,oidc,ids,finesse', '--json', '--junit', junitFile);
    const report = JSON.parse(r.stdout) as RunResult;
    const failed = report.scenarios.filter((s) => s.status === 'failed').map((s) => `${s.id}: ${s.error?.type} ${s.error?.message}`);
    expect(failed).toEqual([]);
    expect(r.code).toBe(0);
    expect(jsonReportProblems(report)).toEqual([]);
    const mine = [...CISCO_SCENARIOS, ...ADFS_SCENARIOS, ...OIDC_SCENARIOS].map((s) => s.id);
    expect(report.scenarios.filter((s) => s.status === 'passed').map((s) => s.id)).toEqual(mine);
    // CXone is not running: its scenarios are skipped, not failed.
    expect(report.scenarios.filter((s) => s.status === 'skipped').every((s) => s.skipReason === 'needs cxone, which is not running')).toBe(true);
    expect(report.lab.urls.finesse).toMatch(/^https:\/\//);

    const xml = readFileSync(junitFile, 'utf8');
    expect(junitProblems(xml)).toEqual([]);
    expect(xml).toContain(`<testsuites name="idp-harness scenarios" tests="${report.summary.total}" failures="0" errors="0" skipped="${report.summary.skipped}"`);
    expect(xml).toContain('<testcase name="finesse-sso-refresh" classname="idp-harness.scenarios.F2"');
    expect(r.stderr).toContain(`JUnit report: ${junitFile}`);
  });
});
