import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdpError } from '../../src/shared/errors.js';
import { hangUp, simulateCall } from '../../src/finesse/api/simulate-call.js';
import { actionsOf, elements, expectApiError, FinesseLab, one, participantAt, text, userBody } from './finesse-lab.js';

/**
 * `PUT /finesse/api/Dialog/<id>` on a customer call (reference A.2.5): the simulated caller rings a
 * READY agent, who answers, holds, retrieves, sends DTMF and drops, with the agent state at each
 * step; the participant-state table (an action its state does not allow is 400 Generic Error);
 * pendingState during a call (A.2.4); who may read and act on a dialog.
 */

let f: FinesseLab;
beforeAll(async () => {
  f = await FinesseLab.start();
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());

const rt = () => f.lab.state.finesse!.runtime;

async function dialog(as: string, id: string): Promise<Element> {
  const res = await f.get(as, `/Dialog/${id}`);
  expect(res.status, res.text).toBe(200);
  expect(res.root!.tagName).toBe('Dialog');
  return res.root!;
}

/** agent1 READY, rung by a customer; returns the dialog id. */
async function ringing(): Promise<string> {
  await f.ready('agent1');
  return f.simulateCall('agent1');
}

describe('a customer call, step by step', () => {
  it('ALERTING → ANSWER → HOLD → RETRIEVE → SEND_DTMF → DROP', async () => {
    await f.ready('agent1');
    const d0 = simulateCall(rt(), { to: '1001', from: '6135550123', callVariables: [{ name: 'callVariable1', value: 'gold' }] });
    const id = d0.id;
    let d = await dialog('agent1', id);
    expect(text(d, 'state')).toBe('ALERTING');
    expect(text(d, 'fromAddress')).toBe('6135550123');
    expect(text(d, 'toAddress')).toBe('3001');
    expect(text(one(d, 'mediaProperties'), 'callType')).toBe('ACD_IN');
    expect(elements(one(one(d, 'mediaProperties'), 'callvariables')).map((c) => text(c, 'value'))).toEqual(['gold']);
    expect(text(participantAt(d, '6135550123'), 'state')).toBe('ACTIVE');
    expect(text(participantAt(d, '3001'), 'state')).toBe('ALERTING');
    expect(actionsOf(participantAt(d, '3001'))).toEqual(['ANSWER']);
    expect(await f.state('agent1')).toBe('RESERVED');

    const step = async (action: string, participant: string, agent: string, extra = '') => {
      const res = await f.dialogAction('agent1', id, action, extra);
      expect(res.status, `${action}: ${res.text}`).toBe(202);
      expect(res.text).toBe('');
      d = await dialog('agent1', id);
      expect(text(participantAt(d, '3001'), 'state')).toBe(participant);
      expect(await f.state('agent1')).toBe(agent);
    };
    await step('ANSWER', 'ACTIVE', 'TALKING');
    expect(text(d, 'state')).toBe('ACTIVE');
    await step('HOLD', 'HELD', 'HOLD');
    expect(actionsOf(participantAt(d, '3001'))).toEqual(['RETRIEVE', 'DROP']);
    expect(text(d, 'state')).toBe('ACTIVE');
    await step('RETRIEVE', 'ACTIVE', 'TALKING');
    await step('SEND_DTMF', 'ACTIVE', 'TALKING', '<actionParams><ActionParam><name>dtmfString</name><value>12#*A</value></ActionParam></actionParams>');
    expect(rt().dialog(id)!.dtmf).toBe('12#*A');

    expect((await f.dialogAction('agent1', id, 'DROP')).status).toBe(202);
    expect(await f.dialogs('agent1')).toEqual([]);
    expect(await f.state('agent1')).toBe('READY'); // after a call received
    expectApiError(await f.get('agent1', `/Dialog/${id}`), 404, 'ERR_FINESSE_DIALOG_NOT_FOUND', 'Dialog Not Found');
  });

  it('the caller hanging up ends the dialog (ringing or connected)', async () => {
    let id = await ringing();
    hangUp(rt(), id);
    expect(await f.dialogs('agent1')).toEqual([]);
    expect(await f.state('agent1')).toBe('READY');
    id = await f.simulateCall('agent1');
    await f.dialogAction('agent1', id, 'ANSWER');
    hangUp(rt(), id);
    expect(await f.state('agent1')).toBe('READY');
    expect(() => hangUp(rt(), id)).toThrow(IdpError);
  });

  it('the simulated caller reaches only a READY agent (409), by loginId or extension, and an existing one (404)', async () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as IdpError).code;
      }
      return 'no error';
    };
    expect(code(() => simulateCall(rt(), { to: '1001' }))).toBe('ERR_CONTROL_CONFLICT');
    await f.login('agent1');
    expect(code(() => simulateCall(rt(), { to: '3001' }))).toBe('ERR_CONTROL_CONFLICT');
    expect(code(() => simulateCall(rt(), { to: '7777' }))).toBe('ERR_CONTROL_NOT_FOUND');
    await f.setState('agent1', 'READY');
    expect(simulateCall(rt(), { to: '3001' }).toAddress).toBe('3001');
    expect(code(() => simulateCall(rt(), { to: '1001' }))).toBe('ERR_CONTROL_CONFLICT'); // now RESERVED
  });
});

