import type { Level, ValidationReport } from './report.js';

const LABEL: Record<Level, string> = { pass: 'pass', warn: 'WARN', fail: 'FAIL' };
const KIND: Record<ValidationReport['kind'], string> = { 'saml-metadata': 'SAML metadata', 'oidc-discovery': 'OpenID Connect discovery' };

/**
 * The human report: a header naming what was checked, one line per rule (level, id, subject,
 * message), the values to register at the IdP when a live test ran, and the verdict with the
 * exit status. Plain text, no colours, so it reads the same in a terminal and a CI log.
 */
export function renderTable(r: ValidationReport): string {
  const width = Math.max(...r.rules.map((x) => x.id.length), 4);
  const lines = [
    `${KIND[r.kind]}: ${r.source}`,
    `target: ${r.target ?? 'any SP'}   FICAM/iGov rules: ${r.ficam ? 'on' : 'off'}`,
    '',
    ...r.rules.map((x) => {
      const subject = x.subject ? `[${x.subject}] ` : '';
      const code = x.code ? ` (${x.code})` : '';
      return `  ${LABEL[x.level]}  ${x.id.padEnd(width)}  ${subject}${x.message}${code}`;
    }),
  ];
  if (r.live && Object.keys(r.live.register).length > 0) {
    lines.push('', `Values CXone generated${r.live.registeredAtLab ? ' (registered at the lab IdP for the test)' : ' — register them at the IdP'}:`);
    for (const [k, v] of Object.entries(r.live.register)) lines.push(`  ${k}: ${v}`);
    if (r.live.kept && r.live.authenticatorId) lines.push(`  kept login authenticator: ${r.live.authenticatorName} (${r.live.authenticatorId})`);
  }
  const s = r.summary;
  lines.push('', `${s.pass} passed, ${s.warn} warning(s), ${s.fail} failure(s): ${r.result === 'fail' ? 'FAIL (exit 1)' : 'PASS (exit 0)'}`);
  return lines.join('\n') + '\n';
}
