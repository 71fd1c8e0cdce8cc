import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../idp/src/lab.js';
import { startTestLab } from '../src/start-lab.js';
import { tokenOutputProblems } from './helpers/cli-output-schemas.js';
import { run } from './helpers/run-cli.js';

/**
 * `idp-harness token --kind ids|oidc|cxone` in-process against an in-process lab. Every printed
 * token is then used the way a client would: at the issuer's userinfo endpoint or Finesse's REST
 * API, so a token that merely looks right fails. `--json` answers are checked against
 * harness/schemas/token-output.schema.json.
 */

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
});

const lines = (s: string) => s.replace(/\n$/, '').split('\n');
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/** Runs `token` and expects success: its one output line (or parsed JSON with --json). */
async function token(...argv: string[]): Promise<string> {
  const r = await run('token', '--lab', consoleUrl, ...argv);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  if (!argv.includes('--json')) expect(lines(r.stdout)).toHaveLength(1);
  return r.stdout.trim();
}

async function userinfo(url: string, accessToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('--kind ids: a token from Cisco IdS for another IdS client', () => {
  it("prints IdS's access token; --json is IdS's own answer; IdS records it for that client", async () => {
    const json = JSON.parse(await token('--kind', 'ids', '--user', 'agent1', '--json')) as Record<string, unknown>;
    expect(tokenOutputProblems(json, 'ids')).toEqual([]);
    expect(json['token_type']).toBe('Bearer');
    expect(json['expires_in']).toBe(3600);
    const issued = (await (await fetch(`${consoleUrl}/api/ids/tokens`)).json()) as unknown;
    const sampleDesktop = '3c5e7a9b1d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c';
    expect(JSON.stringify(issued)).toContain(sampleDesktop);
    // An IdS access token is what Finesse takes as Bearer (docs/cisco.md, F3): this one too.
    const plain = await token('--kind', 'ids', '--user', 'agent1');
    const res = await fetch(`${lab.urls.finesse}/finesse/api/User/1001`, { headers: { authorization: `Bearer ${plain}` } });
    expect(res.status).toBe(200);
  });

  it('--client by name; a wrong password is one line with the IdP refusal', async () => {
    expect(await token('--kind', 'ids', '--user', 'agent2', '--client', 'Sample third-party desktop')).toMatch(/^[A-Za-z0-9._-]+$/);
    const r = await run('token', '--lab', consoleUrl, '--kind', 'ids', '--user', 'agent1', '--password', 'wrong');
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/the user name or password was refused/);
  });
});

