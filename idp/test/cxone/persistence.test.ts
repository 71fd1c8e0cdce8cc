import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative as relativePath } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { IdpError } from '../../src/shared/errors.js';
import { projectRoot } from '../../src/shared/paths.js';
import { adminApi, FIXTURE, oidcAuthenticator, samlAuthenticator } from './admin-helpers.js';
import { signedInAs, signIn } from './system-helpers.js';

/**
 * The state directory (DESIGN §3, issue 6 "What an admin creates survives a restart"): what the
 * admin API changes is in `<stateDir>/cxone.json`, written atomically; a new lab on the same
 * directory starts from it; a reset goes back to the fixtures and rewrites it; a corrupt file
 * stops the start with its path; without a state directory nothing is written.
 */

const root = mkdtempSync(join(tmpdir(), 'idp-harness-cxone-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const running: Lab[] = [];
async function start(stateDir: string | undefined): Promise<Lab> {
  const lab = await startTestLab({ services: ['adfs', 'oidc', 'cxone'], config: stateDir ? { stateDir } : {} });
  running.push(lab);
  return lab;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((l) => l.stop()));
});

const stateFile = (dir: string) => join(dir, 'cxone.json');
const saved = (dir: string) => JSON.parse(readFileSync(stateFile(dir), 'utf8')) as { version: number; authenticators: Array<{ id: string; name: string }>; users: Array<{ id: string; username: string }> };
const leftovers = (dir: string) => readdirSync(dir).filter((f) => f !== 'cxone.json');

