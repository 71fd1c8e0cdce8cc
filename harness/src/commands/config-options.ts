import { parseArgs } from 'node:util';
import { SERVICE_NAMES, type LabConfigInput, type ServiceName } from '../../../idp/src/config/schema.js';
import { UsageError } from './usage-error.js';

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

/**
 * Where the services listen and how clients reach them: `up` and `config` take these (the
 * configuration keys `<service>.port`, `.publicUrl` and `.host`, as the last layer).
 */
export const LISTEN_OPTIONS = {
  port: { type: 'string', multiple: true },
  'public-url': { type: 'string', multiple: true },
  host: { type: 'string' },
} as const;

export const LISTEN_USAGE = `      --port <svc>=<n>        listen on this port (repeatable), e.g. --port adfs=10443; 0 picks a free one
      --public-url <svc>=<url>
                              the URL clients use for a service (repeatable), e.g.
                              --public-url adfs=https://adfs.lab.test:9443 (issuers derive from it)
      --host <address>        bind every service to this address (default 127.0.0.1; 0.0.0.0 in a container)`;

type OptionSpec = { type: 'boolean' | 'string'; short?: string; multiple?: boolean };

/** Parses the config options (and `extra`) into a config file name and the overrides they mean. */
export function parseConfigArgs(argv: string[], extra: Record<string, OptionSpec> = {}) {
  const { values } = parseArgs({ args: argv, options: { ...CONFIG_OPTIONS, ...extra }, allowPositionals: false, strict: true });
  const v = values as Record<string, unknown>;
  const perService = new Map<ServiceName, Record<string, unknown>>();
  const set = (name: ServiceName, key: string, value: unknown) => perService.set(name, { ...perService.get(name), [key]: value });
  const overrides: Record<string, unknown> = {};
  if (v['plain-http']) overrides['tls'] = { enabled: false };
  if (typeof v['only'] === 'string') {
    const only = v['only'].split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = only.filter((s) => !isService(s));
    if (unknown.length) throw new UsageError(`--only: unknown service(s) ${unknown.join(', ')} (known: ${SERVICE_NAMES.join(', ')})`);
    for (const name of SERVICE_NAMES) set(name, 'enabled', only.includes(name));
  }
  for (const [name, value] of pairs('--port', v['port'])) {
    if (!/^\d{1,5}$/.test(value)) throw new UsageError(`--port ${name}=${value}: the port is a number (0 picks a free one)`);
    set(name, 'port', Number(value));
  }
  // The schema checks the URL itself (scheme, no path) and reports it with its config path.
  for (const [name, value] of pairs('--public-url', v['public-url'])) set(name, 'publicUrl', value);
  if (typeof v['host'] === 'string') {
    if (v['host'].trim() === '') throw new UsageError('--host: an address to bind, e.g. 127.0.0.1 or 0.0.0.0');
    for (const name of SERVICE_NAMES) set(name, 'host', v['host']);
  }
  for (const [name, o] of perService) overrides[name] = o;
  return { values: v, file: v['config'] as string | undefined, overrides: overrides as LabConfigInput };
}

function isService(s: string): s is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(s);
}

/** `svc=value` options (repeatable): each split at the first `=`, the service checked. */
function pairs(option: string, raw: unknown): Array<[ServiceName, string]> {
  const list = Array.isArray(raw) ? (raw as string[]) : [];
  return list.map((item) => {
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq);
    if (eq < 0 || eq === item.length - 1) throw new UsageError(`${option} ${item}: write <service>=<value>, e.g. ${option} adfs=${option === '--port' ? '10443' : 'https://adfs:9443'}`);
    if (!isService(name)) throw new UsageError(`${option} ${item}: unknown service '${name}' (known: ${SERVICE_NAMES.join(', ')})`);
    return [name, item.slice(eq + 1)];
  });
}
