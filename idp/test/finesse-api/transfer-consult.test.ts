import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hangUp } from '../../src/finesse/api/simulate-call.js';
import { expectApiError, FinesseLab, one, participantAt, text } from './finesse-lab.js';

/**
 * CONSULT_CALL and TRANSFER_SST (reference A.2.5) on a customer call agent1 has answered: the
 * consult puts the customer on hold and opens a second, associated dialog; a single-step
 * transfer hands the customer to another number and takes agent1 off the call.
 */

let f: FinesseLab;
beforeAll(async () => {
  f = await FinesseLab.start();
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());

const rt = () => f.lab.state.finesse!.runtime;
const CUSTOMER = '5550100';

/** agent1 TALKING with a customer, agent2 READY; returns the customer dialog id. */
async function onCustomerCall(): Promise<string> {
  await f.ready('agent1');
  await f.ready('agent2');
  const id = await f.simulateCall('agent1');
  expect((await f.dialogAction('agent1', id, 'ANSWER')).status).toBe(202);
  return id;
}

const to = (n: string) => `<toAddress>${n}</toAddress>`;

async function get(as: string, id: string): Promise<Element> {
  const res = await f.get(as, `/Dialog/${id}`);
  expect(res.status, res.text).toBe(200);
  return res.root!;
}

describe('CONSULT_CALL', () => {
  it('to a READY agent: the customer is held, a CONSULT dialog rings agent2, both dialogs point at each other', async () => {
    const original = await onCustomerCall();
    expect((await f.dialogAction('agent1', original, 'CONSULT_CALL', to('3002'))).status).toBe(202);
    const ids = (await f.dialogs('agent1')).map((d) => text(d, 'id'));
    expect(ids.length).toBe(2);
    const consult = ids.find((i) => i !== original)!;

    let o = await get('agent1', original);
    expect(text(participantAt(o, '3001'), 'state')).toBe('HELD');
    expect(text(o, 'associatedDialogUri')).toBe(`/finesse/api/Dialog/${consult}`);
    let c = await get('agent1', consult);
    expect(text(c, 'associatedDialogUri')).toBe(`/finesse/api/Dialog/${original}`);
    expect(text(one(c, 'mediaProperties'), 'callType')).toBe('CONSULT');
    expect(text(participantAt(c, '3001'), 'state')).toBe('INITIATED');
    expect(text(participantAt(c, '3002'), 'state')).toBe('ALERTING');
    expect(await f.state('agent1')).toBe('HOLD');
    expect(await f.state('agent2')).toBe('RESERVED');

    expect((await f.dialogAction('agent2', consult, 'ANSWER')).status).toBe(202);
    c = await get('agent2', consult);
    expect(text(c, 'state')).toBe('ACTIVE');
    expect(await f.state('agent1')).toBe('TALKING');
    expect(await f.state('agent2')).toBe('TALKING');

    // One connected call per phone: the held customer cannot be retrieved over the consult.
    f.expectCtiRefusal(await f.dialogAction('agent1', original, 'RETRIEVE'), 'agent1', 'CF_INVALID_OBJECT_STATE', 'dialogs');

    expect((await f.dialogAction('agent1', consult, 'DROP')).status).toBe(202);
    expect(await f.state('agent2')).toBe('READY');
    expect(await f.state('agent1')).toBe('HOLD');
    o = await get('agent1', original);
    expect(text(o, 'associatedDialogUri')).toBe('');

    expect((await f.dialogAction('agent1', original, 'RETRIEVE')).status).toBe(202);
    expect(await f.state('agent1')).toBe('TALKING');
    hangUp(rt(), original);
    expect(await f.state('agent1')).toBe('READY');
  });

  it('to an outside number: the consult connects at once', async () => {
    const original = await onCustomerCall();
    expect((await f.dialogAction('agent1', original, 'CONSULT_CALL', to('5559999'))).status).toBe(202);
    const consult = (await f.dialogs('agent1')).map((d) => text(d, 'id')).find((i) => i !== original)!;
    expect(text(await get('agent1', consult), 'state')).toBe('ACTIVE');
    expect(await f.state('agent1')).toBe('TALKING');
  });

  it('toAddress missing 400 Parameter Missing; own phone, the customer or not dialable 400 Invalid Destination', async () => {
    const original = await onCustomerCall();
    expectApiError(await f.dialogAction('agent1', original, 'CONSULT_CALL'), 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing');
    for (const n of ['3001', CUSTOMER, 'x1']) {
      expectApiError(await f.dialogAction('agent1', original, 'CONSULT_CALL', to(n)), 400, 'ERR_FINESSE_INVALID_DESTINATION', 'Invalid Destination');
    }
    expect((await f.dialogs('agent1')).length).toBe(1);
    expect(await f.state('agent1')).toBe('TALKING');
  });
});

describe('TRANSFER_SST', () => {
  it('to a READY agent: agent1 leaves at once, the same dialog rings agent2 as a TRANSFER', async () => {
    const id = await onCustomerCall();
    expect((await f.dialogAction('agent1', id, 'TRANSFER_SST', to('3002'))).status).toBe(202);
    expect(await f.dialogs('agent1')).toEqual([]);
    expect(await f.state('agent1')).toBe('READY');
    const [d] = await f.dialogs('agent2');
    expect(text(d!, 'id')).toBe(id);
    expect(text(one(d!, 'mediaProperties'), 'callType')).toBe('TRANSFER');
    expect(text(participantAt(d!, CUSTOMER), 'state')).toBe('ACTIVE');
    expect(text(participantAt(d!, '3002'), 'state')).toBe('ALERTING');
    expect(await f.state('agent2')).toBe('RESERVED');
    expectApiError(await f.get('agent1', `/Dialog/${id}`), 401, 'ERR_FINESSE_WRONG_USER', 'Invalid Authorization User Specified');

    expect((await f.dialogAction('agent2', id, 'ANSWER')).status).toBe(202);
    expect(await f.state('agent2')).toBe('TALKING');
    hangUp(rt(), id);
    expect(await f.state('agent2')).toBe('READY');
  });

  it('to an outside number: the call leaves the lab', async () => {
    const id = await onCustomerCall();
    expect((await f.dialogAction('agent1', id, 'TRANSFER_SST', to('5558888'))).status).toBe(202);
    expect(await f.dialogs('agent1')).toEqual([]);
    expect(await f.state('agent1')).toBe('READY');
    expectApiError(await f.get('agent1', `/Dialog/${id}`), 404, 'ERR_FINESSE_DIALOG_NOT_FOUND', 'Dialog Not Found');
  });

  it('publishes DROPPED then DELETE to agent1 and POST to agent2', async () => {
    const id = await onCustomerCall();
    f.changes.length = 0;
    await f.put('agent1', `/Dialog/${id}`, `<Dialog><requestedAction>TRANSFER_SST</requestedAction><targetMediaAddress>3001</targetMediaAddress>${to('3002')}</Dialog>`, { headers: { requestId: 'xfer-1' } });
    const dialogEvents = f.changes.filter((c) => c.node.endsWith('/Dialogs')).map((c) => `${c.node} ${c.event}`);
    expect(dialogEvents).toEqual(['/finesse/api/User/1001/Dialogs PUT', '/finesse/api/User/1001/Dialogs DELETE', '/finesse/api/User/1002/Dialogs POST']);
    expect(f.changes[0]!.xml).toContain('<state>DROPPED</state>');
    expect(f.changes.every((c) => c.requestId === 'xfer-1')).toBe(true);
  });

  it('toAddress missing 400 Parameter Missing; own phone or the customer 400 Invalid Destination', async () => {
    const id = await onCustomerCall();
    expectApiError(await f.dialogAction('agent1', id, 'TRANSFER_SST'), 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing');
    expectApiError(await f.dialogAction('agent1', id, 'TRANSFER_SST', to('3001')), 400, 'ERR_FINESSE_INVALID_DESTINATION', 'Invalid Destination');
    expectApiError(await f.dialogAction('agent1', id, 'TRANSFER_SST', to(CUSTOMER)), 400, 'ERR_FINESSE_INVALID_DESTINATION', 'Invalid Destination');
    expect(await f.state('agent1')).toBe('TALKING');
  });
});
