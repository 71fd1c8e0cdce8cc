import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../idp/src/lab.js';
import { startTestLab } from '../src/start-lab.js';
import { run } from './helpers/run-cli.js';

/**
 * `idp-harness metadata <service>` in-process against an in-process lab: each document is the one
 * the service serves (fetched again here and compared), the CXone authenticator metadata agrees
 * with what the lab's own IdPs have registered for CXone, and failures are one line.
 */

const tmp = mkdtempSync(join(tmpdir(), 'idp-harness-metadata-'));
const saved: Record<string, string | undefined> = {};
let lab: Lab;
let consoleUrl: string;

beforeAll(async () => {
  for (const k of Object.keys(process.env)) {
    if (k.startsWith('IDP_HARNESS')) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
  }
  lab = await startTestLab();
  consoleUrl = lab.urls.console!;
});
afterAll(async () => {
  await lab?.stop();
  Object.assign(process.env, saved);
  rmSync(tmp, { recursive: true, force: true });
});

const body = async (url: string, init?: RequestInit) => (await fetch(url, init)).text();
const lines = (s: string) => s.replace(/\n$/, '').split('\n');

/** A 127.0.0.1 port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

describe('metadata, fetched from the lab named by --lab', () => {
  it('adfs: FederationMetadata.xml exactly as AD FS serves it', async () => {
    const r = await run('metadata', 'adfs', '--lab', consoleUrl);
    expect(r.code, r.stderr).toBe(0);
    const served = await body(`${lab.urls.adfs}/FederationMetadata/2007-06/FederationMetadata.xml`);
    // Each fetch is signed afresh (new ID); the entity and its certificates are the same.
    const entity = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml').documentElement!;
    expect(entity(r.stdout).getAttribute('entityID')).toBe(lab.state.adfs!.identifier);
    expect(entity(r.stdout).localName).toBe('EntityDescriptor');
    const certs = (xml: string) => [...xml.matchAll(/<X509Certificate>([^<]+)</g)].map((m) => m[1]);
    expect(certs(r.stdout)).toEqual(certs(served));
    expect(r.stdout).toContain('<ds:Signature');
  });

  it('oidc: the discovery document of an issuer, and its JWKS', async () => {
    const dflt = await run('metadata', 'oidc', '--lab', consoleUrl);
    expect(dflt.code, dflt.stderr).toBe(0);
    expect(JSON.parse(dflt.stdout)).toEqual(JSON.parse(await body(`${lab.urls.oidc}/.well-known/openid-configuration`)));
    const ficam = await run('metadata', 'oidc', '--issuer', 'ficam', '--lab', consoleUrl);
    expect(JSON.parse(ficam.stdout).issuer).toBe(`${lab.urls.oidc}/ficam`);
    const jwks = await run('metadata', 'oidc', '--issuer', 'ficam', '--jwks', '--lab', consoleUrl);
    expect(JSON.parse(jwks.stdout)).toEqual(JSON.parse(await body(JSON.parse(ficam.stdout).jwks_uri)));
    expect(JSON.parse(jwks.stdout).keys.length).toBeGreaterThan(0);
  });

  it('ids: the SP metadata', async () => {
    const r = await run('metadata', 'ids', '--lab', consoleUrl);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd()).toBe((await body(`${lab.urls.ids}/ids/saml/metadata`)).trimEnd());
    expect(r.stdout).toContain('SPSSODescriptor');
  });

  it('cxone: the OP discovery and JWKS', async () => {
    const r = await run('metadata', 'cxone', '--lab', consoleUrl);
    expect(JSON.parse(r.stdout).issuer).toBe(lab.urls.cxone);
    const jwks = await run('metadata', 'cxone', '--jwks', '--lab', consoleUrl);
    expect(JSON.parse(jwks.stdout)).toEqual(JSON.parse(await body(`${lab.urls.cxone}/auth/jwks`)));
  });

  it('cxone --authenticator (SAML): SP metadata that matches the AD FS trust registered for it', async () => {
    const r = await run('metadata', 'cxone', '--authenticator', 'Lab AD FS', '--lab', consoleUrl);
    expect(r.code, r.stderr).toBe(0);
    const doc = new DOMParser().parseFromString(r.stdout, 'text/xml');
    const md = 'urn:oasis:names:tc:SAML:2.0:metadata';
    const entity = doc.documentElement!;
    expect(entity.namespaceURI).toBe(md);
    expect(entity.localName).toBe('EntityDescriptor');
    const acs = doc.getElementsByTagNameNS(md, 'AssertionConsumerService')[0]!;
    expect(acs.getAttribute('Binding')).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    const sp = doc.getElementsByTagNameNS(md, 'SPSSODescriptor')[0]!;
    expect(sp.getAttribute('AuthnRequestsSigned')).toBe('false');
    // The same values the lab's AD FS has for CXone's "Lab AD FS" authenticator (fixtures).
    const rp = lab.state.relyingParties.list().find((x) => x.identifiers.includes(entity.getAttribute('entityID')!));
    expect(rp, 'an AD FS trust with that identifier').toBeDefined();
    expect(rp!.endpoints.find((e) => e.kind === 'acs')!.url).toBe(acs.getAttribute('Location'));
    // And by id: the same document.
    const byId = await run('metadata', 'cxone', '--authenticator', '5b2e8c4d-7f1a-4c3b-8e9d-0a1b2c3d4e51', '--lab', consoleUrl);
    expect(byId.stdout).toBe(r.stdout);
  });

  it("cxone --authenticator (OIDC): client metadata that matches the lab OP's client for it", async () => {
    const r = await run('metadata', 'cxone', '--authenticator', 'lab oidc', '--lab', consoleUrl);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    const client = lab.state.oidcClients.list().find((c) => c.client_id === m.client_id)!;
    expect(m.redirect_uris).toEqual(client.redirect_uris);
    expect(m.post_logout_redirect_uris).toEqual(client.post_logout_redirect_uris);
    expect(m.token_endpoint_auth_method).toBe('client_secret_basic');
    expect(m.jwks_uri).toBeUndefined();
  });

  it('cxone --authenticator on a System authenticator: refused, one line', async () => {
    const r = await run('metadata', 'cxone', '--authenticator', 'System Default', '--lab', consoleUrl);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/is a System authenticator.*no metadata/);
  });

  it('cxone --authenticator unknown: one line listing the authenticators', async () => {
    const r = await run('metadata', 'cxone', '--authenticator', 'nope', '--lab', consoleUrl);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no CXone login authenticator 'nope' \(there are: 'System Default', 'Lab AD FS', 'Lab OIDC'/);
  });

  it("finesse: SystemInfo XML, read as the fixtures' non-SSO agent or with a token", async () => {
    const r = await run('metadata', 'finesse', '--lab', consoleUrl);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^<\?xml[^>]*\?>\s*<SystemInfo>/);
    expect(r.stdout).toContain('<deploymentType>UCCE</deploymentType>');
    const bad = await run('metadata', 'finesse', '--token', 'forged', '--lab', consoleUrl);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^idp-harness metadata: Finesse answered 401 at .*SystemInfo \(ERR_FINESSE_UNAUTHORIZED\)\n$/);
  });

  it('--out writes the file and prints nothing on stdout', async () => {
    const file = join(tmp, 'ids.xml');
    const r = await run('metadata', 'ids', '--lab', consoleUrl, '--out', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toContain('SPSSODescriptor');
  });
});

describe('metadata from the configured URLs (no --lab)', () => {
  it('uses each service’s publicUrl of the configuration', async () => {
    const cfg = join(tmp, 'lab.json');
    writeFileSync(cfg, JSON.stringify({ tls: { enabled: false }, adfs: { publicUrl: lab.urls.adfs }, oidc: { publicUrl: lab.urls.oidc } }));
    const r = await run('metadata', 'oidc', '--config', cfg);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).issuer).toBe(lab.urls.oidc);
  });

  it('nothing there: exit 1, one line that says to start the lab', async () => {
    const port = await closedPort();
    const cfg = join(tmp, 'closed.json');
    writeFileSync(cfg, JSON.stringify({ tls: { enabled: false }, adfs: { publicUrl: `http://127.0.0.1:${port}` } }));
    const r = await run('metadata', 'adfs', '--config', cfg);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot reach AD FS at http:\/\/127\.0\.0\.1:\d+\/FederationMetadata.* \(ECONNREFUSED\): start the lab/);
  });

  it('--lab at a port where nothing answers: one line', async () => {
    const port = await closedPort();
    const r = await run('metadata', 'adfs', '--lab', `http://127.0.0.1:${port}`);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`cannot reach the lab's console at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): start the lab`));
  });
});

describe('metadata over TLS', () => {
  it('trusts the lab CA (certs/ca.pem by default); another CA is refused with a --ca hint', async () => {
    const tlsLab = await startTestLab({ services: ['adfs', 'console'], tls: true });
    try {
      const ok = await run('metadata', 'adfs', '--lab', tlsLab.urls.console!);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('EntityDescriptor');
      const wrongCa = join(tmp, 'other-ca.pem');
      writeFileSync(wrongCa, tlsLab.state.pki.systems.adfs.signing.certPem);
      const bad = await run('metadata', 'adfs', '--lab', tlsLab.urls.console!, '--ca', wrongCa);
      expect(bad.code).toBe(1);
      expect(lines(bad.stderr)).toHaveLength(1);
      expect(bad.stderr).toMatch(/AD FS's TLS certificate at https:.* is not trusted \(.*\): pass --ca/);
      const notRunning = await run('metadata', 'oidc', '--lab', tlsLab.urls.console!);
      expect(notRunning.code).toBe(1);
      expect(notRunning.stderr).toMatch(/does not run oidc \(running: adfs, console\)/);
    } finally {
      await tlsLab.stop();
    }
  });
});

describe('usage errors: exit 2, one line', () => {
  for (const [argv, pattern] of [
    [[], /name a service: adfs, oidc, ids, cxone, finesse/],
    [['console'], /'console' has no metadata here/],
    [['adfs', 'extra'], /unexpected argument 'extra'/],
    [['adfs', '--issuer', 'ficam'], /--issuer is for oidc, not adfs/],
    [['ids', '--jwks'], /--jwks is for oidc or cxone, not ids/],
    [['oidc', '--authenticator', 'x'], /--authenticator is for cxone, not oidc/],
    [['cxone', '--jwks', '--authenticator', 'x'], /choose one/],
    [['adfs', '--frob'], /Unknown option '--frob'/],
  ] as const) {
    it(`metadata ${argv.join(' ')}`, async () => {
      const r = await run('metadata', ...argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).toContain("Run 'idp-harness metadata --help'.");
    });
  }

  it('an unknown issuer names the known ones', async () => {
    const r = await run('metadata', 'oidc', '--issuer', 'tenant-x', '--lab', consoleUrl);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--issuer tenant-x: the lab's issuers are default, ficam/);
  });

  it('--help', async () => {
    const r = await run('metadata', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^idp-harness metadata <adfs\|oidc\|ids\|cxone\|finesse>/);
  });
});
