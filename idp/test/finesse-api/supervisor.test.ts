import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { elements, expectApiError, FinesseLab, names, one, text, userBody } from './finesse-lab.js';

/**
 * Supervisor rules of the User API (reference A.2.4): supervisor1 supervises Team Sales (agent1)
 * and Team Support (agent2), not nonsso1 (no team). On an agent of their team a supervisor may
 * set READY, NOT_READY (no reason code: Finesse supplies 999 on UCCE, 33 on UCCX) and LOGOUT;
 * outside their teams the answer is 401 Invalid Supervisor.
 */

let f: FinesseLab;
beforeAll(async () => {
  f = await FinesseLab.start();
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());

const asSupervisor = (loginId: string, fields: Record<string, string>) => f.put('supervisor1', `/User/${loginId}`, userBody(fields));

describe('a supervisor on an agent of their team', () => {
  it('sets READY, NOT_READY (reason 999 injected) and LOGOUT', async () => {
    await f.login('agent1');
    expect((await asSupervisor('1001', { state: 'READY' })).status).toBe(202);
    expect(await f.state('agent1')).toBe('READY');
    const res = await asSupervisor('1001', { state: 'NOT_READY' });
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    const u = await f.user('agent1');
    expect(text(u, 'state')).toBe('NOT_READY');
    expect(text(u, 'reasonCodeId')).toBe('999');
    expect(text(one(u, 'ReasonCode'), 'code')).toBe('999');
    expect(text(one(u, 'ReasonCode'), 'systemCode')).toBe('true');
    expect((await asSupervisor('1001', { state: 'LOGOUT' })).status).toBe(202);
    expect(await f.state('agent1')).toBe('LOGOUT');
  });

  it('works for every team supervised (agent2 is in Team Support)', async () => {
    await f.login('agent2');
    expect((await asSupervisor('1002', { state: 'READY' })).status).toBe(202);
    expect(await f.state('agent2')).toBe('READY');
  });

  it('cannot give a reason code: 400 Invalid Input', async () => {
    await f.ready('agent1');
    const data = expectApiError(await asSupervisor('1001', { state: 'NOT_READY', reasonCodeId: '1' }), 400, 'ERR_FINESSE_INVALID_INPUT', 'Invalid Input');
    expect(data).toBe('reasonCodeId');
    expect(await f.state('agent1')).toBe('READY');
  });

  it.each(['LOGIN', 'WORK', 'WORK_READY'])('cannot request %s for the agent: 400 Invalid Input', async (state) => {
    await f.ready('agent1');
    const fields: Record<string, string> = state === 'LOGIN' ? { state, extension: f.extensionOf('agent1') } : { state };
    expectApiError(await asSupervisor('1001', fields), 400, 'ERR_FINESSE_INVALID_INPUT', 'Invalid Input');
  });

  it("follows the state rules (refused asynchronously, on the supervisor's own node): nothing but LOGIN for a signed-out agent, LOGOUT only from NOT_READY", async () => {
    f.expectCtiRefusal(await asSupervisor('1001', { state: 'READY' }), 'supervisor1', 'CF_INVALID_OBJECT_STATE');
    // The refusal names the agent it was about.
    expect(f.changes.at(-1)!.source).toBe('/finesse/api/User/1001');
    await f.ready('agent1');
    f.expectCtiRefusal(await asSupervisor('1001', { state: 'LOGOUT' }), 'supervisor1', 'CF_INVALID_OBJECT_STATE');
    expect(await f.state('agent1')).toBe('READY');
  });

  it("reads the agent's User object", async () => {
    await f.login('agent2');
    const res = await f.get('supervisor1', '/User/1002');
    expect(res.status).toBe(200);
    expect(text(res.root!, 'loginId')).toBe('1002');
    expect(text(res.root!, 'state')).toBe('NOT_READY');
  });
});

describe('a supervisor outside their teams', () => {
  it('cannot change the state: 401 Invalid Supervisor', async () => {
    await f.ready('nonsso1');
    expectApiError(await asSupervisor('1003', { state: 'NOT_READY' }), 401, 'ERR_FINESSE_INVALID_SUPERVISOR', 'Invalid Supervisor');
    expect(await f.state('nonsso1')).toBe('READY');
  });

  it('cannot read the User, its dialogs or its reason codes: 401 Invalid Supervisor', async () => {
    for (const path of ['/User/1003', '/User/1003/Dialogs', '/User/1003/ReasonCodes?category=ALL']) {
      expectApiError(await f.get('supervisor1', path), 401, 'ERR_FINESSE_INVALID_SUPERVISOR', 'Invalid Supervisor');
    }
  });
});

describe("an agent and the supervisor's objects", () => {
  it("an agent cannot read the supervisor's or a team mate's User: 401 Invalid Authorization User Specified", async () => {
    expectApiError(await f.get('agent1', '/User/2001'), 401, 'ERR_FINESSE_WRONG_USER', 'Invalid Authorization User Specified');
    expectApiError(await f.get('agent2', '/User/1001'), 401, 'ERR_FINESSE_WRONG_USER', 'Invalid Authorization User Specified');
    expectApiError(await f.put('agent1', '/User/2001', userBody({ state: 'READY' })), 401, 'ERR_FINESSE_WRONG_USER', 'Invalid Authorization User Specified');
  });
});

describe("the supervisor's own object and state", () => {
  it('has the Agent and Supervisor roles and lists the supervised teams', async () => {
    const u = await f.user('supervisor1');
    expect(elements(one(u, 'roles')).map((r) => r.textContent)).toEqual(['Agent', 'Supervisor']);
    const teams = elements(one(u, 'teams'));
    expect(teams.map((t) => t.tagName)).toEqual(['Team', 'Team']);
    expect(teams.map((t) => text(t, 'name'))).toEqual(['Sales', 'Support']);
    for (const t of teams) {
      expect(names(t)).toEqual(['id', 'name', 'uri']);
      expect(text(t, 'id')).toMatch(/^\d+$/);
      expect(text(t, 'uri')).toBe(`/finesse/api/Team/${text(t, 'id')}`);
    }
    expect(text(u, 'teamName')).toBe('Sales');
    expect(text(u, 'teamId')).toBe(text(teams[0]!, 'id'));
  });

  it("an agent's teams list is empty and its team is its Team group", async () => {
    const u = await f.user('agent2');
    expect(elements(one(u, 'teams'))).toEqual([]);
    expect(text(u, 'teamName')).toBe('Support');
    expect(elements(one(u, 'roles')).map((r) => r.textContent)).toEqual(['Agent']);
  });

  it('signs in and goes NOT_READY with a reason code of their own, like any agent', async () => {
    await f.login('supervisor1');
    await f.setState('supervisor1', 'READY');
    await f.setState('supervisor1', 'NOT_READY', { reasonCodeId: '3' });
    const u = await f.user('supervisor1');
    expect(text(u, 'reasonCodeId')).toBe('3');
  });
});

describe('UCCX', () => {
  let x: FinesseLab;
  beforeAll(async () => {
    x = await FinesseLab.start({ deploymentType: 'UCCX' });
  });
  afterAll(() => x?.stop());

  it('a supervisor-set NOT_READY carries reason 33', async () => {
    await x.ready('agent1');
    expect((await x.put('supervisor1', '/User/1001', userBody({ state: 'NOT_READY' }))).status).toBe(202);
    expect(text(await x.user('agent1'), 'reasonCodeId')).toBe('33');
  });
});
