import { describe, expect, it } from 'vitest';
import { loadConfig, type ConfigIssue } from '../../src/config/load.js';
import type { LabConfigInput } from '../../src/config/schema.js';
import { IdpError } from '../../src/shared/errors.js';

/**
 * The `cxone` section and the top-level `stateDir` of the lab configuration: CXone's documented
 * defaults (reference B.1 / B.3), the environment mapping, and every bad value reported at once
 * with its path.
 */

function issuesOf(opts: { env?: NodeJS.ProcessEnv; overrides?: LabConfigInput }): ConfigIssue[] {
  let caught: unknown;
  try {
    loadConfig({ env: opts.env ?? {}, overrides: opts.overrides });
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(IdpError);
  expect((caught as IdpError).code).toBe('ERR_CONFIG_INVALID');
  return (caught as IdpError).details['issues'] as ConfigIssue[];
}

const paths = (issues: ConfigIssue[]) => issues.map((i) => i.path).sort();

describe('cxone configuration', () => {
  it('defaults: https://localhost:9445 on loopback, one tenant, CXone token lifetimes (3600 s / 7200 s), 20 min idle, RFC 4226/6238 OTP, no state directory', () => {
    const c = loadConfig({ env: {} });
    expect(c.cxone).toMatchObject({ enabled: true, host: '127.0.0.1', port: 9445 });
    expect(c.cxone.publicUrl).toBeUndefined();
    expect(c.cxone.tenant).toEqual({ id: '11eb8a4c-5d0e-4f3a-9c51-6a1b2c3d4e5f', name: 'idp-harness lab', businessUnitId: 4_600_001, clusterId: 'C32', area: 'na1', systemName: 'CXone' });
    expect(c.cxone.tokens).toEqual({ accessTokenSeconds: 3600, idTokenSeconds: 3600, refreshTokenSeconds: 7200, authorizationCodeSeconds: 60 });
    expect(c.cxone.sessionIdleMinutes).toBe(20);
    expect(c.cxone.otp).toEqual({ digits: 6, algorithm: 'SHA1', periodSeconds: 30, window: 1, hotpResyncLookAhead: 50 });
    expect(c.cxone.admin).toEqual({ username: 'cxone.admin', password: 'CxoneAdmin1!' });
    expect(c.stateDir).toBeUndefined();
  });

  it('reads the environment: IDP_HARNESS__STATE_DIR and nested cxone keys', () => {
    const c = loadConfig({
      env: {
        IDP_HARNESS__STATE_DIR: './state',
        IDP_HARNESS__CXONE__PORT: '9555',
        IDP_HARNESS__CXONE__PUBLIC_URL: 'https://cxone.lab.test:9555',
        IDP_HARNESS__CXONE__TENANT__ID: '22222222-3333-4444-8555-666666666666',
        IDP_HARNESS__CXONE__TOKENS__ACCESS_TOKEN_SECONDS: '600',
        IDP_HARNESS__CXONE__ADMIN__PASSWORD: '12345678', // reads as JSON 12345678, kept as text because the schema wants text
      },
    });
    expect(c.stateDir).toBe('./state');
    expect(c.cxone.port).toBe(9555);
    expect(c.cxone.publicUrl).toBe('https://cxone.lab.test:9555');
    expect(c.cxone.tenant.id).toBe('22222222-3333-4444-8555-666666666666');
    expect(c.cxone.tokens.accessTokenSeconds).toBe(600);
    expect(c.cxone.admin.password).toBe('12345678');
  });

  it('accepts the range boundaries', () => {
    const c = loadConfig({
      env: {},
      overrides: {
        cxone: {
          tokens: { accessTokenSeconds: 60, idTokenSeconds: 86_400, refreshTokenSeconds: 2_592_000, authorizationCodeSeconds: 10 },
          sessionIdleMinutes: 5,
          otp: { digits: 8, algorithm: 'SHA512', periodSeconds: 15, window: 0, hotpResyncLookAhead: 2 },
          clockSkewSeconds: 0,
        },
      },
    });
    expect(c.cxone.tokens.refreshTokenSeconds).toBe(2_592_000);
    expect(c.cxone.sessionIdleMinutes).toBe(5);
  });

  it('reports every bad cxone value and stateDir at once, each with its path', () => {
    const issues = issuesOf({
      overrides: {
        stateDir: '',
        cxone: {
          port: 70_000,
          publicUrl: 'not a url',
          tenant: { id: 'tenant-1', businessUnitId: 0, systemName: '' },
          tokens: { accessTokenSeconds: 59, refreshTokenSeconds: 2_592_001, authorizationCodeSeconds: 601, idTokenSeconds: 1.5 },
          sessionIdleMinutes: 4,
          clockSkewSeconds: 601,
          otp: { digits: 9, algorithm: 'MD5', periodSeconds: 10, window: 11 },
          admin: { password: 'short' },
          bogus: true,
        } as never,
      },
    });
    expect(paths(issues)).toEqual(
      [
        'stateDir',
        'cxone.port',
        'cxone.publicUrl',
        'cxone.tenant.id',
        'cxone.tenant.businessUnitId',
        'cxone.tenant.systemName',
        'cxone.tokens.accessTokenSeconds',
        'cxone.tokens.refreshTokenSeconds',
        'cxone.tokens.authorizationCodeSeconds',
        'cxone.tokens.idTokenSeconds',
        'cxone.sessionIdleMinutes',
        'cxone.clockSkewSeconds',
        'cxone.otp.digits',
        'cxone.otp.algorithm',
        'cxone.otp.periodSeconds',
        'cxone.otp.window',
        'cxone.admin.password',
        'cxone.bogus',
      ].sort(),
    );
    expect(issues.find((i) => i.path === 'cxone.bogus')!.message).toBe('unknown key');
  });

  it('an environment value of the wrong kind, or a misspelt key (STATEDIR for STATE_DIR), is reported with its config path', () => {
    const issues = issuesOf({ env: { IDP_HARNESS__CXONE__TOKENS__ACCESS_TOKEN_SECONDS: 'an hour', IDP_HARNESS__CXONE__TENANT__BUSINESS_UNIT_ID: '-1', IDP_HARNESS__STATEDIR: './x' } });
    expect(paths(issues)).toEqual(['statedir', 'cxone.tenant.businessUnitId', 'cxone.tokens.accessTokenSeconds'].sort());
  });
});
