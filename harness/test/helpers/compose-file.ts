import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../../idp/src/config/load.js';
import type { LabConfig } from '../../../idp/src/config/schema.js';
import { LISTEN_OPTIONS, parseConfigArgs } from '../../src/commands/config-options.js';
import { projectRoot } from '../../../idp/src/shared/paths.js';

/** One service of docker-compose.yml, as compose sees it after YAML anchors and `<<` merges. */
export interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  profiles?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [extension: `x-${string}`]: unknown;
}

export const composeText = readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8');

/** Parsed the way Compose does: YAML 1.1-style `<<` merge keys resolved. */
export function readCompose(text = composeText): ComposeFile {
  return parse(text, { merge: true }) as ComposeFile;
}

export const dockerfileText = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8');

/** The instructions of the Dockerfile that the tests check, parsed plainly (one line each). */
export function readDockerfile(text = dockerfileText) {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const args = (keyword: string) => lines.filter((l) => l.startsWith(`${keyword} `)).map((l) => l.slice(keyword.length + 1).trim());
  const env: Record<string, string> = {};
  for (const line of args('ENV')) for (const m of line.matchAll(/(\w+)=(\S+)/g)) env[m[1]!] = m[2]!;
  return {
    env,
    /** Sources of every COPY from the build context (not `--from=` another stage). */
    copySources: args('COPY').filter((a) => !a.startsWith('--from')).flatMap((a) => a.split(/\s+/).slice(0, -1)),
    expose: args('EXPOSE').flatMap((a) => a.split(/\s+/)).map(Number),
    run: args('RUN'),
    cmd: JSON.parse(args('CMD').at(-1) ?? '[]') as string[],
    healthcheck: JSON.parse(/CMD (\[.*\])$/.exec(args('HEALTHCHECK').at(-1) ?? '')?.[1] ?? '[]') as string[],
  };
}

/** The `up` arguments of a service's command (`node dist/harness/src/cli.js up …`), or undefined. */
export function upArgs(service: ComposeService): string[] | undefined {
  const c = service.command ?? [];
  const i = c.indexOf('up');
  return c[1]?.endsWith('/cli.js') && i === 2 ? c.slice(3) : undefined;
}

/**
 * The configuration the service's process runs with: the image's ENV, the service's environment,
 * then its command-line options (or those the healthcheck passes), parsed by the CLI's own parser.
 */
export function serviceConfig(service: ComposeService, argv: string[] = upArgs(service) ?? []): LabConfig {
  const { file, overrides } = parseConfigArgs(argv, LISTEN_OPTIONS);
  return loadConfig({ file, env: { ...readDockerfile().env, ...service.environment }, overrides });
}
