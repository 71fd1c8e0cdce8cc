import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_NAMES, type ServiceName } from '../../idp/src/config/schema.js';
import { COMPOSE_SERVICE_NAMES } from '../../idp/src/pki/systems.js';
import { projectRoot } from '../../idp/src/shared/paths.js';
import { main as genCerts } from '../../scripts/gen-certs.js';
import { readCompose, serviceConfig, upArgs, type ComposeService } from './helpers/compose-file.js';
import { run } from './helpers/run-cli.js';

/**
 * docker-compose.yml against the project, since no Docker engine runs here: every name it uses
 * exists (services, volumes, files, CLI commands and options), every process it starts listens
 * where the file says (ports, public URLs, health checks, peers), and the pipeline's one-shots
 * behave under `up --wait` and `run`.
 */
const compose = readCompose();
const services = Object.entries(compose.services);
/** The long-running lab containers: those whose command is `idp-harness up`. */
const labServices = services.filter(([, s]) => upArgs(s) !== undefined);
const enabledIn = (s: ComposeService) => SERVICE_NAMES.filter((n) => serviceConfig(s)[n].enabled);
const labEnv = compose['x-lab-environment'] as Record<string, string>;

describe('docker-compose.yml: names', () => {
  it('depends only on services that exist, healthy ones having a health check and completed ones being one-shots', () => {
    for (const [name, s] of services) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        const target = compose.services[dep];
        expect(target, `${name} depends on ${dep}`).toBeDefined();
        if (condition === 'service_healthy') expect(target!.healthcheck?.test?.length, `${dep} has a health check`).toBeGreaterThan(0);
        if (condition === 'service_completed_successfully') expect(upArgs(target!), `${dep} is a one-shot`).toBeUndefined();
      }
    }
  });

  it('declares every named volume it mounts, and bind-mounts folders of the project', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, s] of services) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (source.startsWith('.')) expect(source === './reports' || existsSync(join(projectRoot, source)), `${name}: ${v}`).toBe(true);
        else expect(declared, `${name}: ${v}`).toContain(source);
      }
    }
  });

  it('mounts the fixtures read-only and the shared PKI where each container’s configuration reads them', () => {
    for (const [name, s] of labServices) {
      const config = serviceConfig(s);
      expect(s.volumes, name).toContain(`./fixtures:${config.fixturesDir}:ro`);
      expect(s.volumes, name).toContain(`lab-certs:${config.certsDir}`);
      expect(config.stateDir, `${name}: a fresh lab per pipeline run`).toBeUndefined();
    }
    expect(compose.services['certs']!.command!.join(' ')).toContain(`--dir ${serviceConfig(compose.services['adfs']!).certsDir}`);
  });

  it('starts every long-running service from files the build produces and CLI commands that exist', async () => {
    const commands = [...services.map(([, s]) => s.command ?? []), ...services.map(([, s]) => s.healthcheck?.test?.slice(1) ?? [])].filter((c) => c[0] === 'node');
    expect(commands.length).toBeGreaterThan(services.length);
    for (const [, file] of commands) {
      // tsc (tsconfig.build.json: idp/src, harness/src, scripts/*.ts) writes dist/<x>.js for <x>.ts.
      expect(file, 'a built file').toMatch(/^dist\/(idp\/src|harness\/src|scripts)\/.+\.js$/);
      expect(existsSync(join(projectRoot, file!.slice('dist/'.length).replace(/\.js$/, '.ts'))), file).toBe(true);
    }
    for (const c of commands.filter(([, file]) => file === 'dist/harness/src/cli.js')) {
      const [command, ...argv] = c.slice(2);
      const help = await run(command!, '--help');
      expect(help.code, `idp-harness ${command} exists`).toBe(0);
      for (const option of argv.filter((a) => a.startsWith('--'))) expect(help.stdout, `${command} takes ${option}`).toContain(option);
    }
  });

  it('runs gen-certs with options it takes', async () => {
    const argv = compose.services['certs']!.command!.slice(2);
    let usage = '';
    expect(await genCerts(['--help'], (l) => (usage += l))).toBe(0);
    for (const option of argv.filter((a) => a.startsWith('--'))) expect(usage).toContain(option);
  });
});