describe('--kind oidc: the lab OpenID provider', () => {
  it('sample-web (client_secret_basic), code + PKCE: an access token userinfo accepts, and its ID token', async () => {
    const access = await token('--kind', 'oidc', '--user', 'agent1');
    const info = await userinfo(`${lab.urls.oidc}/me`, access);
    expect(info.status).toBe(200);
    expect(info.body['sub']).toBe('agent1');
    const id = await token('--kind', 'oidc', '--user', 'agent1', '--id-token');
    expect(claims(id)).toMatchObject({ iss: lab.urls.oidc, aud: 'sample-web', sub: 'agent1' });
    const json = JSON.parse(await token('--kind', 'oidc', '--user', 'agent1', '--json', '--scope', 'openid offline_access'));
    expect(tokenOutputProblems(json, 'oidc')).toEqual([]);
    expect(typeof json.refresh_token).toBe('string');
  });

  it('private_key_jwt (sample-jwt, the fixture key) and a public client (sample-spa)', async () => {
    expect(claims(await token('--kind', 'oidc', '--client', 'sample-jwt', '--user', 'agent2', '--id-token'))).toMatchObject({ aud: 'sample-jwt', sub: 'agent2' });
    expect(claims(await token('--kind', 'oidc', '--client', 'sample-spa', '--user', 'agent1', '--id-token'))).toMatchObject({ aud: 'sample-spa' });
  });

  it("ficam-rp: the client's own issuer (FICAM profile)", async () => {
    const id = claims(await token('--kind', 'oidc', '--client', 'ficam-rp', '--user', 'agent2', '--id-token'));
    expect(id['iss']).toBe(`${lab.urls.oidc}/ficam`);
    expect(id['acr']).toBeDefined();
  });

  it('sample-service without a user: client_credentials; it has no ID token', async () => {
    const json = JSON.parse(await token('--kind', 'oidc', '--client', 'sample-service', '--json'));
    expect(tokenOutputProblems(json, 'oidc')).toEqual([]);
    expect(json.id_token).toBeUndefined();
    const r = await run('token', '--lab', consoleUrl, '--kind', 'oidc', '--client', 'sample-service', '--id-token');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no ID token/);
  });

  it('a user added to the running lab at run time signs in (its password comes from the lab)', async () => {
    const user = { username: 'runtime1', password: 'Runtime1Pass!', upn: 'runtime1@lab.example', email: 'runtime1@lab.example', givenName: 'R', surname: 'T' };
    const added = await fetch(`${consoleUrl}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
    expect(added.status).toBe(201);
    expect(claims(await token('--kind', 'oidc', '--user', 'runtime1', '--id-token'))['sub']).toBe('runtime1');
  });

  it('refusals: one line each', async () => {
    const wrong = await run('token', '--lab', consoleUrl, '--kind', 'oidc', '--user', 'agent1', '--password', 'nope');
    expect(wrong.code).toBe(1);
    expect(lines(wrong.stderr)).toHaveLength(1);
    expect(wrong.stderr).toMatch(/refused/);
    const noUser = await run('token', '--lab', consoleUrl, '--kind', 'oidc');
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toMatch(/--user is required for the code flow of sample-web/);
    const unknown = await run('token', '--lab', consoleUrl, '--kind', 'oidc', '--client', 'nope', '--user', 'agent1');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no OIDC client 'nope'/);
    const badIssuer = await run('token', '--lab', consoleUrl, '--kind', 'oidc', '--user', 'agent1', '--issuer', 'ficam');
    expect(badIssuer.code).toBe(2);
    expect(badIssuer.stderr).toMatch(/client sample-web belongs to issuer 'default', not 'ficam'/);
  });
});

describe('--kind cxone: CXone as an OpenID provider', () => {
  it('a System user (password page), its token accepted by /auth/userinfo', async () => {
    const access = await token('--kind', 'cxone', '--user', 'sam.system@lab.example');
    const info = await userinfo(`${lab.urls.cxone}/auth/userinfo`, access);
    expect(info.status).toBe(200);
    expect(JSON.stringify(info.body)).toContain('3d2a9f10-6b7c-4d8e-9f01-a2b3c4d5e6f7');
  });

  it('federated users: SAML through AD FS, and OIDC through the lab OP', async () => {
    const saml = claims(await token('--kind', 'cxone', '--user', 'agent1@lab.example', '--id-token'));
    expect(saml['sub']).toBe('user:4e3b0a21-7c8d-4e9f-8a12-b3c4d5e6f708');
    const viaOidc = claims(await token('--kind', 'cxone', '--user', 'agent2@lab.example', '--id-token'));
    expect(viaOidc['sub']).toBe('user:5f4c1b32-8d9e-4f0a-9b23-c4d5e6f70819');
  });

  it('the access-key password grant: for an integration user, or --access-key', async () => {
    const json = JSON.parse(await token('--kind', 'cxone', '--user', 'integration@lab.example', '--json'));
    expect(tokenOutputProblems(json, 'cxone')).toEqual([]);
    expect((await userinfo(`${lab.urls.cxone}/auth/userinfo`, json.access_token)).status).toBe(200);
    const byKey = await token('--kind', 'cxone', '--access-key', 'AK7QX4VN2M5LJ3ZP8R6TW');
    expect(claims(byKey)['sub']).toBe('user:6a5d2c43-9e0f-4a1b-8c34-d5e6f708192a');
    const wrong = await run('token', '--lab', consoleUrl, '--kind', 'cxone', '--access-key', 'AK7QX4VN2M5LJ3ZP8R6TW', '--password', 'bad');
    expect(wrong.code).toBe(1);
    expect(lines(wrong.stderr)).toHaveLength(1);
    expect(wrong.stderr).toMatch(/ERR_CXONE_OP_INVALID_GRANT/);
  });

  it('a wrong System password: one line, nothing on stdout', async () => {
    const r = await run('token', '--lab', consoleUrl, '--kind', 'cxone', '--user', 'sam.system@lab.example', '--password', 'Wrong-Entry-1');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toHaveLength(1);
  });
});

describe('a lab that does not answer', () => {
  it('each kind: exit 1, one line that says to start the lab', async () => {
    const srv = createServer();
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const port = (srv.address() as { port: number }).port;
    await new Promise((resolve) => srv.close(resolve));
    const dir = mkdtempSync(join(tmpdir(), 'idp-harness-token-'));
    const cfg = join(dir, 'closed.json');
    const url = `http://127.0.0.1:${port}`;
    writeFileSync(cfg, JSON.stringify({ tls: { enabled: false }, ids: { publicUrl: url }, oidc: { publicUrl: url }, cxone: { publicUrl: url } }));
    try {
      for (const argv of [['--kind', 'ids', '--user', 'agent1'], ['--kind', 'oidc', '--user', 'agent1'], ['--kind', 'cxone', '--user', 'sam.system@lab.example'], ['--kind', 'cxone', '--user', 'integration@lab.example']]) {
        const r = await run('token', '--config', cfg, ...argv);
        expect(r.code, argv.join(' ')).toBe(1);
        expect(lines(r.stderr), argv.join(' ')).toHaveLength(1);
        expect(r.stderr, argv.join(' ')).toMatch(/cannot reach .* \(ECONNREFUSED\): start the lab/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('usage errors: exit 2, one line', () => {
  for (const [argv, pattern] of [
    [['--kind', 'saml', '--user', 'agent1'], /--kind saml: one of finesse, ids, oidc, cxone/],
    [['--user', 'agent1', '--issuer', 'ficam'], /--issuer is for --kind oidc, not finesse/],
    [['--kind', 'ids', '--id-token', '--user', 'agent1'], /--id-token is for --kind oidc or cxone, not ids/],
    [['--kind', 'ids'], /--user is required/],
    [['--kind', 'cxone'], /--user is required \(a CXone user name\), or --access-key/],
    [['--kind', 'oidc', '--user', 'agent1', '--json', '--id-token'], /choose one/],
  ] as const) {
    it(`token ${argv.join(' ')}`, async () => {
      const r = await run('token', '--lab', consoleUrl, ...argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    });
  }
});
