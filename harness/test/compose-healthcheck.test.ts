import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../idp/src/lab.js';
import { main as healthcheck } from '../../scripts/healthcheck.js';
import { startTestLab } from '../src/start-lab.js';
import { freeUrl } from '../../idp/test/helpers/peer-labs.js';

/**
 * The containers' health check (scripts/healthcheck.ts) against real labs: it reads the same
 * environment and `--only` as the container's `up`, asks /healthz of every enabled service (TLS
 * with the lab CA where it is on), and prints one line; exit 0 or 1.
 */
async function check(argv: string[], env: Record<string, string>): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await healthcheck(argv, env, (l) => lines.push(l));
  return { code, lines };
}

const portOf = (url: string | undefined) => String(new URL(url!).port);

describe('the container health check', () => {
  let plain: Lab;
  let tls: Lab;
  beforeAll(async () => {
    [plain, tls] = await Promise.all([startTestLab({ services: ['adfs', 'console'] }), startTestLab({ services: ['ids', 'console'], tls: true })]);
  });
  afterAll(async () => {
    await Promise.all([plain?.stop(), tls?.stop()]);
  });

  it('is healthy when every service of --only answers /healthz (plain HTTP)', async () => {
    const env = { IDP_HARNESS__TLS__ENABLED: 'false', IDP_HARNESS__ADFS__PORT: portOf(plain.urls.adfs), IDP_HARNESS__CONSOLE__PORT: portOf(plain.urls.console) };
    expect(await check(['--only', 'adfs,console'], env)).toEqual({ code: 0, lines: ['healthy: adfs, console'] });
  });

  it('is healthy over TLS, trusting the lab CA (and the console on plain HTTP)', async () => {
    const env = { IDP_HARNESS__IDS__PORT: portOf(tls.urls.ids), IDP_HARNESS__CONSOLE__PORT: portOf(tls.urls.console) };
    expect(tls.urls.ids).toMatch(/^https:/);
    expect(await check(['--only', 'ids,console'], env)).toEqual({ code: 0, lines: ['healthy: ids, console'] });
  });

  it('names each enabled service that does not answer, or answers in the wrong protocol', async () => {
    const dead = portOf(await freeUrl());
    const env = { IDP_HARNESS__TLS__ENABLED: 'false', IDP_HARNESS__ADFS__PORT: dead, IDP_HARNESS__CONSOLE__PORT: portOf(plain.urls.console) };
    expect(await check(['--only', 'adfs,console'], env)).toEqual({ code: 1, lines: ['unhealthy: adfs (ECONNREFUSED)'] });
    // TLS expected (the default) where the lab serves plain HTTP: the handshake fails.
    const wrong = await check(['--only', 'adfs'], { IDP_HARNESS__ADFS__PORT: portOf(plain.urls.adfs) });
    expect(wrong.code).toBe(1);
    expect(wrong.lines).toHaveLength(1);
    expect(wrong.lines[0]).toMatch(/^unhealthy: adfs \(/);
  });

  it('is unhealthy, in one line, when the configuration is invalid or the options are wrong', async () => {
    const bad = await check(['--only', 'adfs'], { IDP_HARNESS__ADFS__PORT: 'many' });
    expect(bad.code).toBe(1);
    expect(bad.lines).toHaveLength(1);
    expect(bad.lines[0]).toMatch(/^unhealthy: .*adfs\.port/);
    const unknown = await check(['--only', 'adfs,nope'], {});
    expect(unknown.code).toBe(1);
    expect(unknown.lines[0]).toMatch(/^unhealthy: --only: unknown service/);
  });
});
