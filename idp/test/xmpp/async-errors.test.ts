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
});
