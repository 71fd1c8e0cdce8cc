import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, resolveFromRoot } from '../../../idp/src/config/load.js';
import { SERVICE_NAMES, type LabConfig, type ServiceName } from '../../../idp/src/config/schema.js';
import { defaultPublicUrl } from '../../../idp/src/http/listen.js';
import { httpLabControl, type LabControl } from '../control/lab-control.js';
import { explainNetworkError } from './net-errors.js';

/** How a command finds the lab it talks to: `--lab <console URL>`, or the configuration. */
export interface TargetOptions {
  /** The running lab's console URL: services and configuration come from its control API. */
  lab?: string | undefined;
  /** PEM file of the CA to trust (default `<certsDir>/ca.pem` when it exists). */
  ca?: string | undefined;
  /** The local configuration file (`--config`). */
  config?: string | undefined;
}

export interface LabTarget {
  /** The lab's configuration: its own (from `/api/config`) with `--lab`, else the local one. */
  config: LabConfig;
  /** The local configuration: where fixtures and certificates are on this machine. */
  local: LabConfig;
  /** The CA to trust, PEM. */
  ca: string | undefined;
  /** Present with `--lab`. */
  control: LabControl | undefined;
  /** The URL of a service: as the lab reports it, or the configured public URL. */
  url(name: ServiceName): string;
}

export const TARGET_USAGE = `      --lab <url>       the running lab's console (e.g. http://localhost:9000): service URLs and
                        configuration come from its control API (default: the configured URLs)
      --ca <file>       CA certificate to trust (default: <certsDir>/ca.pem)
  -c, --config <file>   the lab's configuration file (for the defaults above)`;

export const TARGET_OPTIONS = {
  lab: { type: 'string' },
  ca: { type: 'string' },
  config: { type: 'string', short: 'c' },
} as const;

export async function resolveTarget(opts: TargetOptions): Promise<LabTarget> {
  const local = loadConfig({ file: opts.config });
  const ca = readCa(opts.ca, local);
  if (opts.lab === undefined) {
    return { config: local, local, ca, control: undefined, url: (name) => configuredUrl(local, name) };
  }
  if (!URL.canParse(opts.lab) || !/^https?:$/.test(new URL(opts.lab).protocol)) {
    throw new Error(`--lab ${opts.lab}: the console's URL, e.g. http://localhost:9000`);
  }
  const control = httpLabControl(opts.lab, ca === undefined ? {} : { ca });
  let services: Partial<Record<ServiceName, string>>;
  let config: LabConfig;
  try {
    [services, config] = await Promise.all([control.services(), control.config()]);
  } catch (e) {
    throw explainNetworkError(e, "the lab's console", opts.lab, "start the lab ('idp-harness up') or check --lab");
  }
  return {
    config,
    local,
    ca,
    control,
    url(name) {
      const url = services[name];
      if (url === undefined) {
        const running = SERVICE_NAMES.filter((n) => services[n] !== undefined);
        throw new Error(`the lab at ${opts.lab} does not run ${name} (running: ${running.join(', ') || 'none'})`);
      }
      return url;
    },
  };
}

/** A service's public URL as `up` would print it for this configuration. */
export function configuredUrl(config: LabConfig, name: ServiceName): string {
  const svc = config[name];
  const tls = name === 'console' ? config.console.tls : config.tls.enabled;
  return (svc.publicUrl ?? defaultPublicUrl(tls, svc.port)).replace(/\/+$/, '');
}

function readCa(file: string | undefined, config: LabConfig): string | undefined {
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(`--ca ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}: the lab's CA certificate, e.g. certs/ca.pem`);
    }
  }
  const dflt = join(resolveFromRoot(config.certsDir), 'ca.pem');
  return existsSync(dflt) ? readFileSync(dflt, 'utf8') : undefined;
}
