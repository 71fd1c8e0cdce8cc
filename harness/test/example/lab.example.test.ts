// The README's example suite ("In your test suite"), run as a real test. The README shows the same
// code importing from 'idp-harness'; keep the two in step.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { finesseToken, FinesseSsoError, startLab, type RunningLab } from '../../src/index.js';

describe('a Finesse desktop against the lab', () => {
  let lab: RunningLab;

  beforeAll(async () => {
    // AD FS, Cisco IdS and Finesse on free ports, plain HTTP; the console (control API) comes too.
    lab = await startLab({ services: ['adfs', 'ids', 'finesse'] });
  });
  afterAll(() => lab.stop());
  // Each test starts from the fixtures: users, faults and the clock are put back.
  afterEach(() => lab.control.reset());

  const agent9 = {
    username: 'agent9', password: 'Agent9Pass!', upn: 'agent9@lab.example', email: 'agent9@lab.example',
    givenName: 'Nina', surname: 'Agent', finesse: { loginId: '1009', extension: '3009' },
  };
  const finesseUser = (id: string, token: string) =>
    fetch(`${lab.urls.finesse}/finesse/api/User/${id}`, { headers: { authorization: `Bearer ${token}` } });

  it('a new agent signs in through AD FS and reads their Finesse user', async () => {
    await lab.control.users.add(agent9);
    const t = await finesseToken({ finesseUrl: lab.urls.finesse!, username: 'agent9', password: 'Agent9Pass!' });
    expect((await finesseUser('1009', t.accessToken)).status).toBe(200);
  });

  it('a queued fault: AD FS sends an expired assertion once, and IdS refuses it', async () => {
    await lab.control.faults.add({ surface: 'adfs', kind: 'expired-assertion' });
    const signIn = () => finesseToken({ finesseUrl: lab.urls.finesse!, username: 'agent1', password: 'Agent1Pass!' });
    const refused = await signIn().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FinesseSsoError);
    expect((refused as FinesseSsoError).code).toBe('ERR_IDS_SAML_EXPIRED');
    expect(await lab.control.faults.list()).toEqual([]); // one-shot: used up
    await expect(signIn()).resolves.toMatchObject({ kind: 'finesse' });
  });

  it('the lab clock: a token is refused once its hour has passed, with no sleeping', async () => {
    const t = await finesseToken({ finesseUrl: lab.urls.finesse!, username: 'agent1', password: 'Agent1Pass!' });
    expect((await finesseUser('1001', t.accessToken)).status).toBe(200);
    await lab.control.clock.advance(61 * 60_000);
    expect((await finesseUser('1001', t.accessToken)).status).toBe(401);
  });

  it('reset: back to the fixtures', async () => {
    await lab.control.users.add(agent9);
    await lab.control.clock.advance(60_000);
    await lab.control.reset();
    await expect(lab.control.users.get('agent9')).rejects.toMatchObject({ code: 'ERR_CONTROL_NOT_FOUND' });
    expect((await lab.control.clock.state()).offsetMs).toBe(0);
  });
});
