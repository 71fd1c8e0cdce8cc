import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../idp/src/lab.js';
import { startTestLab } from '../src/start-lab.js';
import { send } from '../src/validate/http.js';
import { checkIssuer } from '../src/validate/oidc/check-issuer.js';
import { Findings } from '../src/validate/report.js';
import { startFixtureOp, type FixtureOp } from './helpers/fixture-op.js';
import { idsAt, levelsOf, validateJson } from './helpers/validate-run.js';

/**
 * `idp-harness validate --oidc-discovery`: the lab's own OpenID Providers (default and FICAM
 * issuers, over TLS) pass, and each bad discovery document of fixtures/validate/, served by a
 * local "partner OP" (the issuer check and the JWKS fetch run for real), trips its rule.
 */
describe('validate --oidc-discovery', () => {
  let lab: Lab;
  let op: FixtureOp;
  let dir: string;
  let ca: string;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['oidc'], tls: true });
    op = await startFixtureOp();
    dir = mkdtempSync(join(tmpdir(), 'validate-oidc-'));
    ca = join(dir, 'ca.pem');
    writeFileSync(ca, lab.state.pki.caPem);
  });
  afterAll(async () => {
    await lab?.stop();
    await op?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the lab's default issuer passes for --target cxone (given as the issuer URL: the well-known path is appended)", async () => {
    const { code, report } = await validateJson('--oidc-discovery', lab.urls.oidc!, '--ca', ca, '--target', 'cxone');
    expect(idsAt(report, 'fail')).toEqual([]);
    expect(idsAt(report, 'warn')).toEqual([]);
    expect(code).toBe(0);
    expect(levelsOf(report, 'oidc.issuer.match')).toEqual(['pass']);
    expect(levelsOf(report, 'oidc.jwks.fetch')).toEqual(['pass']);
    expect(levelsOf(report, 'oidc.jwks.rsa-size').every((l) => l === 'pass')).toBe(true);
  });

  it("the lab's FICAM issuer passes every iGov rule with --ficam", async () => {
    const { code, report } = await validateJson('--oidc-discovery', `${lab.urls.oidc}/ficam/.well-known/openid-configuration`, '--ca', ca, '--ficam', '--target', 'cxone');
    expect(idsAt(report, 'fail')).toEqual([]);
    expect(idsAt(report, 'warn')).toEqual([]);
    expect(report.rules.filter((r) => r.id.startsWith('ficam.oidc.')).length).toBeGreaterThanOrEqual(10);
    expect(code).toBe(0);
  });

  it("the lab's default issuer under --ficam: shared secrets and implicit types are warned about, nothing fails", async () => {
    const { code, report } = await validateJson('--oidc-discovery', lab.urls.oidc!, '--ca', ca, '--ficam');
    expect(idsAt(report, 'warn').sort()).toEqual(['ficam.oidc.client-secret', 'ficam.oidc.response-types']);
    expect(code).toBe(0);
  });

  it('the good partner document passes', async () => {
    const { code, report } = await validateJson('--oidc-discovery', op.issuer('good'), '--ca', ca, '--target', 'cxone', '--ficam');
    expect(idsAt(report, 'fail')).toEqual([]);
    expect(code).toBe(0);
  });

  it.each([
    // fixture, extra args, rule, level, exit
    ['no-pkce', [], 'oidc.pkce.s256', 'warn', 0],
    ['no-pkce', ['--target', 'cxone'], 'oidc.pkce.s256', 'fail', 1],
    ['no-pkce', ['--ficam'], 'ficam.oidc.pkce', 'fail', 1],
    ['alg-none', [], 'oidc.id-token.alg-none', 'fail', 1],
    ['hs-only', [], 'oidc.id-token.hs-only', 'warn', 1],
    ['hs-only', [], 'oidc.id-token.rs256', 'fail', 1],
    ['hs-only', ['--target', 'cxone'], 'oidc.id-token.hs-only', 'fail', 1],
    ['issuer-mismatch', [], 'oidc.issuer.match', 'fail', 1],
    ['no-private-key-jwt', [], 'oidc.token-auth.methods', 'pass', 0],
    ['no-private-key-jwt', ['--ficam'], 'ficam.oidc.private-key-jwt', 'fail', 1],
    ['http-endpoints', [], 'oidc.endpoint.https', 'fail', 1],
    ['missing-required', [], 'oidc.required-fields', 'fail', 1],
    ['weak-jwks', [], 'oidc.jwks.rsa-size', 'fail', 1],
    ['leaked-private-key', [], 'oidc.jwks.private-material', 'fail', 1],
    ['not-json', [], 'oidc.json', 'fail', 1],
  ] as const)('%s %j: %s is %s, exit %i', async (name, extra, rule, level, exit) => {
    const { code, report } = await validateJson('--oidc-discovery', op.issuer(name), '--ca', ca, ...extra);
    expect(levelsOf(report, rule)).toContain(level);
    expect(code).toBe(exit);
  });

  it('a bad document fails only for its own reason', async () => {
    const failing = async (name: string, ...extra: string[]) =>
      (await validateJson('--oidc-discovery', op.issuer(name), '--ca', ca, ...extra)).report.rules.filter((r) => r.level === 'fail').map((r) => r.id);
    expect(await failing('no-pkce', '--target', 'cxone')).toEqual(['oidc.pkce.s256']);
    expect(await failing('alg-none')).toEqual(['oidc.id-token.alg-none']);
    expect(await failing('issuer-mismatch')).toEqual(['oidc.issuer.match']);
    expect(await failing('no-private-key-jwt', '--ficam')).toEqual(['ficam.oidc.private-key-jwt']);
    expect(await failing('http-endpoints')).toEqual(['oidc.endpoint.https', 'oidc.endpoint.https']);
  });

  it('a saved copy (file) is validated too; the issuer cannot be matched against a URL, which is a warning', async () => {
    const file = join(dir, 'discovery.json');
    const served = await fetchText(`${op.issuer('good')}/.well-known/openid-configuration`);
    writeFileSync(file, served);
    const { code, report } = await validateJson('--oidc-discovery', file, '--ca', ca);
    expect(levelsOf(report, 'oidc.issuer.match')).toEqual(['warn']);
    expect(levelsOf(report, 'oidc.jwks.fetch')).toEqual(['pass']);
    expect(code).toBe(0);
  });

  it.each([
    ['https://idp.example/', 'warn'],
    ['https://idp.example', 'pass'],
    ['https://other.example', 'fail'],
  ] as const)('issuer %s read from https://idp.example/.well-known/openid-configuration: %s', (issuer, level) => {
    const f = new Findings();
    checkIssuer({ issuer }, 'https://idp.example/.well-known/openid-configuration', f);
    expect(f.results.find((r) => r.id === 'oidc.issuer.match')?.level).toBe(level);
  });

  /** GET over TLS with the lab CA (the fixture OP uses the lab's test certificate). */
  async function fetchText(url: string): Promise<string> {
    return (await send(url, { ca: [lab.state.pki.caPem] })).body;
  }
});
