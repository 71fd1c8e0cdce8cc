import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { IdpError } from '../../idp/src/shared/errors.js';
import type { Lab } from '../../idp/src/lab.js';
import { UserAgent, readForm } from '../src/clients/user-agent.js';
import { startLab } from '../src/index.js';
import { startTestLab } from '../src/start-lab.js';

/** Every lab a test starts is stopped, even when the test fails half-way. */
const running: Lab[] = [];
async function start(...args: Parameters<typeof startTestLab>): Promise<Lab> {
  const lab = await startTestLab(...args);
  running.push(lab);
  return lab;
}
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(running.splice(0).map((l) => l.stop()));
});

const tmp = mkdtempSync(join(tmpdir(), 'idp-harness-start-lab-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const portOf = (url: string) => Number(new URL(url).port);

interface Answer {
  status: number;
  body: string;
}

/** GET over http or https (with `ca` when given); resolves to the answer or rejects with the socket error. */
function get(url: string, ca?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const onRes = (res: import('node:http').IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    };
    const req = url.startsWith('https:') ? httpsGet(url, { ...(ca ? { ca } : {}), agent: false }, onRes) : httpGet(url, { agent: false }, onRes);
    req.on('error', reject);
  });
}

/** Resolves to 'connected' or to the connect error code. */
function tcp(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

describe('startTestLab', () => {
  it('starts every service by default, on ephemeral loopback ports, over plain HTTP', async () => {
    const lab = await start();
    expect(Object.keys(lab.urls).sort()).toEqual(['adfs', 'console', 'cxone', 'finesse', 'ids', 'oidc']);
    for (const url of [lab.urls.adfs!, lab.urls.console!]) {
      expect(url).toMatch(/^http:\/\/localhost:\d+$/);
      expect([0, 9443, 9000]).not.toContain(portOf(url));
    }
    expect(portOf(lab.urls.adfs!)).not.toBe(portOf(lab.urls.console!));
    expect(JSON.parse((await get(lab.urls.adfs + '/healthz')).body)).toEqual({ service: 'adfs', status: 'ok' });
    expect(JSON.parse((await get(lab.urls.console + '/healthz')).body)).toEqual({ service: 'console', status: 'ok' });
    expect(JSON.parse((await get(lab.urls.cxone + '/healthz')).body)).toEqual({ service: 'cxone', status: 'UP' });
    expect(lab.state.cxone?.urls.base).toBe(lab.urls.cxone);
    expect(lab.state.urls).toEqual(lab.urls);
    expect(lab.config.log.level).toBe('silent');
  });

  it('binds 127.0.0.1 only: another loopback address is refused', async () => {
    const lab = await start({ services: ['adfs'] });
    const port = portOf(lab.urls.adfs!);
    expect(await tcp('127.0.0.1', port)).toBe('connected');
    expect(await tcp('127.0.0.2', port)).toBe('ECONNREFUSED');
  });

  it('runs only the chosen services: adfs alone has no console', async () => {
    const lab = await start({ services: ['adfs'] });
    expect(Object.keys(lab.urls)).toEqual(['adfs']);
    expect(lab.urls.console).toBeUndefined();
    expect(lab.config.console.enabled).toBe(false);
    expect((await get(lab.urls.adfs + '/healthz')).status).toBe(200);
    expect(lab.state.adfs).toBeDefined();
  });

  it('console alone: no AD FS, and the sample SP says so', async () => {
    const lab = await start({ services: ['console'] });
    expect(Object.keys(lab.urls)).toEqual(['console']);
    expect(lab.state.adfs).toBeUndefined();
    const page = await get(lab.urls.console + '/sample-sp/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('The adfs service is not running in this lab.');
    const services = JSON.parse((await get(lab.urls.console + '/api/services')).body);
    expect(services).toEqual({ services: [{ name: 'console', url: lab.urls.console }] });
  });

  it('TLS mode: AD FS answers over HTTPS with the lab CA (localhost and 127.0.0.1), the console stays HTTP', async () => {
    const lab = await start({ tls: true });
    expect(lab.urls.adfs).toMatch(/^https:\/\/localhost:\d+$/);
    expect(lab.urls.console).toMatch(/^http:\/\/localhost:\d+$/);
    const ca = lab.state.pki.caPem;
    const health = await get(lab.urls.adfs + '/healthz', ca);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ service: 'adfs', status: 'ok' });
    expect((await get(`https://127.0.0.1:${portOf(lab.urls.adfs!)}/healthz`, ca)).status).toBe(200);
    // not trusted without the lab CA
    await expect(get(lab.urls.adfs + '/healthz')).rejects.toMatchObject({ code: expect.stringMatching(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/) });
    // and not plain HTTP on that port
    await expect(get(lab.urls.adfs!.replace('https:', 'http:') + '/healthz')).rejects.toBeTruthy();
  });

  it('TLS for the console too when configured', async () => {
    const lab = await start({ tls: true, config: { console: { tls: true } } });
    expect(lab.urls.console).toMatch(/^https:\/\/localhost:\d+$/);
    expect((await get(lab.urls.console + '/healthz', lab.state.pki.caPem)).status).toBe(200);
  });

  it('passes other configuration through, keeping tls off unless asked', async () => {
    const lab = await start({
      services: ['adfs'],
      config: { adfs: { displayName: 'Contoso FS' }, tls: { hostNames: ['fs.contoso.test'] } },
    });
    expect(lab.config.adfs.displayName).toBe('Contoso FS');
    expect(lab.config.tls.hostNames).toEqual(['fs.contoso.test']);
    expect(lab.config.tls.enabled).toBe(false);
    expect(lab.urls.adfs).toMatch(/^http:\/\//);
  });

  it('ignores IDP_HARNESS__* in the environment', async () => {
    vi.stubEnv('IDP_HARNESS__ADFS__PORT', '9');
    vi.stubEnv('IDP_HARNESS__ADFS__DISPLAY_NAME', 'from env');
    vi.stubEnv('IDP_HARNESS__NOPE', '1');
    const lab = await start({ services: ['adfs'] });
    expect(portOf(lab.urls.adfs!)).not.toBe(9);
    expect(lab.config.adfs.displayName).toBe('idp-harness AD FS');
  });

  it('reports a bad per-test config as ERR_CONFIG_INVALID with its paths', async () => {
    const e = await startTestLab({ config: { adfs: { ssoLifetimeMinutes: 0 }, bogus: 1 } as never }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IdpError);
    expect((e as IdpError).code).toBe('ERR_CONFIG_INVALID');
    expect(((e as IdpError).details['issues'] as { path: string }[]).map((i) => i.path).sort()).toEqual(['adfs.ssoLifetimeMinutes', 'bogus']);
  });

  it('two labs run side by side without sharing state', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const ports = [a.urls.adfs, a.urls.console, b.urls.adfs, b.urls.console].map((u) => portOf(u!));
    expect(new Set(ports).size).toBe(4);

    // a user added to A is unknown to B
    const user = { username: 'only-in-a', password: 'OnlyInA1!', upn: 'only-in-a@lab.example', email: 'only-in-a@lab.example', givenName: 'O', surname: 'A' };
    const added = await fetch(a.urls.console + '/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
    expect(added.status).toBe(201);
    expect((await fetch(a.urls.console + '/api/users/only-in-a')).status).toBe(200);
    expect((await fetch(b.urls.console + '/api/users/only-in-a')).status).toBe(404);

    // a clock moved in A stays put in B
    a.state.clock.freeze(Date.parse('2030-01-01T00:00:00Z'));
    expect(a.state.clock.date().toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(b.state.clock.state().frozenAt).toBeNull();

    // each sample SP signs in through its own AD FS
    a.state.clock.reset();
    for (const lab of [a, b]) {
      const ua = new UserAgent();
      const start1 = await ua.get(lab.urls.console + '/sample-sp/login');
      expect(start1.location!.startsWith(lab.urls.adfs + '/adfs/ls/')).toBe(true);
      const login = await ua.get(start1.location!);
      const form = readForm(login.body, login.url);
      const posted = await ua.post(form.action, { ...form.fields, UserName: 'agent1', Password: 'Agent1Pass!' });
      const working = readForm(posted.body, posted.url);
      expect(working.action).toBe(lab.urls.console + '/sample-sp/acs');
      const acs = await ua.post(working.action, working.fields);
      expect(acs.status).toBe(200);
      expect(acs.body).toContain('agent1@lab.example');
    }

    // stopping A leaves B running
    await a.stop();
    expect(await tcp('127.0.0.1', portOf(a.urls.adfs!))).toBe('ECONNREFUSED');
    expect((await get(b.urls.adfs + '/healthz')).status).toBe(200);
  });

  it('stop() closes every port, even with a keep-alive connection open', async () => {
    const lab = await startTestLab();
    const ports = [portOf(lab.urls.adfs!), portOf(lab.urls.console!)];
    // an idle keep-alive connection to AD FS
    const keep = connect({ host: '127.0.0.1', port: ports[0]! });
    await new Promise<void>((resolve, reject) => {
      keep.once('connect', () => keep.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n'));
      keep.once('data', () => resolve());
      keep.once('error', reject);
    });
    const closed = new Promise<void>((resolve) => keep.once('close', () => resolve()));
    await lab.stop();
    await closed;
    for (const port of ports) expect(await tcp('127.0.0.1', port)).toBe('ECONNREFUSED');
  });

  it('a port already in use fails the start with EADDRINUSE', async () => {
    const a = await start({ services: ['adfs'] });
    const e = await startTestLab({ config: { adfs: { port: portOf(a.urls.adfs!) } } }).catch((x: unknown) => x);
    expect((e as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    expect((await get(a.urls.adfs + '/healthz')).status).toBe(200);
  });

  it('ERR_PKI_MISSING when certsDir is an empty folder, naming the missing files', async () => {
    const empty = mkdtempSync(join(tmp, 'certs-'));
    const e = await startTestLab({ config: { certsDir: empty } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IdpError);
    expect((e as IdpError).code).toBe('ERR_PKI_MISSING');
    expect((e as IdpError).details['dir']).toBe(empty);
    expect((e as IdpError).details['missing']).toEqual(expect.arrayContaining(['ca.pem', 'tls.key', 'tls.pem', 'adfs-signing.key', 'adfs-signing.pem']));
  });
});

describe('startLab (the test-suite API of harness/src/index.ts)', () => {
  it('runs the chosen services plus the console, over plain HTTP, with the control API working', async () => {
    const lab = await startLab({ services: ['adfs'] });
    try {
      expect(Object.keys(lab.urls).sort()).toEqual(['adfs', 'console']);
      expect(lab.ca).toBeUndefined();
      expect(await lab.control.services()).toEqual(lab.urls);
      expect((await lab.control.config()).tls.enabled).toBe(false);
      // The control API and the in-process state are the same lab.
      await lab.control.faults.add({ surface: 'adfs', kind: 'wrong-audience' });
      expect(lab.state.faults.list()).toHaveLength(1);
      await lab.control.clock.advance(60_000);
      expect(lab.state.clock.state().offsetMs).toBe(60_000);
      await lab.control.reset();
      expect(lab.state.faults.list()).toEqual([]);
      expect((await get(lab.urls.adfs + '/healthz')).status).toBe(200);
    } finally {
      await lab.stop();
    }
  });

  it('tls: the CA is handed back and trusted by the control API, also when the console is on TLS', async () => {
    const lab = await startLab({ services: ['adfs'], tls: true, config: { console: { tls: true } } });
    try {
      expect(lab.ca).toBe(lab.state.pki.caPem);
      expect(lab.urls.console).toMatch(/^https:/);
      expect(await lab.control.services()).toEqual(lab.urls);
      expect((await get(lab.urls.adfs + '/healthz', lab.ca)).status).toBe(200);
    } finally {
      await lab.stop();
    }
  });

  it('stop() is idempotent, and Symbol.asyncDispose stops it', async () => {
    const lab = await startLab({ services: ['adfs'] });
    const port = portOf(lab.urls.adfs!);
    await Promise.all([lab.stop(), lab.stop()]);
    await lab.stop();
    expect(await tcp('127.0.0.1', port)).toBe('ECONNREFUSED');

    const disposable = await startLab({ services: [] });
    expect(Object.keys(disposable.urls)).toEqual(['console']);
    await disposable[Symbol.asyncDispose]();
    expect(await tcp('127.0.0.1', portOf(disposable.urls.console))).toBe('ECONNREFUSED');
    await disposable.stop();
  });

  it('a bad configuration is ERR_CONFIG_INVALID, as from startTestLab', async () => {
    const e = await startLab({ config: { adfs: { ssoLifetimeMinutes: 0 } } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IdpError);
    expect((e as IdpError).code).toBe('ERR_CONFIG_INVALID');
  });
});
