import { explainNetworkError } from '../commands/net-errors.js';
import { httpLabControl } from '../control/lab-control.js';
import type { ScenarioTarget } from './scenario.js';

/**
 * The ScenarioTarget of a running lab, from its console alone: the services and configuration
 * come from the control API, so an in-process lab, `npm start` and docker compose look alike.
 * A console that does not answer (or whose TLS is not trusted) is one line saying what to do.
 */
export async function connectTarget(consoleUrl: string, opts: { ca?: string } = {}): Promise<ScenarioTarget> {
  const control = httpLabControl(consoleUrl, opts.ca === undefined ? {} : { ca: opts.ca });
  try {
    const [urls, config] = await Promise.all([control.services(), control.config()]);
    return { urls, config, control, ...(opts.ca === undefined ? {} : { ca: opts.ca }) };
  } catch (e) {
    throw explainNetworkError(e, "the lab's console", consoleUrl, "start the lab ('idp-harness up' or 'npm start') or fix --lab");
  }
}
