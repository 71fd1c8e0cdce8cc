import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';

/**
 * Finesse takes a loginName or a loginId wherever a user is named (cc_username, Basic user names;
 * reference A.2.1), so the directory must never let one user's name be another's id: a user named
 * "1002" would otherwise sign in as themselves at AD FS and be served agent2's object at Finesse.
 */
describe('users directory: loginNames and loginIds never collide', () => {
  let lab: Lab;
  const post = (body: unknown) =>
    fetch(`${lab.urls.console}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const base = { password: 'Pw123456!', givenName: 'N', surname: 'N', upn: 'n@lab.example', email: 'n@lab.example' };
  beforeAll(async () => {
    lab = await startTestLab({ services: ['finesse', 'console'] });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('refuses a username that is another user\'s loginId (409), and a loginId that is another user\'s username', async () => {
    const clash = await post({ ...base, username: '1002' });
    expect(clash.status).toBe(409);
    expect(((await clash.json()) as { error: { code: string } }).error.code).toBe('ERR_CONTROL_CONFLICT');
    const reverse = await post({ ...base, username: 'agent9', finesse: { loginId: '77' } , upn: 'a9@lab.example', email: 'a9@lab.example' });
    expect(reverse.status).toBe(400); // extension is required: the schema speaks first
    const named = await post({ ...base, username: '4242', upn: 'b@lab.example', email: 'b@lab.example' });
    expect(named.status).toBe(201);
    const byId = await post({ ...base, username: 'agent9', upn: 'c@lab.example', email: 'c@lab.example', finesse: { loginId: '4242', extension: '9999' } });
    expect(byId.status).toBe(409);
    // Nothing was added by the refused writes.
    const names = ((await (await fetch(`${lab.urls.console}/api/users`)).json()) as Array<{ username: string }>).map((u) => u.username);
    expect(names).not.toContain('1002');
    expect(names).not.toContain('agent9');
  });
});
