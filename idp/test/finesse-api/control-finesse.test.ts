import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { basic, expectApiError, FinesseLab, text } from './finesse-lab.js';

/**
 * The control API's Finesse part over HTTP on the console port (`/api/finesse`): agent states,
 * a simulated customer call and its hang-up, the lockout unlock (reference A.2.1), zod-checked
 * bodies with the control API's JSON errors, and 404 when Finesse does not run.
 */

let f: FinesseLab;
beforeAll(async () => {
  f = await FinesseLab.start();
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());

interface Json {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes
}

async function control(method: string, path: string, body?: unknown, base = f.console): Promise<Json> {
  const res = await fetch(`${base}/api/finesse${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, body: await res.json() };
}

function expectControlError(r: Json, status: number, code: string): void {
  expect(r.status).toBe(status);
  expect(r.body.error.code).toBe(code);
  expect(typeof r.body.error.message).toBe('string');
}

describe('GET /api/finesse/agents', () => {
  it('lists every Finesse user with its live state', async () => {
    await f.ready('agent1');
    const r = await control('GET', '/agents');
    expect(r.status).toBe(200);
    expect(r.body.map((a: { username: string }) => a.username).sort()).toEqual(['agent1', 'agent2', 'nonsso1', 'supervisor1']);
    const a1 = r.body.find((a: { username: string }) => a.username === 'agent1');
    expect(a1).toMatchObject({ loginId: '1001', extension: '3001', state: 'READY', reasonCodeId: -1, pendingState: '', dialogs: [] });
    expect(a1.stateChangeTime).toMatch(/Z$/);
    expect(r.body.find((a: { username: string }) => a.username === 'agent2').state).toBe('LOGOUT');
  });
});

describe('POST /api/finesse/calls', () => {
  it('rings a READY agent: 201 with the dialog; the agent sees it ALERTING; hangup ends it', async () => {
    await f.ready('agent1');
    const r = await control('POST', '/calls', { to: '1001', from: '6135550000', callVariables: { callVariable1: 'vip', 'user.account': '77' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ state: 'ALERTING', callType: 'ACD_IN', fromAddress: '6135550000', toAddress: '3001', uri: `/finesse/api/Dialog/${r.body.id}` });
    expect(r.body.id).toMatch(/^\d+$/);
    expect(r.body.participants).toEqual([
      { mediaAddress: '6135550000', loginId: null, state: 'ACTIVE', stateCause: '' },
      { mediaAddress: '3001', loginId: '1001', state: 'ALERTING', stateCause: '' },
    ]);
    expect(r.body.callVariables).toEqual([{ name: 'callVariable1', value: 'vip' }, { name: 'user.account', value: '77' }]);
    expect(await f.state('agent1')).toBe('RESERVED');
    const [d] = await f.dialogs('agent1');
    expect(text(d!, 'id')).toBe(r.body.id);
    expect((await control('GET', '/agents')).body.find((a: { loginId: string }) => a.loginId === '1001').dialogs).toEqual([r.body.id]);
    expect((await control('GET', '/calls')).body.map((c: { id: string }) => c.id)).toEqual([r.body.id]);

    const hung = await control('POST', `/calls/${r.body.id}/hangup`);
    expect(hung.status).toBe(200);
    expect(hung.body.state).toBe('DROPPED');
    expect(await f.dialogs('agent1')).toEqual([]);
    expect(await f.state('agent1')).toBe('READY');
    expectControlError(await control('POST', `/calls/${r.body.id}/hangup`), 404, 'ERR_CONTROL_NOT_FOUND');
  });

  it('by extension too, with a default caller number', async () => {
    await f.ready('agent2');
    const r = await control('POST', '/calls', { to: '3002' });
    expect(r.status).toBe(201);
    expect(r.body.fromAddress).toMatch(/^\d+$/);
  });

  it('an agent not READY: 409 ERR_CONTROL_CONFLICT; an unknown agent: 404', async () => {
    expectControlError(await control('POST', '/calls', { to: '1001' }), 409, 'ERR_CONTROL_CONFLICT');
    await f.login('agent1');
    expectControlError(await control('POST', '/calls', { to: '1001' }), 409, 'ERR_CONTROL_CONFLICT');
    expectControlError(await control('POST', '/calls', { to: '8888' }), 404, 'ERR_CONTROL_NOT_FOUND');
  });

  it('a bad body: 400 ERR_CONTROL_INVALID with the issue paths', async () => {
    const cases: Array<[unknown, string[]]> = [
      [{}, ['to']],
      [{ to: '1001', from: 'abc' }, ['from']],
      [{ to: '1001', callVariables: { callVariable99: 'x' } }, ['callVariables.callVariable99']],
      [{ to: '1001', extra: true }, ['(root)']],
      [[1, 2], ['(root)']],
    ];
    for (const [body, paths] of cases) {
      const r = await control('POST', '/calls', body);
      expectControlError(r, 400, 'ERR_CONTROL_INVALID');
      expect(r.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(paths);
    }
    expectControlError(await control('POST', '/calls', '{"to":'), 400, 'ERR_HTTP_BAD_REQUEST');
  });
});

describe('POST /api/finesse/unlock/:username', () => {
  it('lifts a sign-in lockout at once', async () => {
    const good = { authorization: basic('nonsso1', 'NonSso1Pass!') };
    for (let i = 0; i < 5; i++) await f.get(undefined, '/User/1003', { headers: { authorization: basic('nonsso1', 'bad') } });
    expectApiError(await f.get(undefined, '/User/1003', { headers: good }), 401, 'ERR_FINESSE_LOCKED_OUT', 'Authorization Failure');
    const r = await control('POST', '/unlock/nonsso1');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ unlocked: 'nonsso1' });
    expect((await f.get(undefined, '/User/1003', { headers: good })).status).toBe(200);
  });

  it('an unknown user: 404', async () => {
    expectControlError(await control('POST', '/unlock/ghost'), 404, 'ERR_CONTROL_NOT_FOUND');
  });
});

describe('without Finesse', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['console'] });
  });
  afterAll(() => lab?.stop());

  it('every route answers 404 ERR_CONTROL_NOT_FOUND', async () => {
    for (const [method, path] of [['GET', '/agents'], ['POST', '/calls'], ['POST', '/calls/1/hangup'], ['POST', '/unlock/agent1']] as const) {
      expectControlError(await control(method, path, method === 'POST' ? { to: '1001' } : undefined, lab.urls.console), 404, 'ERR_CONTROL_NOT_FOUND');
    }
  });
});
