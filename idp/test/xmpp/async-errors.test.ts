import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { userBody, type FinesseLab } from '../finesse-api/finesse-lab.js';
import { Desktop, TRANSPORTS, children, childText, closeDesktops, startXmppLab, type Note, type TransportName } from './xmpp-test-client.js';

/**
 * The asynchronous CTI error (reference A.2.2; captures `error-invalid-state.xml` and
 * `error-invalid-line.xml` of pokornyIt/finesse-api): a state change Finesse accepts but the CTI
 * server refuses gets its REST 202 with an empty body, then an `<apiErrors>` notification on the
 * requester's User node: camelCase elements, `event` in lower case `put`, the `requestId`
 * echoed, `source` the target user. UCCE adds the peripheral gateway's detail; UCCX has none.
 */

let ucce: FinesseLab;
let uccx: FinesseLab;
beforeAll(async () => {
  [ucce, uccx] = await Promise.all([startXmppLab(), startXmppLab({ deploymentType: 'UCCX' })]);
});
afterAll(async () => {
  await Promise.all([ucce?.stop(), uccx?.stop()]);
});
beforeEach(() => {
  ucce.reset();
  uccx.reset();
});
afterEach(() => closeDesktops());

function apiError(n: Note): Element {
  expect(n.data.tagName).toBe('apiErrors');
  const list = children(n.data);
  expect(list.map((e) => e.tagName)).toEqual(['apiError']);
  return list[0]!;
}

