import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../idp/src/config/load.js';
import { SERVICE_NAMES } from '../../idp/src/config/schema.js';
import { projectRoot } from '../../idp/src/shared/paths.js';

/**
 * There is no Docker engine here, so the compose file and the Dockerfile are checked against the
 * project instead: the environment they set is valid configuration, the ports they publish are
 * the ones the lab listens on, and every path they copy or run exists.
 */
const compose = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { environment: Record<string, string>; ports: string[]; command: string[]; healthcheck: { test: string[] } }>;
};
const dockerfile = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8');

describe('docker-compose.yml and Dockerfile', () => {
  const lab = compose.services['lab']!;

  it('sets only valid configuration through the environment', () => {
    const env = Object.fromEntries(
      [...dockerfile.matchAll(/(IDP_HARNESS__[A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]),
    );
    const config = loadConfig({ env: { ...env, ...lab.environment } });
    expect(config.adfs.publicUrl).toBe('https://lab:9443');
    expect(config.oidc.publicUrl).toBe('https://lab:9444');
    expect(config.ids.publicUrl).toBe('https://lab:8553');
    expect(config.finesse.publicUrl).toBe('https://lab:8445');
    expect(config.cxone.publicUrl).toBe('https://lab:9445');
    expect(config.stateDir).toBeUndefined(); // CI gets a fresh lab per run
    expect(config.ids.host).toBe('0.0.0.0');
    expect(config.cxone.host).toBe('0.0.0.0');
    expect(config.finesse.host).toBe('0.0.0.0');
    expect(config.adfs.host).toBe('0.0.0.0');
    expect(config.console.host).toBe('0.0.0.0');
  });

  it('publishes the ports the lab listens on, on loopback only', () => {
    const config = loadConfig({ env: {} });
    const ports = SERVICE_NAMES.map((name) => config[name].port);
    expect(ports).toContain(9445);
    expect(lab.ports).toEqual(ports.map((p) => `127.0.0.1:${p}:${p}`));
    expect(dockerfile).toContain(`EXPOSE ${ports.join(' ')}`);
  });

  it('runs files that the build produces and copies folders that exist', () => {
    const built = [...lab.command.join(' ').matchAll(/dist\/(\S+)\.js/g)].map((m) => m[1]!);
    expect(built).toEqual(['scripts/gen-certs', 'harness/src/cli']);
    for (const src of built) expect(readFileSync(join(projectRoot, `${src}.ts`), 'utf8').length).toBeGreaterThan(0);
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(\S+) /gm)) {
      for (const path of m[1]!.split(' ')) expect(() => readFileSync(join(projectRoot, path)), path).not.toThrow(/ENOENT/);
    }
    expect(lab.healthcheck.test.join(' ')).toContain('/healthz');
  });

  it('every service of the lab is configured for the container: a public URL on the compose name and an open bind address', () => {
    const env = Object.fromEntries([...dockerfile.matchAll(/(IDP_HARNESS__[A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
    for (const name of SERVICE_NAMES) {
      const key = name.toUpperCase();
      expect(env[`IDP_HARNESS__${key}__HOST`], name).toBe('0.0.0.0');
      expect(lab.environment[`IDP_HARNESS__${key}__PUBLIC_URL`], name).toMatch(/^https?:\/\/lab:\d+$/);
    }
    // the TLS certificate covers the compose name, as `up` reissues it for public URL hosts
    expect(lab.command.join(' ')).toContain('--host lab');
  });
});
