import type { Flow, Scenario } from './scenario.js';

export const FLOWS: readonly Flow[] = ['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7'];

/** A selection the catalog cannot satisfy (unknown id, flow or tag): a usage error, exit 2. */
export class SelectionError extends Error {
  readonly code = 'ERR_SCENARIO_SELECTION';
  constructor(message: string) {
    super(message);
    this.name = 'SelectionError';
  }
}

export interface Selection {
  /** Scenario ids; none means every scenario. */
  ids?: readonly string[];
  /** Any of these tags (`--tag saml,negative` or `--tag saml --tag negative`). */
  tags?: readonly string[];
  /** Any of these flows. */
  flows?: readonly string[];
}

/**
 * The scenarios a selection names, in catalog order: the ids given (or all), then only those
 * with one of the tags and one of the flows. Every id, tag and flow must exist, and the result
 * must not be empty: a typo in CI must fail the job rather than run nothing and pass.
 */
export function selectScenarios(catalog: readonly Scenario[], sel: Selection): Scenario[] {
  const ids = sel.ids ?? [];
  const unknownIds = ids.filter((id) => !catalog.some((s) => s.id === id));
  if (unknownIds.length) throw new SelectionError(`unknown scenario ${unknownIds.map((i) => `'${i}'`).join(', ')}; 'idp-harness scenarios list' shows them all`);
  const flows = (sel.flows ?? []).map((f) => f.toUpperCase());
  const badFlows = flows.filter((f) => !(FLOWS as readonly string[]).includes(f));
  if (badFlows.length) throw new SelectionError(`unknown flow ${badFlows.join(', ')} (flows: ${FLOWS.join(', ')})`);
  const tags = sel.tags ?? [];
  const known = new Set(catalog.flatMap((s) => s.tags));
  const badTags = tags.filter((t) => !known.has(t));
  if (badTags.length) throw new SelectionError(`no scenario has the tag ${badTags.join(', ')} (tags: ${[...known].sort().join(', ')})`);

  const chosen = catalog.filter(
    (s) =>
      (ids.length === 0 || ids.includes(s.id)) &&
      (tags.length === 0 || s.tags.some((t) => tags.includes(t))) &&
      (flows.length === 0 || flows.includes(s.flow)),
  );
  if (chosen.length === 0) throw new SelectionError('no scenario matches that selection');
  return chosen;
}

/** `a,b` and repeated options alike, trimmed, empty parts dropped. */
export function splitList(values: readonly string[] | string | undefined): string[] {
  const list = typeof values === 'string' ? [values] : (values ?? []);
  return list.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}
