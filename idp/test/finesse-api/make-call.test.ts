import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actionsOf, elements, expectApiError, FinesseLab, names, one, participantAt, text } from './finesse-lab.js';

/**
 * `POST /User/<id>/Dialogs` MAKE_CALL and the Dialog object (reference A.2.5): an agent call to a
 * READY agent rings them until they ANSWER; any other number answers at once; the documented
 * 400s; agent states before, during and after.
 */

const DIALOG_ELEMENTS = ['associatedDialogUri', 'fromAddress', 'id', 'mediaProperties', 'mediaType', 'participants', 'state', 'toAddress', 'uri'];
const PARTICIPANT_ELEMENTS = ['actions', 'mediaAddress', 'mediaAddressType', 'startTime', 'state', 'stateCause', 'stateChangeTime'];

let f: FinesseLab;
beforeAll(async () => {
  f = await FinesseLab.start();
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());

const makeCall = (as: string, to: string, extra = '', from = f.extensionOf(as)) =>
  f.post(as, `/User/${f.loginIdOf(as)}/Dialogs`, `<Dialog><requestedAction>MAKE_CALL</requestedAction><fromAddress>${from}</fromAddress><toAddress>${to}</toAddress>${extra}</Dialog>`);

describe('agent1 calls agent2 (READY)', () => {
  it('rings agent2, connects on ANSWER, ends on DROP', async () => {
    await f.login('agent1');
    await f.ready('agent2');
    const res = await makeCall('agent1', '3002');
    expect(res.status).toBe(202);
    expect(res.text).toBe('');

    let [d] = await f.dialogs('agent1');
    expect(d).toBeDefined();
    expect(names(d!)).toEqual(DIALOG_ELEMENTS);
    expect(text(d!, 'id')).toMatch(/^\d+$/);
    const id = text(d!, 'id');
    expect(text(d!, 'uri')).toBe(`/finesse/api/Dialog/${id}`);
    expect(text(d!, 'mediaType')).toBe('Voice');
    expect(text(d!, 'fromAddress')).toBe('3001');
    expect(text(d!, 'toAddress')).toBe('3002');
    expect(text(d!, 'state')).toBe('ALERTING');
    expect(text(one(d!, 'mediaProperties'), 'callType')).toBe('AGENT_INSIDE');
    expect(text(one(d!, 'mediaProperties'), 'dialedNumber')).toBe('3002');
    const caller = participantAt(d!, '3001');
    expect(names(caller)).toEqual(PARTICIPANT_ELEMENTS);
    expect(text(caller, 'state')).toBe('INITIATED');
    expect(text(caller, 'mediaAddressType')).toBe('AGENT_DEVICE');
    expect(actionsOf(caller)).toEqual(['DROP', 'UPDATE_CALL_DATA']);
    expect(text(participantAt(d!, '3002'), 'state')).toBe('ALERTING');
    expect(await f.state('agent1')).toBe('NOT_READY');
    expect(await f.state('agent2')).toBe('RESERVED');

    // The same dialog in agent2's list, offering ANSWER.
    const [d2] = await f.dialogs('agent2');
    expect(text(d2!, 'id')).toBe(id);
    expect(actionsOf(participantAt(d2!, '3002'))).toEqual(['ANSWER']);

    expect((await f.dialogAction('agent2', id, 'ANSWER')).status).toBe(202);
    [d] = await f.dialogs('agent1');
    expect(text(d!, 'state')).toBe('ACTIVE');
    expect(text(participantAt(d!, '3001'), 'state')).toBe('ACTIVE');
    expect(text(participantAt(d!, '3002'), 'state')).toBe('ACTIVE');
    expect(await f.state('agent1')).toBe('TALKING');
    expect(await f.state('agent2')).toBe('TALKING');

    expect((await f.dialogAction('agent1', id, 'DROP')).status).toBe(202);
    expect(await f.dialogs('agent1')).toEqual([]);
    expect(await f.dialogs('agent2')).toEqual([]);
    // After a call they placed agents return to NOT_READY, after one they received to READY.
    expect(await f.state('agent1')).toBe('NOT_READY');
    expect(await f.state('agent2')).toBe('READY');
    expectApiError(await f.get('agent1', `/Dialog/${id}`), 404, 'ERR_FINESSE_DIALOG_NOT_FOUND', 'Dialog Not Found');
  });

  it('the caller may drop while it rings (INITIATED allows DROP), freeing agent2', async () => {
    await f.login('agent1');
    await f.ready('agent2');
    await makeCall('agent1', '3002');
    const id = text((await f.dialogs('agent1'))[0]!, 'id');
    expect((await f.dialogAction('agent1', id, 'DROP')).status).toBe(202);
    expect(await f.state('agent2')).toBe('READY');
    expect(await f.state('agent1')).toBe('NOT_READY');
  });
});

describe('a call to an outside number', () => {
  it('answers at once: both ACTIVE, caller TALKING, callType OUT, the number has no type or actions', async () => {
    await f.login('nonsso1');
    await f.setState('nonsso1', 'NOT_READY', { reasonCodeId: '1' });
    expect((await makeCall('nonsso1', '+15551234567')).status).toBe(202);
    const [d] = await f.dialogs('nonsso1');
    expect(text(d!, 'state')).toBe('ACTIVE');
    expect(text(one(d!, 'mediaProperties'), 'callType')).toBe('OUT');
    const far = participantAt(d!, '+15551234567');
    expect(text(far, 'state')).toBe('ACTIVE');
    expect(text(far, 'mediaAddressType')).toBe('');
    expect(actionsOf(far)).toEqual([]);
    expect(actionsOf(participantAt(d!, '3003'))).toEqual(['HOLD', 'DROP', 'UPDATE_CALL_DATA', 'CONSULT_CALL', 'TRANSFER_SST', 'SEND_DTMF']);
    const u = await f.user('nonsso1');
    expect(text(u, 'state')).toBe('TALKING');
    expect(text(u, 'reasonCodeId')).toBe('-1');
  });

  it("an agent's phone whose agent is not READY is reached like any number (agent2 untouched)", async () => {
    await f.login('agent1');
    await f.login('agent2');
    expect((await makeCall('agent1', '3002')).status).toBe(202);
    expect(text((await f.dialogs('agent1'))[0]!, 'state')).toBe('ACTIVE');
    expect(await f.dialogs('agent2')).toEqual([]);
    expect(await f.state('agent2')).toBe('NOT_READY');
  });
});

describe('MAKE_CALL refusals', () => {
  beforeEach(async () => {
    await f.login('agent1');
  });

  // Dev Guide "Dialog CTI Error Notification": 202, then a "Call Operation Failure" on the
  // agent's Dialogs node (no dialog was made, so the source is the collection).
  const refused = (res: Awaited<ReturnType<typeof makeCall>>, as: string) => {
    const e = f.expectCtiRefusal(res, as, 'CF_INVALID_OBJECT_STATE', 'dialogs');
    expect(text(e, 'errorType')).toBe('Call Operation Failure');
    expect(f.changes.at(-1)!.source).toBe(`/finesse/api/User/${f.loginIdOf(as)}/Dialogs`);
  };

  it('the agent must be NOT_READY and on no call: 202, then a Call Operation Failure', async () => {
    await f.setState('agent1', 'READY');
    refused(await makeCall('agent1', '5550001'), 'agent1');
    await f.setState('agent1', 'NOT_READY', { reasonCodeId: '1' });
    expect((await makeCall('agent1', '5550001')).status).toBe(202);
    refused(await makeCall('agent1', '5550002'), 'agent1');
    expect((await f.dialogs('agent1')).length).toBe(1);
  });

  it('a signed-out agent: 202, then a Call Operation Failure', async () => {
    refused(await makeCall('agent2', '5550001', '', '3002'), 'agent2');
  });

  it('fromAddress missing 400 Parameter Missing; not the signed-in extension 400 Invalid Input', async () => {
    const noFrom = await f.post('agent1', '/User/1001/Dialogs', '<Dialog><requestedAction>MAKE_CALL</requestedAction><toAddress>5550001</toAddress></Dialog>');
    expect(expectApiError(noFrom, 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing')).toBe('fromAddress');
    expect(expectApiError(await makeCall('agent1', '5550001', '', '3002'), 400, 'ERR_FINESSE_INVALID_INPUT', 'Invalid Input')).toBe('fromAddress');
  });

  it('toAddress missing 400 Parameter Missing; own number or not dialable 400 Invalid Destination', async () => {
    const noTo = await f.post('agent1', '/User/1001/Dialogs', '<Dialog><requestedAction>MAKE_CALL</requestedAction><fromAddress>3001</fromAddress></Dialog>');
    expect(expectApiError(noTo, 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing')).toBe('toAddress');
    for (const to of ['3001', 'sip:bob', '12 34', '1'.repeat(40)]) {
      expectApiError(await makeCall('agent1', to), 400, 'ERR_FINESSE_INVALID_DESTINATION', 'Invalid Destination');
    }
    expect(await f.dialogs('agent1')).toEqual([]);
  });

  it('requestedAction missing 400 Parameter Missing; anything but MAKE_CALL 400 Invalid Input', async () => {
    expectApiError(await f.post('agent1', '/User/1001/Dialogs', '<Dialog><fromAddress>3001</fromAddress><toAddress>5550001</toAddress></Dialog>'), 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing');
    expectApiError(await f.post('agent1', '/User/1001/Dialogs', '<Dialog><requestedAction>ANSWER</requestedAction><fromAddress>3001</fromAddress><toAddress>5550001</toAddress></Dialog>'), 400, 'ERR_FINESSE_INVALID_INPUT', 'Invalid Input');
  });

  it("on someone else's Dialogs, supervisor included: 401 Invalid Authorization User Specified", async () => {
    expectApiError(await f.post('agent2', '/User/1001/Dialogs', '<Dialog><requestedAction>MAKE_CALL</requestedAction><fromAddress>3001</fromAddress><toAddress>5550001</toAddress></Dialog>'), 401, 'ERR_FINESSE_WRONG_USER', 'Invalid Authorization User Specified');
    expectApiError(await f.post('supervisor1', '/User/1001/Dialogs', '<Dialog><requestedAction>MAKE_CALL</requestedAction><fromAddress>3001</fromAddress><toAddress>5550001</toAddress></Dialog>'), 401, 'ERR_FINESSE_WRONG_USER', 'Invalid Authorization User Specified');
    expect(await f.dialogs('agent1')).toEqual([]);
  });
});

describe('call variables (UCCE)', () => {
  const vars = (...pairs: Array<[string, string]>) =>
    `<mediaProperties><callvariables>${pairs.map(([n, v]) => `<CallVariable><name>${n}</name><value>${v}</value></CallVariable>`).join('')}</callvariables></mediaProperties>`;

  it('travel with the dialog', async () => {
    await f.login('agent1');
    expect((await makeCall('agent1', '5550001', vars(['callVariable1', 'order &amp; 42'], ['user.account', 'A-7']))).status).toBe(202);
    const [d] = await f.dialogs('agent1');
    const cv = elements(one(one(d!, 'mediaProperties'), 'callvariables'));
    expect(cv.map((c) => `${text(c, 'name')}=${text(c, 'value')}`)).toEqual(['callVariable1=order & 42', 'user.account=A-7']);
  });

  it('an unknown variable name: 400 Invalid Input', async () => {
    await f.login('agent1');
    expectApiError(await makeCall('agent1', '5550001', vars(['callVariable11', 'x'])), 400, 'ERR_FINESSE_INVALID_INPUT', 'Invalid Input');
    expect(await f.dialogs('agent1')).toEqual([]);
  });

  describe('on UCCX', () => {
    let x: FinesseLab;
    beforeAll(async () => {
      x = await FinesseLab.start({ deploymentType: 'UCCX' });
    });
    afterAll(() => x?.stop());

    it('are refused: 400 Invalid Input', async () => {
      await x.login('agent1');
      const res = await x.post('agent1', '/User/1001/Dialogs', `<Dialog><requestedAction>MAKE_CALL</requestedAction><fromAddress>3001</fromAddress><toAddress>5550001</toAddress>${vars(['callVariable1', 'x'])}</Dialog>`);
      expect(expectApiError(res, 400, 'ERR_FINESSE_INVALID_INPUT', 'Invalid Input')).toBe('callvariables');
      expect(await x.dialogs('agent1')).toEqual([]);
    });
  });
});