describe('the participant-state table (reference A.2.5): other actions are refused asynchronously, a Generic Error on the Dialogs node', () => {
  const notAllowed = async (id: string, action: string, extra = '') => {
    const e = f.expectCtiRefusal(await f.dialogAction('agent1', id, action, extra), 'agent1', 'CF_INVALID_OBJECT_STATE', 'dialogs');
    expect(text(e, 'errorType')).toBe('Generic Error');
    // Dev Guide "Dialog CTI Error Notification": the source is the Dialog acted on.
    expect(f.changes.at(-1)!.source).toBe(`/finesse/api/Dialog/${id}`);
  };
  const dtmf = '<actionParams><ActionParam><name>dtmfString</name><value>1</value></ActionParam></actionParams>';

  it('ALERTING allows only ANSWER', async () => {
    const id = await ringing();
    for (const a of ['HOLD', 'RETRIEVE', 'DROP', 'UPDATE_CALL_DATA']) await notAllowed(id, a);
    await notAllowed(id, 'SEND_DTMF', dtmf);
    await notAllowed(id, 'TRANSFER_SST', '<toAddress>5550001</toAddress>');
    await notAllowed(id, 'CONSULT_CALL', '<toAddress>5550001</toAddress>');
    expect(await f.state('agent1')).toBe('RESERVED');
  });

  it('ACTIVE refuses ANSWER and RETRIEVE', async () => {
    const id = await ringing();
    await f.dialogAction('agent1', id, 'ANSWER');
    await notAllowed(id, 'ANSWER');
    await notAllowed(id, 'RETRIEVE');
    expect(await f.state('agent1')).toBe('TALKING');
  });

  it('HELD allows only RETRIEVE and DROP', async () => {
    const id = await ringing();
    await f.dialogAction('agent1', id, 'ANSWER');
    await f.dialogAction('agent1', id, 'HOLD');
    for (const a of ['ANSWER', 'HOLD', 'UPDATE_CALL_DATA']) await notAllowed(id, a);
    await notAllowed(id, 'SEND_DTMF', dtmf);
    await notAllowed(id, 'TRANSFER_SST', '<toAddress>5550001</toAddress>');
    expect((await f.dialogAction('agent1', id, 'DROP')).status).toBe(202);
  });
});

