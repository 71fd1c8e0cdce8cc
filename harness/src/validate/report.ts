/**
 * The validator's report: one entry per rule and subject, each `pass`, `warn` or `fail`, with a
 * message that says why and what to do. Rule ids are stable (see rule-catalog.ts); tests and CI
 * scripts key on them, never on the wording. The JSON form is described by
 * harness/schemas/validate-report.schema.json.
 */

export type Level = 'pass' | 'warn' | 'fail';

export interface RuleResult {
  /** Stable id, e.g. `saml.cert.expired` (rule-catalog.ts lists them all). */
  id: string;
  level: Level;
  /** Why, and what to do about it. */
  message: string;
  /** What the rule looked at when it applies to one of several things (a certificate, an endpoint). */
  subject?: string;
  /** The specification section (or vendor source) the rule enforces. */
  spec?: string;
  /** Live sign-in: the stable code of the refusal (CXone's `ERR_CXONE_…`, or the validator's `ERR_VALIDATE_LIVE_…`). */
  code?: string;
}

export type DocumentKind = 'saml-metadata' | 'oidc-discovery';
export type Target = 'cxone' | 'ids';

/** What the live sign-in created and what the IdP must know (values to register there). */
export interface LiveReport {
  authenticatorId?: string;
  authenticatorName?: string;
  /** SAML: entity ID and ACS URL; OIDC: client ID and the redirect URIs. */
  register: Record<string, string>;
  /** Whether the validator registered these values at the lab's own IdP (true in tests). */
  registeredAtLab: boolean;
  /** Whether the authenticator was kept (`--keep`) for a next run. */
  kept: boolean;
}

export interface ValidationReport {
  kind: DocumentKind;
  /** The file or URL as given. */
  source: string;
  target: Target | null;
  ficam: boolean;
  checkedAt: string;
  result: 'pass' | 'fail';
  summary: Record<Level, number>;
  rules: RuleResult[];
  live?: LiveReport;
}

/** Collects results in the order the checks run. */
export class Findings {
  readonly results: RuleResult[] = [];

  add(id: string, level: Level, message: string, extra: Omit<RuleResult, 'id' | 'level' | 'message'> = {}): void {
    this.results.push({ id, level, message, ...stripUndefined(extra) });
  }
  pass(id: string, message: string, extra?: Omit<RuleResult, 'id' | 'level' | 'message'>): void {
    this.add(id, 'pass', message, extra);
  }
  warn(id: string, message: string, extra?: Omit<RuleResult, 'id' | 'level' | 'message'>): void {
    this.add(id, 'warn', message, extra);
  }
  fail(id: string, message: string, extra?: Omit<RuleResult, 'id' | 'level' | 'message'>): void {
    this.add(id, 'fail', message, extra);
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function buildReport(p: { kind: DocumentKind; source: string; target: Target | undefined; ficam: boolean; now: number; rules: RuleResult[]; live?: LiveReport }): ValidationReport {
  const summary: Record<Level, number> = { pass: 0, warn: 0, fail: 0 };
  for (const r of p.rules) summary[r.level]++;
  return {
    kind: p.kind,
    source: p.source,
    target: p.target ?? null,
    ficam: p.ficam,
    checkedAt: new Date(p.now).toISOString(),
    result: summary.fail > 0 ? 'fail' : 'pass',
    summary,
    rules: p.rules,
    ...(p.live ? { live: p.live } : {}),
  };
}

/** Exit status: 0 when nothing failed (warnings allowed), 1 when a rule failed. */
export function exitCodeOf(report: ValidationReport): 0 | 1 {
  return report.result === 'fail' ? 1 : 0;
}
