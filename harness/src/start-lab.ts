import { loadConfig } from '../../idp/src/config/load.js';
import { SERVICE_NAMES, type LabConfigInput, type ServiceName } from '../../idp/src/config/schema.js';
import { startLab, type Lab } from '../../idp/src/lab.js';

export interface StartTestLabOptions {
  /** Which services to run (default: all). */
  services?: readonly ServiceName[];
  /** TLS from the lab CA (default false: plain HTTP is simpler for test clients). */
  tls?: boolean;
  /** Any other configuration, as in a config file. */
  config?: LabConfigInput;
}

/**
 * Starts the lab in this process for a test suite: loopback only, every service on an ephemeral
 * port, logs silent, the environment ignored (a developer's IDP_HARNESS__* must not change a
 * test). Returns the lab: `urls`, `state` (users, relying parties, faults, clock…) and `stop()`.
 *
 * @example
 *   const lab = await startTestLab({ services: ['adfs', 'console'] });
 *   const metadata = await fetch(lab.urls.adfs + '/FederationMetadata/2007-06/FederationMetadata.xml');
 *   await lab.stop();
 */
export async function startTestLab(opts: StartTestLabOptions = {}): Promise<Lab> {
  const services = opts.services ?? SERVICE_NAMES;
  const overrides: Record<string, unknown> = {
    log: { level: 'silent' },
    ...opts.config,
    // A `config.tls` (e.g. hostNames) must not turn TLS back on: `opts.tls` decides, default off.
    tls: { ...opts.config?.tls, enabled: opts.tls ?? opts.config?.tls?.enabled ?? false },
  };
  for (const name of SERVICE_NAMES) {
    const given = (opts.config as Record<string, Record<string, unknown> | undefined> | undefined)?.[name] ?? {};
    overrides[name] = { ...given, enabled: services.includes(name), host: '127.0.0.1', port: 0, ...pick(given, 'port', 'host') };
  }
  return startLab(loadConfig({ env: {}, overrides: overrides as LabConfigInput }));
}

function pick(o: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}
