import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../idp/src/lab.js';
import { startTestLab } from '../src/start-lab.js';
import { isLoopbackHost, transportVerdict } from '../src/validate/https-rule.js';
import { RULES } from '../src/validate/rule-catalog.js';
import { run } from './helpers/run-cli.js';
import { schemaProblems } from './helpers/validate-run.js';

/**
 * The command around the rules: usage errors and unreadable input exit 2 with one line saying what
 * to do, the human table, the JSON report against its schema, and the transport rule.
 */
describe('idp-harness validate: command line', () => {
  let dir: string;
  let lab: Lab;
  let http404: Server;
  let notFoundUrl: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'validate-cli-'));
    lab = await startTestLab({ services: ['adfs'], tls: true });
    http404 = createServer((_req, res) => res.writeHead(404).end('nope'));
    await new Promise<void>((resolve) => http404.listen(0, '127.0.0.1', resolve));
    notFoundUrl = `http://127.0.0.1:${(http404.address() as AddressInfo).port}/FederationMetadata.xml`;
  });
  afterAll(async () => {
    await lab?.stop();
    await new Promise((resolve) => http404?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is listed in the CLI help, and --help prints its usage (exit 0)', async () => {
    const top = await run('--help');
    expect(top.stdout).toMatch(/\n {2}validate /);
    const help = await run('validate', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--saml-metadata <file|URL>');
    expect(help.stdout).toContain('--live');
  });

  it.each([
    [[], 'give exactly one of'],
    [['--saml-metadata', 'a.xml', '--oidc-discovery', 'https://x.example'], 'give exactly one of'],
    [['--saml-metadata', 'a.xml', '--target', 'salesforce'], '--target must be cxone or ids'],
    [['--oidc-discovery', 'https://x.example', '--target', 'ids'], 'SAML metadata only'],
    [['--saml-metadata', 'a.xml', '--live'], '--live needs --lab, --user, --password'],
    [['--saml-metadata', 'a.xml', '--user', 'agent1'], 'only work with --live'],
    [['--saml-metadata', 'a.xml', '--live', '--lab', 'localhost:9000', '--user', 'u', '--password', 'p'], '--lab must be'],
    [['--saml-metadata', 'a.xml', '--ca', '/nonexistent/ca.pem'], '--ca /nonexistent/ca.pem: cannot read it'],
    [['--saml-metadata', 'a.xml', '--colour'], "Unknown option '--colour'"],
  ])('usage error %j: exit 2, one line', async (argv, text) => {
    const r = await run('validate', ...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(text);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a --ca file that is not PEM is a usage error', async () => {
    const file = join(dir, 'not-a-cert.pem');
    writeFileSync(file, 'hello');
    const r = await run('validate', '--saml-metadata', 'a.xml', '--ca', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a PEM certificate file');
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.xml'), 'cannot read'],
    ['an HTTP 404', () => notFoundUrl, 'answered HTTP 404'],
    ['a port nothing listens on', () => 'http://127.0.0.1:1/metadata.xml', 'cannot reach http://127.0.0.1:1 (ECONNREFUSED)'],
    ['a TLS server whose CA is not trusted', () => `${lab.urls.adfs}/FederationMetadata/2007-06/FederationMetadata.xml`, 'pass --ca'],
  ])('unreadable input (%s): exit 2 and what to do next', async (_what, source, text) => {
    const r = await run('validate', '--saml-metadata', source());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(text);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints a table by default: level, rule id, message, and the verdict with the exit status', async () => {
    const r = await run('validate', '--saml-metadata', join('fixtures', 'validate', 'saml-metadata-rsa-1024.xml'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^SAML metadata: fixtures\/validate\/saml-metadata-rsa-1024\.xml\n/);
    expect(r.stdout).toMatch(/\n {2}FAIL {2}saml\.cert\.key-size +\[certificate '[^']+' \(SHA-256 [0-9A-F:]+…\)\] RSA key of 1024 bits/);
    expect(r.stdout).toMatch(/\n {2}pass {2}saml\.entity\.id /);
    expect(r.stdout).toMatch(/\d+ passed, 0 warning\(s\), 1 failure\(s\): FAIL \(exit 1\)\n$/);
  });

  it('the JSON schema refuses what the validator must never print', () => {
    const ok = { kind: 'saml-metadata', source: 'x', target: null, ficam: false, checkedAt: '2026-01-01T00:00:00.000Z', result: 'pass', summary: { pass: 1, warn: 0, fail: 0 }, rules: [{ id: 'saml.entity.id', level: 'pass', message: 'fine' }] };
    expect(schemaProblems(ok)).toEqual([]);
    expect(schemaProblems({ ...ok, rules: [{ id: 'saml.entity.id', level: 'info', message: 'x' }] })).not.toEqual([]);
    expect(schemaProblems({ ...ok, rules: [{ id: 'Bad Id', level: 'pass', message: 'x' }] })).not.toEqual([]);
    expect(schemaProblems({ ...ok, extra: 1 })).not.toEqual([]);
  });

  it('the rule catalog has unique ids that the schema accepts', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(schemaProblems({ kind: 'oidc-discovery', source: 'x', target: 'cxone', ficam: true, checkedAt: '2026-01-01T00:00:00.000Z', result: 'pass', summary: { pass: 1, warn: 0, fail: 0 }, rules: [{ id, level: 'pass', message: 'm' }] }), id).toEqual([]);
    }
  });

  it.each([
    ['https://idp.example/adfs/ls/', 'pass'],
    ['http://idp.example/adfs/ls/', 'fail'],
    ['http://localhost:9443/adfs/ls/', 'warn'],
    ['http://127.0.0.1:9443/', 'warn'],
    ['http://[::1]:9443/', 'warn'],
    ['ftp://idp.example/', 'fail'],
    ['not a url', 'fail'],
  ] as const)('transport of %s: %s', (url, level) => {
    expect(transportVerdict(url).level).toBe(level);
  });

  it('loopback hosts are localhost, 127/8 and ::1 only', () => {
    expect(['localhost', 'a.localhost', '127.9.9.9', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['localhost.example', '10.0.0.1', '128.0.0.1', 'idp.example'].some(isLoopbackHost)).toBe(false);
  });
});