describe('CXone state directory', () => {
  it('keeps authenticators, users and a changed password across a restart; the password still signs in', async () => {
    const dir = mkdtempSync(join(root, 'restart-'));
    const a = await start(dir);
    // the first start writes the fixtures, so that the file always describes what runs
    expect(saved(dir).authenticators.map((x) => x.id).sort()).toEqual([FIXTURE.systemDefault, FIXTURE.labAdfs, FIXTURE.labOidc].sort());
    expect(statSync(stateFile(dir)).mode & 0o777).toBe(0o600);

    const saml = await adminApi(a, 'POST', '/login-authenticators', samlAuthenticator(a));
    const oidc = await adminApi(a, 'POST', '/login-authenticators', oidcAuthenticator({}, { clientAuthMethod: 'private_key_jwt', clientSecret: undefined, clientSecretConfirm: undefined }));
    expect([saml.status, oidc.status]).toEqual([201, 201]);
    const user = await adminApi(a, 'POST', '/users', {
      username: 'kept@lab.example', email: 'kept@lab.example', firstName: 'Kept', lastName: 'User', loginAuthenticatorId: saml.json.id, externalIdentity: 'kept-nameid', active: true,
    });
    expect(user.status, user.text).toBe(201);
    const reset = await adminApi(a, 'POST', `/users/${FIXTURE.sam}/password`, { password: 'Blue-Harbor-77', mustChangePassword: false });
    expect(reset.status, reset.text).toBe(200);
    await adminApi(a, 'PATCH', `/login-authenticators/${FIXTURE.systemDefault}`, { system: { password: { minLength: 8, history: 2 } } });
    await adminApi(a, 'DELETE', `/users/${FIXTURE.agent2}`);
    // Each test lab listens on new ephemeral ports: the generated URLs follow CXone's own base URL.
    const state = async (lab: Lab) =>
      JSON.parse(JSON.stringify([(await adminApi(lab, 'GET', '/login-authenticators')).json, (await adminApi(lab, 'GET', '/users')).json]).replaceAll(lab.urls.cxone!, '<cxone>'));
    const before = await state(a);
    expect(JSON.stringify(before)).toContain('"acsUrl":"<cxone>/auth/authorize?tenantId=');
    expect(leftovers(dir)).toEqual([]); // every write went through a temporary file and a rename
    await a.stop();

    const b = await start(dir);
    expect(await state(b)).toEqual(before);
    // the generated key pair is the same one (what was registered at the IdP stays valid)
    expect((await adminApi(b, 'GET', `/login-authenticators/${oidc.json.id}`)).json.oidc.clientAssertionKey).toEqual(oidc.json.oidc.clientAssertionKey);
    // the new password signs in; the old one does not
    const ua = new UserAgent();
    await signIn(ua, b, 'sam.system@lab.example', 'Blue-Harbor-77');
    expect(await signedInAs(ua, b)).toBe('sam.system@lab.example');
    const old = new UserAgent();
    const refused = await signIn(old, b, 'sam.system@lab.example', 'Lab-Entry-42');
    expect(refused.headers['x-idp-harness-error']).toBe('ERR_CXONE_LOGIN_BAD_PASSWORD');
    // and the history came along: the old password cannot be chosen again
    const reuse = await adminApi(b, 'POST', `/users/${FIXTURE.sam}/password`, { password: 'Lab-Entry-42' });
    expect(reuse.json.code).toBe('ERR_CXONE_PASSWORD_REUSED');
    expect(leftovers(dir)).toEqual([]);
  });

  it('a reset goes back to the fixtures and rewrites the file; a rejected change writes nothing', async () => {
    const dir = mkdtempSync(join(root, 'reset-'));
    const lab = await start(dir);
    const created = await adminApi(lab, 'POST', '/login-authenticators', { name: 'Temporary', type: 'System' });
    expect(saved(dir).authenticators.map((x) => x.name)).toContain('Temporary');

    const bytes = readFileSync(stateFile(dir), 'utf8');
    const mtime = statSync(stateFile(dir)).mtimeMs;
    const refused = await adminApi(lab, 'POST', '/login-authenticators', { name: 'temporary', type: 'System' });
    expect(refused.json.code).toBe('ERR_CXONE_NAME_TAKEN');
    expect(readFileSync(stateFile(dir), 'utf8')).toBe(bytes);
    expect(statSync(stateFile(dir)).mtimeMs).toBe(mtime);

    lab.state.reset();
    expect(saved(dir).authenticators.map((x) => x.name).sort()).toEqual(['Lab AD FS', 'Lab OIDC', 'System Default']);
    expect(saved(dir).users.map((u) => u.id)).toContain(FIXTURE.agent2);
    expect((await adminApi(lab, 'GET', `/login-authenticators/${created.json.id}`)).status).toBe(404);
    await lab.stop();
    const again = await start(dir);
    expect((await adminApi(again, 'GET', `/login-authenticators/${created.json.id}`)).status).toBe(404);
  });

  it('a temporary file left by a crash mid-write is ignored: the last complete state loads', async () => {
    const dir = mkdtempSync(join(root, 'crash-'));
    const lab = await start(dir);
    await adminApi(lab, 'POST', '/login-authenticators', { name: 'Before the crash', type: 'System' });
    await lab.stop();
    // what a process killed between write(2) and rename(2) leaves behind
    writeFileSync(`${stateFile(dir)}.99999.tmp`, '{"version":1,"authenticators":[{"id":"x", "na');
    const next = await start(dir);
    const names = (await adminApi(next, 'GET', '/login-authenticators')).json.loginAuthenticators.map((a: { name: string }) => a.name);
    expect(names).toContain('Before the crash');
  });

  for (const [title, content, problem] of [
    ['is not JSON', '{"version":1,"authenticators":[', /cannot be read/],
    ['is empty', '', /cannot be read/],
    ['is JSON of another shape', '{"hello":"world"}', /unsupported version/],
    ['has a list that is not one', '{"version":1,"authenticators":{},"users":[],"applications":[]}', /"authenticators" is not a list/],
    ['has a record without its id', '{"version":1,"authenticators":[],"users":[{"username":"x"}],"applications":[]}', /users\[0\] has no "id"/],
  ] as const) {
    it(`a state file that ${title} stops the start with ERR_CXONE_STATE_FILE naming the file`, async () => {
      const dir = mkdtempSync(join(root, 'corrupt-'));
      writeFileSync(stateFile(dir), content);
      const e = await startTestLab({ services: ['cxone'], config: { stateDir: dir } }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(IdpError);
      expect((e as IdpError).code).toBe('ERR_CXONE_STATE_FILE');
      expect((e as IdpError).message).toContain(stateFile(dir));
      expect((e as IdpError).message).toMatch(problem);
      // the file is left as it was, for the admin to look at
      expect(readFileSync(stateFile(dir), 'utf8')).toBe(content);
      // and the ports were released: a lab on a good directory starts
      const ok = await start(mkdtempSync(join(root, 'after-corrupt-')));
      expect((await adminApi(ok, 'GET', '/users')).status).toBe(200);
    });
  }

  it('without a state directory nothing is written, and nothing survives a restart', async () => {
    const lab = await start(undefined);
    expect(lab.config.stateDir).toBeUndefined();
    expect(lab.state.cxone!.store.persistent).toBe(false);
    const created = await adminApi(lab, 'POST', '/login-authenticators', { name: 'Memory only', type: 'System' });
    expect(created.status).toBe(201);
    for (const candidate of ['cxone.json', 'state/cxone.json', 'fixtures/cxone.json', 'fixtures/cxone/cxone.json']) {
      expect(existsSync(join(projectRoot, candidate)), candidate).toBe(false);
    }
    await lab.stop();
    const next = await start(undefined);
    expect((await adminApi(next, 'GET', `/login-authenticators/${created.json.id}`)).status).toBe(404);
  });

  it('a relative stateDir is resolved from the project root', async () => {
    const dir = mkdtempSync(join(root, 'relative-'));
    const relative = relativePath(projectRoot, dir);
    expect(relative.startsWith('..')).toBe(true);
    const lab = await start(relative);
    expect(lab.config.stateDir).toBe(relative);
    expect(existsSync(stateFile(dir))).toBe(true);
  });
});
