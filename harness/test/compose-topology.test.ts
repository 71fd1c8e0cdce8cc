import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES, type LabConfigInput, type ServiceName } from '../../idp/src/config/schema.js';
import type { Lab } from '../../idp/src/lab.js';
import { projectRoot } from '../../idp/src/shared/paths.js';
import { freeUrl } from '../../idp/test/helpers/peer-labs.js';
import { SCENARIOS } from '../src/scenarios/catalog.js';
import { runScenarios } from '../src/scenarios/runner.js';
import { connectTarget } from '../src/scenarios/target.js';
import { startTestLab } from '../src/start-lab.js';
import { readCompose, serviceConfig, upArgs } from './helpers/compose-file.js';

/**
 * The pipeline of docker-compose.yml without Docker: one in-process lab per container of the file
 * (each with the services its `--only` names and a console of its own, sharing nothing), the
 * central console with the file's peers, TLS from the lab CA, every public URL the same for
 * everyone, as in compose. Then what the `scenarios` service runs: every built-in scenario, through
 * the central console. Host names become 127.0.0.1 and ports ephemeral; everything else is the file's.
 */
const compose = readCompose();
const containers = Object.entries(compose.services).filter(([, s]) => upArgs(s) !== undefined);
const ca = readFileSync(join(projectRoot, 'certs', 'ca.pem'), 'utf8');

let labs: Lab[] = [];
let centralUrl = '';
beforeAll(async () => {
  const port = async () => Number(new URL(await freeUrl()).port);
  const systems = SERVICE_NAMES.filter((n) => n !== 'console');
  const shared: Record<string, { port: number; publicUrl: string }> = {};
  for (const n of systems) {
    const p = await port();
    shared[n] = { port: p, publicUrl: `https://127.0.0.1:${p}` };
  }
  const consolePorts = new Map<string, number>();
  for (const [name] of containers) consolePorts.set(name, await port());
  const central = containers.find(([, s]) => serviceConfig(s).console.peers.length > 0)!;
  centralUrl = `http://127.0.0.1:${consolePorts.get(central[0])}`;
  const start = (name: string) => {
    const config = serviceConfig(compose.services[name]!);
    const services = SERVICE_NAMES.filter((n) => config[n].enabled);
    // The file's peers are `http://<container>:9000`: here, that container's console.
    const peers = config.console.peers.map((p) => `http://127.0.0.1:${consolePorts.get(new URL(p).hostname)}`);
    const console = { port: consolePorts.get(name)!, publicUrl: centralUrl, peers };
    return startTestLab({ services: services as ServiceName[], tls: true, config: { ...shared, console } as LabConfigInput });
  };
  labs = await Promise.all(containers.filter(([n]) => n !== central[0]).map(([n]) => start(n)));
  labs.push(await start(central[0]));
});
afterAll(async () => {
  await Promise.all(labs.map((l) => l.stop()));
});

describe('docker-compose.yml in-process: the scenarios service’s run', () => {
  it('sees every service through the central console, and every scenario passes', async () => {
    const target = await connectTarget(centralUrl, { ca });
    expect(Object.keys(target.urls).sort()).toEqual([...SERVICE_NAMES].sort());
    const result = await runScenarios(SCENARIOS, target);
    const notPassed = result.scenarios.filter((s) => s.status !== 'passed').map((s) => ({ id: s.id, status: s.status, error: s.error, skip: s.skipReason }));
    expect(notPassed).toEqual([]);
    expect(result.summary.passed).toBe(SCENARIOS.length);

    // What they exchanged, as the console's live list sees it: every container's log, in time order.
    const merged = (await (await fetch(`${centralUrl}/api/exchanges?limit=500`)).json()) as Array<{ id: string; at: string; service: string }>;
    const own = labs.flatMap((l) => l.state.exchanges.list());
    expect(merged).toHaveLength(Math.min(500, own.length));
    expect(merged.map((e) => e.id).every((id) => own.some((e) => e.id === id))).toBe(true);
    expect(new Set(merged.map((e) => e.service)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(merged.map((e) => e.id)).size).toBe(merged.length);
    expect(merged.map((e) => Date.parse(e.at))).toEqual(merged.map((e) => Date.parse(e.at)).sort((a, b) => a - b));
  });
});
