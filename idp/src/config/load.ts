import { readFileSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { z } from 'zod';
import { IdpError } from '../shared/errors.js';
import { projectRoot } from '../shared/paths.js';
import { configFromEnv } from './env.js';
import { LabConfigSchema, type LabConfig, type LabConfigInput } from './schema.js';

export interface LoadConfigOptions {
  /** A JSON or YAML config file (`--config`); IDP_HARNESS_CONFIG names one when this is absent. */
  file?: string | undefined;
  /** The environment to read IDP_HARNESS_* from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Per-test or per-command overrides, applied last. */
  overrides?: LabConfigInput | undefined;
}

export interface ConfigIssue {
  path: string;
  message: string;
}

/**
 * Resolves the lab configuration: defaults < file < environment < overrides, validated at once.
 * Every problem is reported together, each with its path, in one ERR_CONFIG_INVALID.
 */
export function loadConfig(opts: LoadConfigOptions = {}): LabConfig {
  const env = opts.env ?? process.env;
  const issues: ConfigIssue[] = [];
  const file = opts.file ?? env['IDP_HARNESS_CONFIG'];
  const fileLayers: unknown[] = file ? [readConfigFile(file, issues)] : [];
  const validate = (asText: ReadonlySet<string>) => {
    const envIssues: ConfigIssue[] = [];
    const all = [...fileLayers, configFromEnv(env, envIssues, asText), ...(opts.overrides ? [opts.overrides] : [])];
    const merged = all.reduce<Record<string, unknown>>((acc, layer) => deepMerge(acc, layer), {});
    return { result: LabConfigSchema.safeParse(merged), envIssues };
  };
  let { result, envIssues } = validate(new Set());
  if (!result.success) {
    // An env value that reads as JSON (`12345678`) where the schema wants text is text after all:
    // re-read exactly those variables as strings, once.
    const wantText = new Set(
      result.error.issues
        .filter((i) => i.code === 'invalid_type' && i.expected === 'string')
        .map((i) => i.path.map(String).join('.')),
    );
    if (wantText.size > 0) ({ result, envIssues } = validate(wantText));
  }
  issues.push(...envIssues);
  if (!result.success) issues.push(...result.error.issues.flatMap(toIssues));
  if (issues.length > 0 || !result.success) {
    throw new IdpError(
      'ERR_CONFIG_INVALID',
      `invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n'),
      { details: { issues } },
    );
  }
  return deepFreeze(result.data);
}

/** Resolves a configured directory against the project root. */
export function resolveFromRoot(path: string): string {
  return isAbsolute(path) ? path : resolve(projectRoot, path);
}

/** yaml is loaded only for YAML files, keeping it off the start-up path of everyone else. */
function parseYaml(text: string): unknown {
  return (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);
}

function readConfigFile(file: string, issues: ConfigIssue[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    issues.push({ path: `(file ${file})`, message: `cannot read: ${(e as Error).message}` });
    return {};
  }
  try {
    const ext = extname(file).toLowerCase();
    const data: unknown = ext === '.yaml' || ext === '.yml' ? parseYaml(text) : JSON.parse(text);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      issues.push({ path: `(file ${file})`, message: 'must hold an object at the top level' });
      return {};
    }
    return data;
  } catch (e) {
    issues.push({ path: `(file ${file})`, message: `cannot parse: ${(e as Error).message}` });
    return {};
  }
}

function toIssues(i: z.core.$ZodIssue): ConfigIssue[] {
  const path = i.path.length ? i.path.map(String).join('.') : '(root)';
  if (i.code === 'unrecognized_keys') {
    // One issue per unknown key, with its full path, so each typo is named where it sits.
    return i.keys.map((k) => ({ path: [...i.path, k].map(String).join('.'), message: 'unknown key' }));
  }
  return [{ path, message: i.message }];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; arrays and scalars replace. */
export function deepMerge(base: Record<string, unknown>, layer: unknown): Record<string, unknown> {
  if (!isPlainObject(layer)) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(layer)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}
