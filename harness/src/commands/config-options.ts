import { parseArgs } from 'node:util';
import { SERVICE_NAMES, type LabConfigInput } from '../../../idp/src/config/schema.js';

/** Options every command that loads the configuration understands. */
export const CONFIG_OPTIONS = {
  config: { type: 'string', short: 'c' },
  only: { type: 'string' },
  'plain-http': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const CONFIG_USAGE = `  -c, --config <file>   JSON or YAML config file (also IDP_HARNESS_CONFIG)
      --only <list>     run only these services, e.g. --only adfs,oidc,console
      --plain-http      serve every service over plain HTTP instead of TLS
  -h, --help            show this help`;

export function parseConfigArgs(argv: string[], extra: Record<string, { type: 'boolean' | 'string'; short?: string }> = {}) {
  const { values } = parseArgs({ args: argv, options: { ...CONFIG_OPTIONS, ...extra }, allowPositionals: false, strict: true });
  const overrides: Record<string, unknown> = {};
  if (values['plain-http']) overrides['tls'] = { enabled: false };
  if (typeof values.only === 'string') {
    const only = values.only.split(',').map((s) => s.trim()).filter(Boolean);
    for (const name of SERVICE_NAMES) overrides[name] = { enabled: only.includes(name) };
    const unknown = only.filter((s) => !(SERVICE_NAMES as readonly string[]).includes(s));
    if (unknown.length) throw new Error(`--only: unknown service(s) ${unknown.join(', ')} (known: ${SERVICE_NAMES.join(', ')})`);
  }
  return { values: values as Record<string, unknown>, file: values.config as string | undefined, overrides: overrides as LabConfigInput };
}