describe('docker-compose.yml: every emulated system once, listening where the file says', () => {
  it('runs each system in exactly one container, Finesse beside IdS (it redeems codes at IdS in-process)', () => {
    const where = new Map<ServiceName, string[]>();
    for (const [name, s] of labServices) for (const svc of enabledIn(s)) if (svc !== 'console') where.set(svc, [...(where.get(svc) ?? []), name]);
    for (const svc of SERVICE_NAMES.filter((n) => n !== 'console')) expect(where.get(svc), svc).toHaveLength(1);
    expect(where.get('finesse')).toEqual(where.get('ids'));
    for (const [name, s] of labServices) expect(enabledIn(s), `${name} runs a console`).toContain('console');
  });

  it('publishes, on 127.0.0.1 only, exactly the ports its systems listen on (consoles: only the central one)', () => {
    for (const [name, s] of labServices) {
      const config = serviceConfig(s);
      const systems = enabledIn(s).filter((n) => n !== 'console' || (config.console.peers.length > 0));
      const expected = systems.map((n) => `127.0.0.1:${config[n].port}:${config[n].port}`);
      expect(s.ports, name).toEqual(expected);
      for (const n of enabledIn(s)) expect(config[n].host, `${name}: ${n} binds every interface`).toBe('0.0.0.0');
    }
  });

  it('gives every container the same public URLs, each naming the container that runs it and its port', () => {
    for (const svc of SERVICE_NAMES) {
      const url = new URL(labEnv[`IDP_HARNESS__${svc.toUpperCase()}__PUBLIC_URL`]!);
      const host = compose.services[url.hostname];
      expect(host, `${svc}: ${url}`).toBeDefined();
      const config = serviceConfig(host!);
      expect(config[svc].enabled, `${url.hostname} runs ${svc}`).toBe(true);
      expect(Number(url.port), `${svc} port`).toBe(config[svc].port);
      const tls = svc === 'console' ? config.console.tls : config.tls.enabled;
      expect(url.protocol).toBe(tls ? 'https:' : 'http:');
    }
    for (const [name, s] of labServices) expect(s.environment, name).toMatchObject(labEnv);
  });

  it('names every public URL host in the TLS certificate the certs service generates', () => {
    const argv = compose.services['certs']!.command!;
    const hosts = argv.flatMap((a, i) => (argv[i - 1] === '--host' ? [a] : []));
    for (const svc of SERVICE_NAMES) {
      const host = new URL(labEnv[`IDP_HARNESS__${svc.toUpperCase()}__PUBLIC_URL`]!).hostname;
      expect([...hosts, ...COMPOSE_SERVICE_NAMES], svc).toContain(host);
    }
  });

  it('health-checks exactly the services each container runs', () => {
    for (const [name, s] of labServices) {
      const test = s.healthcheck!.test!;
      expect(test.slice(0, 3), name).toEqual(['CMD', 'node', 'dist/scripts/healthcheck.js']);
      const checked = SERVICE_NAMES.filter((n) => serviceConfig(s, test.slice(3))[n].enabled);
      expect(checked, name).toEqual(enabledIn(s));
    }
  });

  it('lets the central console control every other container through its console', () => {
    const central = labServices.filter(([, s]) => serviceConfig(s).console.peers.length > 0);
    expect(central.map(([n]) => n)).toEqual(['console']);
    const peers = serviceConfig(central[0]![1]).console.peers.map((p) => new URL(p));
    const others = labServices.filter(([n]) => n !== 'console');
    expect(peers.map((u) => u.hostname).sort()).toEqual(others.map(([n]) => n).sort());
    for (const u of peers) {
      const config = serviceConfig(compose.services[u.hostname]!);
      expect(u.protocol).toBe(config.console.tls ? 'https:' : 'http:');
      expect(Number(u.port)).toBe(config.console.port);
    }
  });
});

describe('docker-compose.yml: the pipeline', () => {
  const scenarios = compose.services['scenarios']!;
  const argv = scenarios.command!;
  const option = (name: string) => argv[argv.indexOf(name) + 1]!;

  it('runs the scenarios once every system is healthy, against the central console, with the lab CA', () => {
    expect(argv.slice(0, 5)).toEqual(['node', 'dist/harness/src/cli.js', 'scenarios', 'run', '--lab']);
    expect(Object.keys(scenarios.depends_on!).sort()).toEqual(labServices.map(([n]) => n).sort());
    for (const dep of Object.values(scenarios.depends_on!)) expect(dep.condition).toBe('service_healthy');
    expect(option('--lab')).toBe(labEnv['IDP_HARNESS__CONSOLE__PUBLIC_URL']);
    expect(scenarios.volumes).toContain(`lab-certs:${option('--ca').replace(/\/ca\.pem$/, '')}:ro`);
  });

  it('writes the JUnit report into the bind-mounted reports folder', () => {
    const junit = option('--junit');
    const mount = scenarios.volumes!.find((v) => v.startsWith('./reports:'))!;
    expect(junit.startsWith(`${mount.split(':')[1]}/`)).toBe(true);
  });

  it('keeps `up --wait` and `run` right: the scenarios one-shot in a profile, the certs one-shot awaited by every system', () => {
    // `up --wait` fails on a container that exits unless a running service waits for it with
    // service_completed_successfully (docker/compose#10596); `run <service>` activates its profile.
    expect(scenarios.profiles).toEqual(['scenarios']);
    const oneShots = services.filter(([, s]) => upArgs(s) === undefined && !s.profiles);
    expect(oneShots.map(([n]) => n)).toEqual(['certs']);
    for (const [name, s] of labServices) expect(s.depends_on?.['certs']?.condition, name).toBe('service_completed_successfully');
    for (const [name, s] of services.filter(([, s]) => upArgs(s) === undefined)) expect(s.healthcheck?.disable, `${name} has no health check`).toBe(true);
  });

  it('builds every service from the one image', () => {
    for (const [name, s] of services) expect([s.build, s.image], name).toEqual(['.', 'idp-harness:local']);
    expect(readFileSync(join(projectRoot, '.dockerignore'), 'utf8')).toMatch(/^node_modules$/m);
  });
});
