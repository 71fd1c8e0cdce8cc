import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenOutputProblems } from './helpers/cli-output-schemas.js';
import { run } from './helpers/run-cli.js';
import { startTestLab } from '../src/start-lab.js';
import type { Lab } from '../../idp/src/lab.js';

/**
 * `idp-harness token` (the Finesse kind, its default) in-process (`main(argv)` resolves to the exit code; stdout/stderr are
 * captured by spying on process.stdout/stderr): it signs a user in through the lab's Finesse SSO
 * flow (Finesse → IdS → AD FS) and prints the access token, which Finesse's REST API must accept
 * as a Bearer token (docs/cisco.md "Try it by hand"). Failures are one line on stderr, exit 1.
 */


/** Lines of an output, without the final newline. */
function lines(s: string): string[] {
  return s.replace(/\n$/, '').split('\n');
}

/** A 127.0.0.1 port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

const saved: Record<string, string | undefined> = {};
let lab: Lab;

beforeAll(async () => {
  // A developer's own IDP_HARNESS_* (e.g. a config file) must not change what these tests see.
  for (const k of Object.keys(process.env)) {
    if (k.startsWith('IDP_HARNESS')) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
  }
  lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: false });
});
afterAll(async () => {
  await lab?.stop();
  Object.assign(process.env, saved);
});

/** GET /finesse/api/User/<id> with the printed token. */
async function restStatus(token: string, id = '1001'): Promise<number> {
  const res = await fetch(`${lab.urls.finesse}/finesse/api/User/${id}`, { headers: { authorization: `Bearer ${token}` } });
  return res.status;
}

describe('idp-harness token', () => {
  it('prints one line, a token that Finesse REST accepts as Bearer, and exits 0', async () => {
    const r = await run('token', '--user', 'agent1', '--finesse', lab.urls.finesse!, '--password', 'Agent1Pass!');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout).length).toBe(1);
    const token = r.stdout.trim();
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(await restStatus(token)).toBe(200);
    // It is agent1's: another agent's object is refused.
    expect(await restStatus(token, '1002')).toBe(401);
  });

  it('--json prints Finesse\'s JSON with refresh_token', async () => {
    const r = await run('token', '--user', 'agent1', '--finesse', lab.urls.finesse!, '--password', 'Agent1Pass!', '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(j).sort()).toEqual(['expires_in', 'realm', 'refresh_token', 'token', 'user_id', 'user_principal']);
    expect(tokenOutputProblems(j, 'finesse')).toEqual([]);
    expect(j['user_id']).toBe('agent1');
    expect(j['expires_in']).toBe(3600);
    expect(typeof j['refresh_token']).toBe('string');
    expect(await restStatus(String(j['token']))).toBe(200);
  });

  it('takes the password from the users fixture when --password is omitted, also for a loginId', async () => {
    const r = await run('token', '--user', 'agent2', '--finesse', lab.urls.finesse!);
    expect(r.code, r.stderr).toBe(0);
    expect(await restStatus(r.stdout.trim(), '1002')).toBe(200);
    const byLoginId = await run('token', '-u', '1001', '--finesse', lab.urls.finesse!);
    expect(byLoginId.code, byLoginId.stderr).toBe(0);
    expect(await restStatus(byLoginId.stdout.trim(), '1001')).toBe(200);
  });

  it('--help prints the usage and exits 0', async () => {
    const r = await run('token', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^idp-harness token --user <name>/);
    expect(r.stdout).toContain('--password');
    expect(r.stderr).toBe('');
  });

  it('without --user: exit 2 and one line on stderr', async () => {
    const r = await run('token', '--finesse', lab.urls.finesse!);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr).length).toBe(1);
    expect(r.stderr).toMatch(/--user/);
  });

  it('Finesse unreachable: exit 1 and one line that says to start the lab', async () => {
    const r = await run('token', '--user', 'agent1', '--finesse', `http://127.0.0.1:${await closedPort()}`);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr).length).toBe(1);
    expect(r.stderr).toMatch(/start the lab/);
  });

  it('a non-SSO user (nonsso1): exit 1, one line with Finesse\'s refusal', async () => {
    const r = await run('token', '--user', 'nonsso1', '--finesse', lab.urls.finesse!);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr).length).toBe(1);
    expect(r.stderr).toContain('ERR_FINESSE_SSO_NOT_SSO_USER');
  });

  it('a wrong password: exit 1, one line, no token printed', async () => {
    const r = await run('token', '--user', 'agent1', '--finesse', lab.urls.finesse!, '--password', 'not-the-password');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr).length).toBe(1);
    expect(r.stderr).toContain('ERR_SAML_LOGIN_FAILED');
  });
});
