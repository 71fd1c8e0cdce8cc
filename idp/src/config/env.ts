import type { ConfigIssue } from './load.js';

/**
 * Environment overrides: `IDP_HARNESS__<SEGMENT>__<SEGMENT>=value` sets one key, segments in
 * SCREAMING_SNAKE_CASE mapped to camelCase (`IDP_HARNESS__ADFS__PUBLIC_URL` → `adfs.publicUrl`).
 * Values are read as JSON when they parse (numbers, booleans, arrays), else as strings. Unknown
 * paths are not dropped here: the schema reports them with their path like any other typo.
 */
const PREFIX = 'IDP_HARNESS__';

export function configFromEnv(env: NodeJS.ProcessEnv, issues: ConfigIssue[], asText: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || raw === undefined) continue;
    const segments = name.slice(PREFIX.length).split('__').map(toCamel);
    if (segments.some((s) => s.length === 0)) {
      issues.push({ path: `(env ${name})`, message: 'empty path segment' });
      continue;
    }
    let node = out;
    for (const seg of segments.slice(0, -1)) {
      const next = node[seg];
      node = (typeof next === 'object' && next !== null ? next : (node[seg] = {})) as Record<string, unknown>;
    }
    node[segments[segments.length - 1]!] = asText.has(segments.join('.')) ? raw : parseValue(raw);
  }
  return out;
}

function toCamel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