describe('action request refusals', () => {
  it('an unknown action 400 Invalid Input; a known one the lab does not emulate 501; no action 400 Parameter Missing', async () => {
    const id = await ringing();
    await f.dialogAction('agent1', id, 'ANSWER');
    expectApiError(await f.dialogAction('agent1', id, 'DANCE'), 400, 'ERR_FINESSE_INVALID_INPUT', 'Invalid Input');
    expectApiError(await f.dialogAction('agent1', id, 'CONFERENCE'), 501, 'ERR_FINESSE_NOT_IMPLEMENTED', 'Not Implemented');
    expectApiError(await f.put('agent1', `/Dialog/${id}`, '<Dialog><targetMediaAddress>3001</targetMediaAddress></Dialog>'), 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing');
  });

  it("targetMediaAddress missing 400 Parameter Missing; not the agent's own leg 400 Invalid Input", async () => {
    const id = await ringing();
    expectApiError(await f.put('agent1', `/Dialog/${id}`, '<Dialog><requestedAction>ANSWER</requestedAction></Dialog>'), 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing');
    for (const target of ['3002', '5550100', '9']) {
      const res = await f.put('agent1', `/Dialog/${id}`, `<Dialog><requestedAction>ANSWER</requestedAction><targetMediaAddress>${target}</targetMediaAddress></Dialog>`);
      expect(expectApiError(res, 400, 'ERR_FINESSE_INVALID_INPUT', 'Invalid Input')).toBe('targetMediaAddress');
    }
    expect(await f.state('agent1')).toBe('RESERVED');
  });

  it('SEND_DTMF: no dtmfString 400 Parameter Missing; other characters 400 Invalid Input', async () => {
    const id = await ringing();
    await f.dialogAction('agent1', id, 'ANSWER');
    expectApiError(await f.dialogAction('agent1', id, 'SEND_DTMF'), 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing');
    for (const v of ['12x', 'E', '1 2']) {
      const extra = `<actionParams><ActionParam><name>dtmfString</name><value>${v}</value></ActionParam></actionParams>`;
      expectApiError(await f.dialogAction('agent1', id, 'SEND_DTMF', extra), 400, 'ERR_FINESSE_INVALID_INPUT', 'Invalid Input');
    }
    expect(rt().dialog(id)!.dtmf).toBe('');
  });

  it('an unknown dialog: 404 Dialog Not Found, for GET and PUT', async () => {
    await f.login('agent1');
    expectApiError(await f.get('agent1', '/Dialog/99999999'), 404, 'ERR_FINESSE_DIALOG_NOT_FOUND', 'Dialog Not Found');
    expectApiError(await f.dialogAction('agent1', 'abc', 'ANSWER'), 404, 'ERR_FINESSE_DIALOG_NOT_FOUND', 'Dialog Not Found');
  });
});

describe('who may see and act on a dialog', () => {
  it('a non-participant agent: 401 Invalid Authorization User Specified', async () => {
    const id = await ringing();
    await f.login('agent2');
    expectApiError(await f.get('agent2', `/Dialog/${id}`), 401, 'ERR_FINESSE_WRONG_USER', 'Invalid Authorization User Specified');
    const res = await f.put('agent2', `/Dialog/${id}`, '<Dialog><requestedAction>ANSWER</requestedAction><targetMediaAddress>3001</targetMediaAddress></Dialog>');
    expectApiError(res, 401, 'ERR_FINESSE_WRONG_USER', 'Invalid Authorization User Specified');
    expectApiError(await f.get('agent2', '/User/1001/Dialogs'), 401, 'ERR_FINESSE_WRONG_USER', 'Invalid Authorization User Specified');
    expect(await f.state('agent1')).toBe('RESERVED');
  });

  it("the agent's supervisor reads the dialog and the agent's Dialogs, and may act on the agent's leg", async () => {
    const id = await ringing();
    expect((await f.get('supervisor1', `/Dialog/${id}`)).status).toBe(200);
    const list = await f.get('supervisor1', '/User/1001/Dialogs');
    expect(elements(list.root!).map((d) => text(d, 'id'))).toEqual([id]);
    const res = await f.put('supervisor1', `/Dialog/${id}`, '<Dialog><requestedAction>ANSWER</requestedAction><targetMediaAddress>3001</targetMediaAddress></Dialog>');
    expect(res.status).toBe(202);
    expect(await f.state('agent1')).toBe('TALKING');
  });

  it('a supervisor of other teams: 401 Invalid Supervisor', async () => {
    await f.ready('nonsso1');
    const id = await f.simulateCall('nonsso1');
    expectApiError(await f.get('supervisor1', `/Dialog/${id}`), 401, 'ERR_FINESSE_INVALID_SUPERVISOR', 'Invalid Supervisor');
  });
});

describe('pendingState (reference A.2.4: a state asked for during a call applies when it ends)', () => {
  it('NOT_READY with a reason while TALKING: 202, pendingState shown, applied at the end', async () => {
    const id = await ringing();
    await f.dialogAction('agent1', id, 'ANSWER');
    expect((await f.put('agent1', '/User/1001', userBody({ state: 'NOT_READY', reasonCodeId: '3' }))).status).toBe(202);
    let u = await f.user('agent1');
    expect(text(u, 'state')).toBe('TALKING');
    expect(text(u, 'pendingState')).toBe('NOT_READY');
    // The reason is still checked at once.
    expectApiError(await f.put('agent1', '/User/1001', userBody({ state: 'NOT_READY' })), 400, 'ERR_FINESSE_REASON_CODE_REQUIRED', 'Parameter Missing');
    await f.dialogAction('agent1', id, 'DROP');
    u = await f.user('agent1');
    expect(text(u, 'state')).toBe('NOT_READY');
    expect(text(u, 'reasonCodeId')).toBe('3');
    expect(text(u, 'pendingState')).toBe('');
  });

  it('wrap-up (WORK) while ringing, then READY from WORK', async () => {
    const id = await ringing();
    await f.setState('agent1', 'WORK');
    expect(text(await f.user('agent1'), 'pendingState')).toBe('WORK');
    hangUp(rt(), id);
    expect(await f.state('agent1')).toBe('WORK');
    await f.setState('agent1', 'WORK_READY');
    expect(await f.state('agent1')).toBe('WORK_READY');
    await f.setState('agent1', 'READY');
    expect(await f.state('agent1')).toBe('READY');
  });

  it('a supervisor NOT_READY during the call waits too, with reason 999; LOGOUT during a call is refused by the CTI server', async () => {
    const id = await ringing();
    await f.dialogAction('agent1', id, 'ANSWER');
    expect((await f.put('supervisor1', '/User/1001', userBody({ state: 'NOT_READY' }))).status).toBe(202);
    f.expectCtiRefusal(await f.put('agent1', '/User/1001', userBody({ state: 'LOGOUT' })), 'agent1', 'CF_INVALID_OBJECT_STATE');
    await f.dialogAction('agent1', id, 'HOLD');
    expect(text(await f.user('agent1'), 'pendingState')).toBe('NOT_READY');
    await f.dialogAction('agent1', id, 'DROP');
    const u = await f.user('agent1');
    expect(text(u, 'state')).toBe('NOT_READY');
    expect(text(u, 'reasonCodeId')).toBe('999');
  });
});

describe('UPDATE_CALL_DATA', () => {
  it('sets call variables and the wrap-up reason', async () => {
    const id = await ringing();
    await f.dialogAction('agent1', id, 'ANSWER');
    const extra = '<mediaProperties><wrapUpReason>Sale</wrapUpReason><callvariables><CallVariable><name>callVariable2</name><value>42</value></CallVariable></callvariables></mediaProperties>';
    expect((await f.dialogAction('agent1', id, 'UPDATE_CALL_DATA', extra)).status).toBe(202);
    const props = one(await dialog('agent1', id), 'mediaProperties');
    expect(text(props, 'wrapUpReason')).toBe('Sale');
    expect(elements(one(props, 'callvariables')).map((c) => `${text(c, 'name')}=${text(c, 'value')}`)).toEqual(['callVariable2=42']);
  });
});
