/**
 * The container health check (Dockerfile HEALTHCHECK, docker-compose.yml): loads the configuration
 * the container's `idp-harness up` runs with — its environment and the same options (`--only`,
 * `--config`, `--plain-http`, `--port`…) — and asks `/healthz` of every enabled service on this
 * machine at its port, over TLS with the lab CA where the service serves TLS. Prints one line; exit
 * 0 when every service answered 200, else 1 (Docker: 0 healthy, 1 unhealthy).
 * Usage: node dist/scripts/healthcheck.js [--only adfs,console] [up's other config options]
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIG_USAGE, LISTEN_OPTIONS, parseConfigArgs } from '../harness/src/commands/config-options.js';
import { loadConfig, resolveFromRoot } from '../idp/src/config/load.js';
import { SERVICE_NAMES, type LabConfig, type ServiceName } from '../idp/src/config/schema.js';

const USAGE = `Usage: healthcheck [options]   (the options of the container's 'idp-harness up')\n${CONFIG_USAGE}`;
/** Under Docker's own `--timeout` (compose file: 3s), so the one line is always printed. */
const PROBE_TIMEOUT_MS = 2000;

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, out: (line: string) => void = console.log): Promise<number> {
  let config: LabConfig;
  try {
    const { values, file, overrides } = parseConfigArgs(argv, LISTEN_OPTIONS);
    if (values['help']) {
      out(USAGE);
      return 0;
    }
    config = loadConfig({ file, env, overrides });
  } catch (e) {
    out(`unhealthy: ${(e as Error).message.split('\n').join(' ')}`);
    return 1;
  }
  const services = SERVICE_NAMES.filter((name) => config[name].enabled);
  if (services.length === 0) {
    out('unhealthy: no service is enabled');
    return 1;
  }
  let ca: string | undefined;
  if (services.some((name) => servesTls(config, name))) {
    try {
      ca = readFileSync(join(resolveFromRoot(config.certsDir), 'ca.pem'), 'utf8');
    } catch (e) {
      out(`unhealthy: cannot read the lab CA: ${(e as Error).message}`);
      return 1;
    }
  }
  const problems = (await Promise.all(services.map(async (name) => [name, await probe(config, name, ca)] as const))).filter(([, p]) => p !== undefined);
  if (problems.length === 0) {
    out(`healthy: ${services.join(', ')}`);
    return 0;
  }
  out(`unhealthy: ${problems.map(([name, p]) => `${name} (${p})`).join(', ')}`);
  return 1;
}

function servesTls(config: LabConfig, name: ServiceName): boolean {
  return name === 'console' ? config.console.tls : config.tls.enabled;
}

/** Undefined when the service answered 200 at /healthz, else why not. */
function probe(config: LabConfig, name: ServiceName, ca: string | undefined): Promise<string | undefined> {
  const { host, port } = config[name];
  // A service bound to every interface is asked on loopback (the TLS certificate names 127.0.0.1).
  const address = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const tls = servesTls(config, name);
  const url = `${tls ? 'https' : 'http'}://${address}:${port}/healthz`;
  return new Promise((done) => {
    const req = (tls ? httpsRequest : httpRequest)(url, { method: 'GET', ...(tls ? { ca } : {}) }, (res) => {
      res.resume();
      done(res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}`);
    });
    req.setTimeout(PROBE_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    req.end();
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
