import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import { loadConfig, type ConfigIssue } from '../../src/config/load.js';
import { IdpError } from '../../src/shared/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'idp-harness-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Runs `fn`, expects ERR_CONFIG_INVALID, returns the reported issues. */
function configIssues(fn: () => unknown): ConfigIssue[] {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(IdpError);
  const e = caught as IdpError;
  expect(e.code).toBe('ERR_CONFIG_INVALID');
  const issues = e.details['issues'] as ConfigIssue[];
  expect(Array.isArray(issues)).toBe(true);
  return issues;
}

const paths = (issues: ConfigIssue[]) => issues.map((i) => i.path).sort();

describe('config defaults', () => {
  const c = loadConfig({ env: {} });

  it('puts AD FS on 9443 over TLS and the console on 9000 over plain HTTP, on loopback', () => {
    expect(c.adfs.port).toBe(9443);
    expect(c.adfs.host).toBe('127.0.0.1');
    expect(c.adfs.enabled).toBe(true);
    expect(c.adfs.publicUrl).toBeUndefined();
    expect(c.console.port).toBe(9000);
    expect(c.console.host).toBe('127.0.0.1');
    expect(c.console.enabled).toBe(true);
    expect(c.console.tls).toBe(false);
    expect(c.tls).toEqual({ enabled: true, hostNames: [] });
    expect(c.log.level).toBe('info');
    expect(c.certsDir).toBe('certs');
    expect(c.fixturesDir).toBe('fixtures');
  });

  it('has the AD FS farm defaults', () => {
    expect(c.adfs.identifier).toBeUndefined(); // derived from the public URL at start
    expect(c.adfs.ssoLifetimeMinutes).toBe(480);
    expect(c.adfs.messageDeliveryWindowMinutes).toBe(5);
    expect(c.adfs.idpInitiatedSignOn).toEqual({ enabled: true, relayState: true });
    expect(c.adfs.windowsIntegrated).toEqual({ enabled: false });
    expect(c.adfs.limits.maxRelayStateBytes).toBe(80);
  });

  it('ignores IDP_HARNESS_CONFIG and IDP_HARNESS__* when given an empty environment', () => {
    expect(loadConfig({ env: {} })).toEqual(c);
  });

  it('returns a deeply frozen object', () => {
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.adfs)).toBe(true);
    expect(Object.isFrozen(c.adfs.limits)).toBe(true);
    expect(Object.isFrozen(c.tls.hostNames)).toBe(true);
    expect(() => {
      (c.adfs as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(c.adfs.port).toBe(9443);
  });
});

describe('identifier derivation (at start, from the public URL)', () => {
  it('is http://<publicUrl host>/adfs/services/trust — http even over TLS', async () => {
    const lab = await startTestLab({ services: ['adfs'], config: { adfs: { publicUrl: 'https://adfs.lab.example:9443' } } });
    try {
      expect(lab.urls.adfs).toBe('https://adfs.lab.example:9443');
      expect(lab.state.adfs!.identifier).toBe('http://adfs.lab.example/adfs/services/trust');
    } finally {
      await lab.stop();
    }
  });

  it('uses localhost when no public URL is set, and a configured identifier verbatim', async () => {
    const lab = await startTestLab({ services: ['adfs'] });
    const lab2 = await startTestLab({ services: ['adfs'], config: { adfs: { identifier: 'urn:my:fs' } } });
    try {
      expect(lab.state.adfs!.identifier).toBe('http://localhost/adfs/services/trust');
      expect(lab2.state.adfs!.identifier).toBe('urn:my:fs');
      const md = await (await fetch(lab2.state.adfs!.urls.metadata)).text();
      expect(md).toContain('entityID="urn:my:fs"');
    } finally {
      await Promise.all([lab.stop(), lab2.stop()]);
    }
  });
});

describe('config file', () => {
  it('applies a JSON file over the defaults', () => {
    const file = write(
      'lab.json',
      JSON.stringify({ adfs: { port: 10443, displayName: 'Contoso FS' }, console: { port: 10000 }, tls: { enabled: false } }),
    );
    const c = loadConfig({ file, env: {} });
    expect(c.adfs.port).toBe(10443);
    expect(c.adfs.displayName).toBe('Contoso FS');
    expect(c.adfs.host).toBe('127.0.0.1'); // untouched siblings keep their defaults
    expect(c.console.port).toBe(10000);
    expect(c.tls).toEqual({ enabled: false, hostNames: [] });
  });

  it('applies a YAML file (.yaml and .yml)', () => {
    const yaml = [
      'adfs:',
      '  publicUrl: https://adfs:9443',
      '  identifier: http://fs.contoso.example/adfs/services/trust',
      'tls:',
      '  hostNames: [fs.contoso.example, 10.0.0.5]',
      'log:',
      '  level: warn',
      '',
    ].join('\n');
    for (const name of ['lab.yaml', 'lab.yml']) {
      const c = loadConfig({ file: write(name, yaml), env: {} });
      expect(c.adfs.publicUrl).toBe('https://adfs:9443');
      expect(c.adfs.identifier).toBe('http://fs.contoso.example/adfs/services/trust');
      expect(c.tls.hostNames).toEqual(['fs.contoso.example', '10.0.0.5']);
      expect(c.tls.enabled).toBe(true);
      expect(c.log.level).toBe('warn');
    }
  });

  it('is found through IDP_HARNESS_CONFIG when no file is given', () => {
    const file = write('from-env.json', JSON.stringify({ adfs: { port: 10444 } }));
    expect(loadConfig({ env: { IDP_HARNESS_CONFIG: file } }).adfs.port).toBe(10444);
  });

  it('an explicit file wins over IDP_HARNESS_CONFIG', () => {
    const a = write('a.json', JSON.stringify({ adfs: { port: 10445 } }));
    const b = write('b.json', JSON.stringify({ adfs: { port: 10446 } }));
    expect(loadConfig({ file: a, env: { IDP_HARNESS_CONFIG: b } }).adfs.port).toBe(10445);
  });

  it('reports a file that cannot be read', () => {
    const missing = join(dir, 'does-not-exist.json');
    const issues = configIssues(() => loadConfig({ file: missing, env: {} }));
    expect(paths(issues)).toEqual([`(file ${missing})`]);
    expect(issues[0]!.message).toMatch(/cannot read/);
  });

  it('reports a file that cannot be parsed (JSON and YAML)', () => {
    const json = write('broken.json', '{ "adfs": { "port": 1, } ');
    const yaml = write('broken.yaml', 'adfs:\n  port: [1, 2\n');
    expect(paths(configIssues(() => loadConfig({ file: json, env: {} })))).toEqual([`(file ${json})`]);
    expect(paths(configIssues(() => loadConfig({ file: yaml, env: {} })))).toEqual([`(file ${yaml})`]);
  });

  it('reports a file whose top level is not an object', () => {
    const file = write('array.json', '[1, 2]');
    const issues = configIssues(() => loadConfig({ file, env: {} }));
    expect(paths(issues)).toEqual([`(file ${file})`]);
    expect(issues[0]!.message).toMatch(/object/);
  });

  it('reports an unparsable file together with the env problems', () => {
    const file = write('broken2.json', 'not json');
    const issues = configIssues(() => loadConfig({ file, env: { IDP_HARNESS__ADFS__PORT: '70000' } }));
    expect(paths(issues)).toEqual([`(file ${file})`, 'adfs.port'].sort());
  });
});

describe('environment overrides', () => {
  const file = write('base.json', JSON.stringify({ adfs: { port: 10443, publicUrl: 'https://file.example:10443' }, log: { level: 'warn' } }));

  it('reads a number-like env value as text where the schema wants text, and still refuses text for a number', () => {
    const c = loadConfig({ env: { IDP_HARNESS__ADFS__PERSISTENT_ID_SECRET: '12345678' } });
    expect(c.adfs.persistentIdSecret).toBe('12345678');
    expect(() => loadConfig({ env: { IDP_HARNESS__ADFS__PORT: 'ninety' } })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_INVALID', details: { issues: [expect.objectContaining({ path: 'adfs.port' })] } }),
    );
  });

  it('IDP_HARNESS__<PATH> wins over the file, values read as JSON when they parse', () => {
    const c = loadConfig({
      file,
      env: {
        IDP_HARNESS__ADFS__PORT: '9555',
        IDP_HARNESS__ADFS__PUBLIC_URL: 'https://adfs:9443',
        IDP_HARNESS__LOG__LEVEL: 'debug',
        IDP_HARNESS__TLS__HOST_NAMES: '["a","b"]',
        IDP_HARNESS__TLS__ENABLED: 'false',
        IDP_HARNESS__ADFS__IDP_INITIATED_SIGN_ON__ENABLED: 'false',
      },
    });
    expect(c.adfs.port).toBe(9555);
    expect(c.adfs.publicUrl).toBe('https://adfs:9443');
    expect(c.log.level).toBe('debug');
    expect(c.tls.hostNames).toEqual(['a', 'b']);
    expect(c.tls.enabled).toBe(false);
    expect(c.adfs.idpInitiatedSignOn).toEqual({ enabled: false, relayState: true });
  });

  it('leaves what the environment does not name to the file', () => {
    const c = loadConfig({ file, env: { IDP_HARNESS__ADFS__PORT: '9555' } });
    expect(c.adfs.publicUrl).toBe('https://file.example:10443');
    expect(c.log.level).toBe('warn');
  });

  it('ignores variables outside the IDP_HARNESS__ prefix', () => {
    const c = loadConfig({ env: { IDP_HARNESS_ADFS_PORT: '1', HARNESS__ADFS__PORT: '2', PATH: '/usr/bin' } });
    expect(c.adfs.port).toBe(9443);
  });

  it('per-test overrides win over the environment and the file', () => {
    const c = loadConfig({
      file,
      env: { IDP_HARNESS__ADFS__PORT: '9555', IDP_HARNESS__LOG__LEVEL: 'debug', IDP_HARNESS__TLS__HOST_NAMES: '["a","b"]' },
      overrides: { adfs: { port: 0 }, tls: { hostNames: ['c'] } },
    });
    expect(c.adfs.port).toBe(0);
    expect(c.tls.hostNames).toEqual(['c']); // arrays replace, they do not merge
    expect(c.log.level).toBe('debug');
    expect(c.adfs.publicUrl).toBe('https://file.example:10443');
  });

  it('reports an unknown env path with its config path', () => {
    const issues = configIssues(() => loadConfig({ env: { IDP_HARNESS__ADFS__PROTT: '1', IDP_HARNESS__NOPE: 'x' } }));
    expect(paths(issues)).toEqual(['adfs.prott', 'nope']);
    expect(issues.every((i) => i.message === 'unknown key')).toBe(true);
  });

  it('reports an env name with an empty segment', () => {
    const issues = configIssues(() => loadConfig({ env: { IDP_HARNESS__ADFS____PORT: '1' } }));
    expect(paths(issues)).toEqual(['(env IDP_HARNESS__ADFS____PORT)']);
  });

  it('reports a bad env value at its path', () => {
    const issues = configIssues(() => loadConfig({ env: { IDP_HARNESS__ADFS__PORT: 'ninety' } }));
    expect(paths(issues)).toEqual(['adfs.port']);
  });
});

describe('every problem at once, each with its path', () => {
  it('unknown keys at several depths and bad values, in one error', () => {
    const file = write(
      'many.json',
      JSON.stringify({
        nope: true,
        adfs: { prot: 9443, port: 70000, publicUrl: 'not a url', idpInitiatedSignOn: { enabld: true } },
        console: { tls2: true },
        log: { level: 'loud' },
      }),
    );
    const issues = configIssues(() => loadConfig({ file, env: { IDP_HARNESS__CONSOLE__BIND: '0.0.0.0' } }));
    expect(paths(issues)).toEqual(
      [
        'nope',
        'adfs.prot',
        'adfs.port',
        'adfs.publicUrl',
        'adfs.idpInitiatedSignOn.enabld',
        'console.tls2',
        'console.bind',
        'log.level',
      ].sort(),
    );
  });

  it('names every unknown key of one object separately', () => {
    const issues = configIssues(() => loadConfig({ env: {}, overrides: { adfs: { prot: 1, hots: 'x' } } as never }));
    expect(paths(issues)).toEqual(['adfs.hots', 'adfs.prot']);
  });

  it('the message lists every problem, one per line', () => {
    let message = '';
    try {
      loadConfig({ env: {}, overrides: { adfs: { port: -1 }, console: { port: 1.5 } } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/2 problems/);
    expect(message).toMatch(/^\s+- adfs\.port: /m);
    expect(message).toMatch(/^\s+- console\.port: /m);
  });

  it('rejects a public URL that is not http(s) and a wrong type', () => {
    const issues = configIssues(() =>
      loadConfig({ env: {}, overrides: { adfs: { publicUrl: 'ftp://adfs:21' }, tls: { hostNames: 'a,b' } } as never }),
    );
    expect(paths(issues)).toEqual(['adfs.publicUrl', 'tls.hostNames']);
  });
});

describe('publicUrl', () => {
  it('is scheme, host and port only: a path, query or fragment is refused with its path', () => {
    const issues = configIssues(() =>
      loadConfig({
        env: {},
        overrides: { oidc: { publicUrl: 'https://gw.lab.example/lab' }, adfs: { publicUrl: 'https://adfs.lab.example:9443/?x=1' } },
      }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(['adfs.publicUrl', 'oidc.publicUrl']);
    expect(issues[0]!.message).toMatch(/no path/);
  });

  it('accepts a bare origin, with or without the trailing slash', () => {
    const c = loadConfig({ env: {}, overrides: { oidc: { publicUrl: 'https://oidc.lab.example:9444/' }, adfs: { publicUrl: 'https://adfs.lab.example' } } });
    expect(c.oidc.publicUrl).toBe('https://oidc.lab.example:9444/');
    expect(c.adfs.publicUrl).toBe('https://adfs.lab.example');
  });
});
