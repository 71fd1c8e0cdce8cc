import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectApiError, FinesseLab, one, text, userBody } from './finesse-lab.js';

/**
 * The agent state machine of `PUT /finesse/api/User/<id>` (reference A.2.4), driven over HTTP as
 * the agent themselves: agent1 with an IdS Bearer token, nonsso1 with Basic. Every accepted
 * request is 202 with an empty body; every refusal is the documented status and ErrorType.
 */

let f: FinesseLab;
beforeAll(async () => {
  f = await FinesseLab.start();
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());

const put = (as: string, fields: Record<string, string>) => f.put(as, `/User/${f.loginIdOf(as)}`, userBody(fields));

describe.each(['agent1', 'nonsso1'])('as %s', (agent) => {
  it('LOGIN with the own extension lands in NOT_READY: 202, empty body, extension, reasonCodeId -1, lab-clock time', async () => {
    f.lab.state.clock.freeze(Date.parse('2031-02-03T04:05:06.789Z'));
    const res = await put(agent, { state: 'LOGIN', extension: f.extensionOf(agent) });
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    const u = await f.user(agent);
    expect(text(u, 'state')).toBe('NOT_READY');
    expect(text(u, 'extension')).toBe(f.extensionOf(agent));
    expect(text(u, 'reasonCodeId')).toBe('-1');
    expect(text(u, 'pendingState')).toBe('');
    expect(text(u, 'stateChangeTime')).toBe('2031-02-03T04:05:06.789Z');
  });

  it('walks NOT_READY(reason) → READY → NOT_READY(reason) → LOGOUT(reason)', async () => {
    await f.login(agent);
    expect((await put(agent, { state: 'READY' })).status).toBe(202);
    expect(await f.state(agent)).toBe('READY');
    expect((await put(agent, { state: 'NOT_READY', reasonCodeId: '2' })).status).toBe(202);
    let u = await f.user(agent);
    expect(text(u, 'state')).toBe('NOT_READY');
    expect(text(u, 'reasonCodeId')).toBe('2');
    expect(text(one(u, 'ReasonCode'), 'label')).toBe('Lunch');
    expect(text(one(u, 'ReasonCode'), 'code')).toBe('11');
    expect((await put(agent, { state: 'LOGOUT', reasonCodeId: '4' })).status).toBe(202);
    u = await f.user(agent);
    expect(text(u, 'state')).toBe('LOGOUT');
    expect(text(u, 'reasonCodeId')).toBe('4');
    expect(text(one(u, 'ReasonCode'), 'category')).toBe('LOGOUT');
    // Signed out, the agent has no device any more (the real logout capture, reference A.2.6).
    expect(text(u, 'extension')).toBe('');
  });

  it('LOGOUT without a reason code, and a later LOGIN, clear the reason to -1', async () => {
    await f.login(agent);
    await f.setState(agent, 'NOT_READY', { reasonCodeId: '1' });
    await f.setState(agent, 'LOGOUT');
    let u = await f.user(agent);
    expect(text(u, 'reasonCodeId')).toBe('-1');
    expect(u.getElementsByTagName('ReasonCode').length).toBe(0);
    await f.login(agent);
    u = await f.user(agent);
    expect(text(u, 'state')).toBe('NOT_READY');
    expect(text(u, 'reasonCodeId')).toBe('-1');
  });

  it('stateChangeTime follows the lab clock', async () => {
    const clock = f.lab.state.clock;
    clock.freeze(Date.parse('2030-01-01T00:00:00.000Z'));
    await f.login(agent);
    clock.advance(90_500);
    await f.setState(agent, 'READY');
    expect(text(await f.user(agent), 'stateChangeTime')).toBe('2030-01-01T00:01:30.500Z');
  });
});

describe('LOGIN rules', () => {
  it('needs an extension: 400 Parameter Missing', async () => {
    const data = expectApiError(await put('nonsso1', { state: 'LOGIN' }), 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing');
    expect(data).toBe('extension');
    expectApiError(await put('nonsso1', { state: 'LOGIN', extension: '' }), 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing');
    expect(await f.state('nonsso1')).toBe('LOGOUT');
  });

  it("must be the agent's own extension: 202, then the CTI server's Invalid Device (CF_INVALID_LOGON_DEVICE_SPECIFIED, 260)", async () => {
    for (const extension of ['9999', f.extensionOf('agent1')]) {
      const e = f.expectCtiRefusal(await put('nonsso1', { state: 'LOGIN', extension }), 'nonsso1', 'CF_INVALID_LOGON_DEVICE_SPECIFIED');
      expect(text(e, 'errorType')).toBe('Invalid Device');
      expect(text(e, 'errorData')).toBe('260');
      // UCCE: the peripheral gateway's detail rides along (real capture, reference A.2.2).
      expect(text(e, 'peripheralErrorCode')).toBe('10125');
    }
    expect(await f.state('nonsso1')).toBe('LOGOUT');
  });

  it('while signed in: 202, then Invalid State (CF_INVALID_OBJECT_STATE, 22), and nothing changes', async () => {
    await f.login('agent1');
    f.expectCtiRefusal(await put('agent1', { state: 'LOGIN', extension: f.extensionOf('agent1') }), 'agent1', 'CF_INVALID_OBJECT_STATE');
    await f.setState('agent1', 'READY');
    const e = f.expectCtiRefusal(await put('agent1', { state: 'LOGIN', extension: f.extensionOf('agent1') }), 'agent1', 'CF_INVALID_OBJECT_STATE');
    expect([text(e, 'errorType'), text(e, 'errorData')]).toEqual(['Invalid State', '22']);
    expect(await f.state('agent1')).toBe('READY');
  });
});

describe('a signed-out agent', () => {
  // The real capture (reference A.2.2): READY for a signed-out agent is accepted (202) and refused
  // by the CTI server in a notification.
  it.each(['READY', 'NOT_READY', 'LOGOUT', 'WORK', 'WORK_READY'])('cannot request %s: 202, then Invalid State asynchronously', async (state) => {
    const fields: Record<string, string> = state === 'NOT_READY' ? { state, reasonCodeId: '1' } : { state };
    const res = await put('agent1', fields);
    f.expectCtiRefusal(res, 'agent1', 'CF_INVALID_OBJECT_STATE');
    expect(await f.state('agent1')).toBe('LOGOUT');
  });
});

describe('LOGOUT', () => {
  it('only from NOT_READY: from READY 202, then Invalid State asynchronously', async () => {
    await f.ready('agent1');
    f.expectCtiRefusal(await put('agent1', { state: 'LOGOUT' }), 'agent1', 'CF_INVALID_OBJECT_STATE');
    expect(await f.state('agent1')).toBe('READY');
  });

  it('with a NOT_READY code, an unknown one or garbage: 400 Invalid Input not_allowed', async () => {
    await f.login('agent1');
    for (const reasonCodeId of ['1', '77', 'x', '4.0']) {
      const data = expectApiError(await put('agent1', { state: 'LOGOUT', reasonCodeId }), 400, 'ERR_FINESSE_REASON_CODE_NOT_ALLOWED', 'Invalid Input');
      expect(data).toBe('finesse.api.reasoncode.not_allowed');
    }
    expect(await f.state('agent1')).toBe('NOT_READY');
  });
});

describe('NOT_READY reason codes (reason codes are configured in the fixture)', () => {
  it('without reasonCodeId: 400 Parameter Missing, ErrorData finesse.api.reasoncode.require_reasoncode', async () => {
    await f.ready('agent1');
    for (const fields of <Array<Record<string, string>>>[{ state: 'NOT_READY' }, { state: 'NOT_READY', reasonCodeId: '-1' }, { state: 'NOT_READY', reasonCodeId: '' }]) {
      const data = expectApiError(await put('agent1', fields), 400, 'ERR_FINESSE_REASON_CODE_REQUIRED', 'Parameter Missing');
      expect(data).toBe('finesse.api.reasoncode.require_reasoncode');
    }
    expect(await f.state('agent1')).toBe('READY');
  });

  it('a LOGOUT code, an unknown id or garbage: 400 Invalid Input, ErrorData finesse.api.reasoncode.not_allowed', async () => {
    await f.ready('agent1');
    for (const reasonCodeId of ['4', '999', '0', 'abc', '1e1']) {
      const data = expectApiError(await put('agent1', { state: 'NOT_READY', reasonCodeId }), 400, 'ERR_FINESSE_REASON_CODE_NOT_ALLOWED', 'Invalid Input');
      expect(data).toBe('finesse.api.reasoncode.not_allowed');
    }
    expect(await f.state('agent1')).toBe('READY');
  });

  it("a team's own code is accepted from its members only", async () => {
    await f.ready('agent1'); // Team Sales
    await f.setState('agent1', 'NOT_READY', { reasonCodeId: '5' });
    expect(text(await f.user('agent1'), 'reasonCodeId')).toBe('5');
    await f.ready('nonsso1'); // no team
    expectApiError(await put('nonsso1', { state: 'NOT_READY', reasonCodeId: '5' }), 400, 'ERR_FINESSE_REASON_CODE_NOT_ALLOWED', 'Invalid Input');
  });

  it('NOT_READY → NOT_READY with another code changes the reason', async () => {
    await f.login('agent1');
    await f.setState('agent1', 'NOT_READY', { reasonCodeId: '1' });
    await f.setState('agent1', 'NOT_READY', { reasonCodeId: '3' });
    expect(text(await f.user('agent1'), 'reasonCodeId')).toBe('3');
  });
});

describe('the requested state itself', () => {
  it('missing or empty: 400 Parameter Missing', async () => {
    await f.login('agent1');
    expectApiError(await f.put('agent1', '/User/1001', '<User/>'), 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing');
    expectApiError(await f.put('agent1', '/User/1001', '<User><state></state></User>'), 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing');
    expectApiError(await f.put('agent1', '/User/1001', '<User><extension>3001</extension></User>'), 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing');
  });

  it.each(['TALKING', 'HOLD', 'RESERVED', 'RESERVED_OUTBOUND', 'RESERVED_OUTBOUND_PREVIEW', 'UNKNOWN'])(
    'a real state that cannot be requested (%s): 400 Invalid State',
    async (state) => {
      await f.login('agent1');
      expectApiError(await put('agent1', { state }), 400, 'ERR_FINESSE_INVALID_STATE', 'Invalid State');
      expect(await f.state('agent1')).toBe('NOT_READY');
    },
  );

  it.each(['DANCING', 'ready', 'LOGIN ', 'NOT READY'])('not a state at all (%j): 400 Invalid Input', async (state) => {
    await f.login('agent1');
    const res = await f.put('agent1', '/User/1001', `<User><state>${state}</state></User>`);
    // Surrounding blanks are trimmed like any XML text value: 'LOGIN ' is LOGIN, which needs an extension.
    if (state === 'LOGIN ') expectApiError(res, 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing');
    else expectApiError(res, 400, 'ERR_FINESSE_INVALID_INPUT', 'Invalid Input');
  });

  it('wrap-up (WORK, WORK_READY) is refused outside a call: 202, then Invalid State asynchronously', async () => {
    await f.ready('agent1');
    f.expectCtiRefusal(await put('agent1', { state: 'WORK' }), 'agent1', 'CF_INVALID_OBJECT_STATE');
    f.expectCtiRefusal(await put('agent1', { state: 'WORK_READY' }), 'agent1', 'CF_INVALID_OBJECT_STATE');
    expect(await f.state('agent1')).toBe('READY');
  });
});

describe('whose state', () => {
  it("an agent cannot change another agent's state: 401 Invalid Authorization User Specified", async () => {
    await f.login('agent2');
    const res = await f.put('agent1', '/User/1002', userBody({ state: 'READY' }));
    expectApiError(res, 401, 'ERR_FINESSE_WRONG_USER', 'Invalid Authorization User Specified');
    expect(await f.state('agent2')).toBe('NOT_READY');
  });

  it('an unknown loginId: 404 User Not Found', async () => {
    expectApiError(await f.put('agent1', '/User/4242', userBody({ state: 'READY' })), 404, 'ERR_FINESSE_USER_NOT_FOUND', 'User Not Found');
  });
});
