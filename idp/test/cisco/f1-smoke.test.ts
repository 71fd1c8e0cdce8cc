import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinesseSsoClient } from '../../../harness/src/clients/finesse/sso-token-client.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';

/** DESIGN F1–F3 end to end through HTTP with the reference client: token, refresh at 75%, REST. */
describe('Finesse SSO through IdS and AD FS (F1–F3)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('acquires a token, refreshes it after 75% of its lifetime on the lab clock, and calls the REST API with it', async () => {
    const clock = lab.state.clock;
    const client = new FinesseSsoClient({ finesseUrl: lab.urls.finesse!, username: 'agent1', password: 'Agent1Pass!', now: () => clock.now() });
    const first = await client.acquire();
    expect(first.userId).toBe('agent1');
    expect(first.userPrincipal).toBe('agent1@lab.example');
    expect(first.realm).toBe('lab.example');
    expect(first.expiresIn).toBe(3600);
    expect(first.refreshToken).toBeTruthy();
    expect(client.refreshDue()).toBe(false);
    clock.advance(0.76 * 3600_000);
    expect(client.refreshDue()).toBe(true);
    const second = await client.token();
    expect(second).not.toBe(first.token);
    const res = await fetch(`${lab.urls.finesse}/finesse/api/User/1001`, { headers: { authorization: `Bearer ${second}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<loginId>1001</loginId>');
  });
});
