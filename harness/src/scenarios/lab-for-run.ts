import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, resolveFromRoot } from '../../../idp/src/config/load.js';
import type { ServiceName } from '../../../idp/src/config/schema.js';
import { startTestLab } from '../start-lab.js';
import type { ScenarioTarget } from './scenario.js';
import { connectTarget } from './target.js';

/** The lab a `scenarios run` drives, and how to let go of it. */
export interface LabForRun {
  target: ScenarioTarget;
  inProcess: boolean;
  /** Lines worth telling the user before the run (e.g. a missing CA). */
  warnings: string[];
  stop(): Promise<void>;
}

/**
 * Starts the lab in this process for the run: the chosen services (the console always, as the
 * runner works through its control API) on ephemeral loopback ports, TLS from the lab CA unless
 * `plainHttp`, the default configuration and fixtures, logs silent.
 */
export async function startLabForRun(opts: { services: readonly ServiceName[]; plainHttp: boolean }): Promise<LabForRun> {
  const services = opts.services.includes('console') ? opts.services : [...opts.services, 'console' as const];
  const lab = await startTestLab({ services, tls: !opts.plainHttp });
  try {
    const ca = opts.plainHttp ? undefined : lab.state.pki.caPem;
    const target = await connectTarget(lab.urls.console!, ca === undefined ? {} : { ca });
    return { target, inProcess: true, warnings: [], stop: () => lab.stop() };
  } catch (e) {
    await lab.stop();
    throw e;
  }
}

/**
 * The running lab whose console is at `consoleUrl`. The CA to trust is `caFile`, else this checkout's
 * `<certsDir>/ca.pem` (its configuration, resolved on this machine) when that file exists; with
 * neither, only the system's CAs are trusted, which is said up front.
 */
export async function connectLabForRun(consoleUrl: string, caFile: string | undefined): Promise<LabForRun> {
  const warnings: string[] = [];
  // The CA comes first: a console on TLS cannot even be asked where its certificates are.
  const fallback = join(resolveFromRoot(loadConfig({}).certsDir), 'ca.pem');
  const caPath = caFile ?? (existsSync(fallback) ? fallback : undefined);
  const ca = caPath === undefined ? undefined : readFileSync(caPath, 'utf8');
  const target = await connectTarget(consoleUrl, ca === undefined ? {} : { ca });
  if (ca === undefined) {
    if (Object.values(target.urls).some((u) => u?.startsWith('https:'))) {
      warnings.push(`no lab CA at ${fallback}: trusting the system's CAs only (pass --ca <the lab's certs/ca.pem>)`);
    }
  }
  return { target, inProcess: false, warnings, stop: async () => undefined };
}
