import { loadConfig } from '../../idp/src/config/load.js';
import { SERVICE_NAMES, type LabConfig, type LabConfigInput, type ServiceName } from '../../idp/src/config/schema.js';
import { startLab as startLabServices, type Lab, type LabState } from '../../idp/src/lab.js';
import { httpLabControl, type LabControl } from './control/lab-control.js';

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
 * The lab's own tests use it; an integration suite uses `startLab` (below), which adds the typed
 * control API.
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
  return startLabServices(loadConfig({ env: {}, overrides: overrides as LabConfigInput }));
}

function pick(o: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

export interface StartLabOptions {
  /**
   * The protocol services to run (default: all). The console always runs besides them: it is the
   * control plane `control` talks to.
   */
  services?: readonly ServiceName[];
  /** TLS from the lab CA for the protocol services (default false: plain HTTP). */
  tls?: boolean;
  /** Any other configuration, as in a config file (`console: { tls: true }`, token lifetimes…). */
  config?: LabConfigInput;
}

/** A lab started in this process for a test suite. */
export interface RunningLab extends AsyncDisposable {
  /** The URL of each service that runs; `console` always. */
  urls: Partial<Record<ServiceName, string>> & { console: string };
  /** The lab CA (PEM) to trust when a service runs on TLS; undefined over plain HTTP. */
  ca: string | undefined;
  /** The control API as typed functions: users, relying parties, clients, faults, clock, reset. */
  control: LabControl;
  /** The resolved configuration the lab runs with. */
  config: LabConfig;
  /** The in-process state behind the control API, for what it does not cover (power users). */
  state: LabState;
  /** Stops every service and closes every connection; calling it again does nothing. */
  stop(): Promise<void>;
}

/**
 * The test-suite API: the chosen services in this process on ephemeral loopback ports, plain
 * HTTP unless `tls`, logs silent, the environment ignored, plus the console (the control plane),
 * with the control API as typed functions. `await using lab = await startLab()` stops it at the
 * end of the scope.
 *
 * @example
 *   const lab = await startLab({ services: ['adfs', 'ids', 'finesse'] });
 *   await lab.control.faults.add({ surface: 'adfs', kind: 'expired-assertion' });
 *   await lab.control.clock.advance(60 * 60_000);
 *   await lab.stop();
 */
export async function startLab(opts: StartLabOptions = {}): Promise<RunningLab> {
  const services = [...new Set<ServiceName>([...(opts.services ?? SERVICE_NAMES), 'console'])];
  const lab = await startTestLab({ ...opts, services });
  const tls = lab.config.tls.enabled || lab.config.console.tls;
  const ca = tls ? lab.state.pki.caPem : undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= lab.stop());
  return {
    urls: lab.urls as RunningLab['urls'],
    ca,
    control: httpLabControl(lab.urls.console!, ca === undefined ? {} : { ca }),
    config: lab.config,
    state: lab.state,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