describe.each(TRANSPORTS)('over %s', (t: TransportName) => {
  it('READY while signed out: 202 with an empty body, then Invalid State / CF_INVALID_OBJECT_STATE / 22', async () => {
    const d = await Desktop.open(ucce, 'agent1', t);
    const res = await ucce.put('agent1', '/User/1001', userBody({ state: 'READY' }), { headers: { requestId: `bad-ready-${t}` } });
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    const n = await d.note((x) => x.requestId === `bad-ready-${t}`, 'the asynchronous error');
    expect(n.node).toBe('/finesse/api/User/1001');
    // The capture's order: data, requestId, source, event (lower case).
    expect(children(n.update).map((c) => c.tagName)).toEqual(['data', 'requestId', 'source', 'event']);
    expect(n.event).toBe('put');
    expect(n.source).toBe('/finesse/api/User/1001');
    const e = apiError(n);
    expect(children(e).map((c) => c.tagName)).toEqual(['errorType', 'errorMessage', 'errorData']);
    expect(childText(e, 'errorType')).toBe('Invalid State');
    expect(childText(e, 'errorMessage')).toBe('CF_INVALID_OBJECT_STATE');
    expect(childText(e, 'errorData')).toBe('22');
    // Nothing changed: no User notification, and REST still says LOGOUT.
    await d.barrier();
    expect(d.notes.filter((x) => x.data.tagName === 'user')).toEqual([]);
    expect(await ucce.state('agent1')).toBe('LOGOUT');
  });

  it('LOGIN on another extension (UCCE): Invalid Device / CF_INVALID_LOGON_DEVICE_SPECIFIED / 260 with the peripheral detail', async () => {
    const d = await Desktop.open(ucce, 'agent1', t);
    const res = await ucce.put('agent1', '/User/1001', userBody({ state: 'LOGIN', extension: '3002' }), { headers: { requestId: `bad-ext-${t}` } });
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    const n = await d.note((x) => x.requestId === `bad-ext-${t}`, 'the asynchronous error');
    expect(n.event).toBe('put');
    expect(n.source).toBe('/finesse/api/User/1001');
    const e = apiError(n);
    expect(children(e).map((c) => c.tagName)).toEqual(['peripheralErrorCode', 'errorType', 'errorMessage', 'peripheralErrorText', 'peripheralErrorMsg', 'errorData']);
    expect(childText(e, 'errorType')).toBe('Invalid Device');
    expect(childText(e, 'errorMessage')).toBe('CF_INVALID_LOGON_DEVICE_SPECIFIED');
    expect(childText(e, 'errorData')).toBe('260');
    expect(childText(e, 'peripheralErrorCode')).toBe('10125');
    expect(childText(e, 'peripheralErrorMsg')).toBe('PERERR_TELDRIVE_NODEVICETARGETFORNETTARGETID');
    expect(childText(e, 'peripheralErrorText')).not.toBe('');
    expect(await ucce.state('agent1')).toBe('LOGOUT');
  });

  it('LOGIN on another extension (UCCX): the same error without peripheral elements', async () => {
    const d = await Desktop.open(uccx, 'agent1', t);
    const res = await uccx.put('agent1', '/User/1001', userBody({ state: 'LOGIN', extension: '3002' }), { headers: { requestId: `x-${t}` } });
    expect(res.status).toBe(202);
    const e = apiError(await d.note((x) => x.requestId === `x-${t}`, 'the asynchronous error'));
    expect(children(e).map((c) => c.tagName)).toEqual(['errorType', 'errorMessage', 'errorData']);
    expect(childText(e, 'errorType')).toBe('Invalid Device');
    expect(childText(e, 'errorData')).toBe('260');
  });

  it("a supervisor's refused request is reported on the supervisor's node, with the agent as source", async () => {
    const sup = await Desktop.open(ucce, 'supervisor1', t);
    const agent = await Desktop.open(ucce, 'agent1', t);
    const res = await ucce.put('supervisor1', '/User/1001', userBody({ state: 'READY' }), { headers: { requestId: `sup-${t}` } });
    expect(res.status).toBe(202);
    const n = await sup.note((x) => x.requestId === `sup-${t}`, "the error on the supervisor's desktop");
    expect(n.node).toBe('/finesse/api/User/2001');
    expect(n.source).toBe('/finesse/api/User/1001');
    expect(childText(apiError(n), 'errorMessage')).toBe('CF_INVALID_OBJECT_STATE');
    await agent.barrier();
    expect(agent.notes).toEqual([]);
  });

  // Dev Guide "Dialog CTI Error Notification": node User/{id}/Dialogs, elements errorData,
  // errorMessage, errorType; the Update in the ordinary order with event PUT.
  it('MAKE_CALL while READY: 202, then a Call Operation Failure on the Dialogs node, source the collection', async () => {
    const d = await Desktop.open(ucce, 'agent1', t);
    await ucce.ready('agent1');
    const res = await ucce.post('agent1', '/User/1001/Dialogs', '<Dialog><requestedAction>MAKE_CALL</requestedAction><fromAddress>3001</fromAddress><toAddress>5550001</toAddress></Dialog>', {
      headers: { requestId: `call-${t}` },
    });
    expect([res.status, res.text]).toEqual([202, '']);
    const n = await d.note((x) => x.requestId === `call-${t}`, 'the dialog error');
    expect([n.node, n.source, n.event]).toEqual(['/finesse/api/User/1001/Dialogs', '/finesse/api/User/1001/Dialogs', 'PUT']);
    expect(children(n.update).map((c) => c.tagName)).toEqual(['data', 'event', 'requestId', 'source']);
    const e = apiError(n);
    expect(children(e).map((c) => c.tagName)).toEqual(['errorData', 'errorMessage', 'errorType']);
    expect([childText(e, 'errorType'), childText(e, 'errorMessage'), childText(e, 'errorData')]).toEqual(['Call Operation Failure', 'CF_INVALID_OBJECT_STATE', '22']);
    expect((await ucce.dialogs('agent1')).length).toBe(0);
  });

  it('an action the participant state does not allow (HOLD while ringing): 202, then a Generic Error, source the Dialog', async () => {
    const d = await Desktop.open(ucce, 'agent1', t);
    await ucce.ready('agent1');
    const id = await ucce.simulateCall('agent1');
    const res = await ucce.put('agent1', `/Dialog/${id}`, '<Dialog><requestedAction>HOLD</requestedAction><targetMediaAddress>3001</targetMediaAddress></Dialog>', {
      headers: { requestId: `hold-${t}` },
    });
    expect(res.status).toBe(202);
    const n = await d.note((x) => x.requestId === `hold-${t}`, 'the dialog error');
    expect([n.node, n.source]).toEqual(['/finesse/api/User/1001/Dialogs', `/finesse/api/Dialog/${id}`]);
    expect(childText(apiError(n), 'errorType')).toBe('Generic Error');
    expect(await ucce.state('agent1')).toBe('RESERVED');
  });
});
