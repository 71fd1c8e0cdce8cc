import { DOMParser } from '@xmldom/xmldom';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FinesseChange } from '../../src/finesse/api/runtime.js';
import { FinesseLab, text, userBody } from './finesse-lab.js';

/**
 * The runtime's change listener, the hook the XMPP notification service publishes from
 * (reference A.2.6): one event per accepted change, on the User or Dialogs node, carrying the
 * request's `requestId` header (reference A.2.4) and the full object XML; nothing for a refused
 * request; a failing listener never fails the request.
 */

let f: FinesseLab;
beforeAll(async () => {
  f = await FinesseLab.start();
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());

const summary = (cs: FinesseChange[]) => cs.map((c) => `${c.node} ${c.event}`);
const parse = (xml: string) => new DOMParser().parseFromString(xml, 'application/xml').documentElement!;

describe('User changes', () => {
  it('a state change publishes the User on its node with the requestId echoed', async () => {
    const res = await f.put('agent1', '/User/1001', userBody({ state: 'LOGIN', extension: '3001' }), { headers: { requestId: 'req-42' } });
    expect(res.status).toBe(202);
    expect(f.changes.length).toBe(1);
    const c = f.changes[0]!;
    expect(c).toMatchObject({ node: '/finesse/api/User/1001', event: 'PUT', requestId: 'req-42' });
    expect(c.xml.startsWith('<User>')).toBe(true);
    const u = parse(c.xml);
    expect(text(u, 'state')).toBe('NOT_READY');
    expect(text(u, 'extension')).toBe('3001');
  });

  it('without the header there is no requestId', async () => {
    await f.login('agent1');
    expect(f.changes.length).toBe(1);
    expect('requestId' in f.changes[0]!).toBe(false);
  });

  it('a refused request publishes nothing', async () => {
    await f.login('agent1');
    f.changes.length = 0;
    await f.put('agent1', '/User/1001', userBody({ state: 'NOT_READY' })); // reason missing
    await f.put('agent1', '/User/1001', userBody({ state: 'DANCING' }));
    await f.put('agent2', '/User/1001', userBody({ state: 'READY' }));
    await f.put('agent1', '/User/1001', '<User>');
    expect(f.changes).toEqual([]);
  });

  it("a supervisor's change is published on the agent's node", async () => {
    await f.ready('agent1');
    f.changes.length = 0;
    await f.put('supervisor1', '/User/1001', userBody({ state: 'NOT_READY' }), { headers: { requestId: 'sup-1' } });
    expect(summary(f.changes)).toEqual(['/finesse/api/User/1001 PUT']);
    expect(f.changes[0]!.requestId).toBe('sup-1');
    expect(text(parse(f.changes[0]!.xml), 'reasonCodeId')).toBe('999');
  });
});

describe('Dialog changes', () => {
  it('MAKE_CALL, ANSWER and DROP publish on both agents’ Dialogs nodes and their User nodes', async () => {
    await f.login('agent1');
    await f.ready('agent2');
    f.changes.length = 0;
    const body = '<Dialog><requestedAction>MAKE_CALL</requestedAction><fromAddress>3001</fromAddress><toAddress>3002</toAddress></Dialog>';
    await f.post('agent1', '/User/1001/Dialogs', body, { headers: { requestId: 'call-1' } });
    expect(summary(f.changes)).toEqual(['/finesse/api/User/1001/Dialogs POST', '/finesse/api/User/1002/Dialogs POST', '/finesse/api/User/1002 PUT']);
    expect(f.changes.every((c) => c.requestId === 'call-1')).toBe(true);
    const dialog = parse(f.changes[0]!.xml);
    expect(dialog.tagName).toBe('Dialog');
    const id = text(dialog, 'id');
    expect(text(parse(f.changes[2]!.xml), 'state')).toBe('RESERVED');

    f.changes.length = 0;
    await f.put('agent2', `/Dialog/${id}`, '<Dialog><requestedAction>ANSWER</requestedAction><targetMediaAddress>3002</targetMediaAddress></Dialog>', { headers: { requestId: 'ans-1' } });
    expect(summary(f.changes)).toEqual(['/finesse/api/User/1001/Dialogs PUT', '/finesse/api/User/1002/Dialogs PUT', '/finesse/api/User/1001 PUT', '/finesse/api/User/1002 PUT']);
    expect(f.changes.every((c) => c.requestId === 'ans-1')).toBe(true);

    f.changes.length = 0;
    await f.dialogAction('agent1', id, 'DROP');
    expect(summary(f.changes)).toEqual([
      '/finesse/api/User/1001/Dialogs PUT',
      '/finesse/api/User/1002/Dialogs PUT',
      '/finesse/api/User/1001/Dialogs DELETE',
      '/finesse/api/User/1002/Dialogs DELETE',
      '/finesse/api/User/1001 PUT',
      '/finesse/api/User/1002 PUT',
    ]);
    expect(text(parse(f.changes[0]!.xml), 'state')).toBe('DROPPED');
    expect(text(parse(f.changes[4]!.xml), 'state')).toBe('NOT_READY');
    expect(text(parse(f.changes[5]!.xml), 'state')).toBe('READY');
  });
});

describe('the listener list', () => {
  it('unsubscribes, survives a throwing listener, and outlives a reset', async () => {
    const rt = f.lab.state.finesse!.runtime;
    const seen: string[] = [];
    const off = rt.onChange((c) => seen.push(c.node));
    const offThrower = rt.onChange(() => {
      throw new Error('subscriber bug');
    });
    const after: string[] = [];
    const offAfter = rt.onChange((c) => after.push(c.node));
    await f.login('agent1');
    expect(seen).toEqual(['/finesse/api/User/1001']);
    expect(after).toEqual(['/finesse/api/User/1001']);
    expect(await f.state('agent1')).toBe('NOT_READY');
    f.reset();
    await f.login('agent2');
    expect(seen).toEqual(['/finesse/api/User/1001', '/finesse/api/User/1002']);
    off();
    offThrower();
    offAfter();
    await f.setState('agent2', 'READY');
    expect(seen.length).toBe(2);
    expect(f.changes.length).toBe(2); // the helper's own listener is still there
  });
});
