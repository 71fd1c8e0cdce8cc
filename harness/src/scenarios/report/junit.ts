import { hostname } from 'node:os';
import type { Flow } from '../scenario.js';
import type { RunResult, ScenarioResult } from '../result.js';
import { reason } from './live.js';

/** What each flow of DESIGN.md §1 is about, for the test suite names CI shows. */
const FLOW_NAMES: Record<Flow, string> = {
  F1: 'Finesse token',
  F2: 'Finesse refresh',
  F3: 'Finesse REST and notifications',
  F4: 'CXone SAML authenticator',
  F5: 'CXone OIDC authenticator',
  F6: 'CXone System authenticator',
  F7: 'AD FS and the OpenID Provider for any SP or RP',
};

/**
 * The `--junit <file>` report in the Jenkins/Ant JUnit XML shape that CI servers read (and that
 * harness/schemas/junit.xsd describes): `<testsuites>` with one `<testsuite>` per flow, one
 * `<testcase>` per scenario (classname `idp-harness.scenarios.<flow>`, name = the scenario id,
 * time in seconds), `<failure message type>` with the error's code or `ScenarioFailure` as type
 * and the whole error as text, `<skipped message>` with the reason, and the steps and notes in
 * `<system-out>`; the lab's console and service URLs are the suites' `<properties>`. Scenario errors are not JUnit `<error>`s: every failure is a failed check.
 */
export function junitXml(result: RunResult): string {
  const flows = [...new Set(result.scenarios.map((s) => s.flow))].sort();
  const timestamp = result.startedAt.replace(/\.\d+Z$/, '');
  const host = hostname();
  const suites = flows.map((flow, i) => {
    const cases = result.scenarios.filter((s) => s.flow === flow);
    const n = counts(cases);
    return (
      `  <testsuite name="${attr(`${flow} ${FLOW_NAMES[flow]}`)}" id="${i}" package="idp-harness.scenarios" tests="${cases.length}" failures="${n.failed}" errors="0" skipped="${n.skipped}" time="${seconds(n.time)}" timestamp="${timestamp}" hostname="${attr(host)}">\n` +
      `    <properties>\n` +
      `      <property name="lab.console" value="${attr(result.lab.console)}"/>\n` +
      `      <property name="lab.inProcess" value="${result.lab.inProcess}"/>\n` +
      Object.entries(result.lab.urls)
        .map(([svc, url]) => `      <property name="lab.url.${attr(svc)}" value="${attr(url ?? '')}"/>\n`)
        .join('') +
      `    </properties>\n` +
      cases.map(testcase).join('') +
      `  </testsuite>\n`
    );
  });
  const all = counts(result.scenarios);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="idp-harness scenarios" tests="${result.scenarios.length}" failures="${all.failed}" errors="0" skipped="${all.skipped}" time="${seconds(result.summary.durationMs)}">\n` +
    suites.join('') +
    `</testsuites>\n`
  );
}

function testcase(s: ScenarioResult): string {
  const open = `    <testcase name="${attr(s.id)}" classname="idp-harness.scenarios.${s.flow}" time="${seconds(s.durationMs)}">\n`;
  if (s.status === 'skipped') return `${open}      <skipped message="${attr(s.skipReason ?? 'skipped')}"/>\n    </testcase>\n`;
  const log = [
    s.title,
    ...s.steps.map((st) => `${st.status === 'passed' ? '✓' : '✗'} ${st.name} (${st.durationMs} ms)${st.error ? `\n    ${reason(st.error)}` : ''}`),
    ...s.notes.map((n) => `· ${n}`),
  ].join('\n');
  // The failure's text is the whole error; the step log is in <system-out> for every scenario.
  const failure = s.error ? `      <failure message="${attr(reason(s.error))}" type="${attr(s.error.type)}">${text(s.error.message)}</failure>\n` : '';
  return `${open}${failure}      <system-out>${text(log)}</system-out>\n    </testcase>\n`;
}

function counts(list: ScenarioResult[]) {
  return {
    failed: list.filter((s) => s.status === 'failed').length,
    skipped: list.filter((s) => s.status === 'skipped').length,
    time: list.reduce((t, s) => t + s.durationMs, 0),
  };
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** XML 1.0 §2.2 forbids most C0 controls and lone surrogates in any form: they become U+FFFD. */
function clean(s: string): string {
  return s.replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
}

function attr(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function text(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}
