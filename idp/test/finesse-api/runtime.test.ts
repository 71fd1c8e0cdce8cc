import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinesseConfigSchema } from '../../src/config/schema.js';
import { createUserDirectory } from '../../src/directory/users.js';
import { readFixtureArray } from '../../src/directory/load-fixtures.js';
import { createFinesseRuntime } from '../../src/finesse/api/runtime.js';
import { simulateCall } from '../../src/finesse/api/simulate-call.js';
import { teamId } from '../../src/finesse/api/teams.js';
import { Clock } from '../../src/shared/clock.js';
import { IdpError } from '../../src/shared/errors.js';
import { createLogger } from '../../src/shared/log.js';
import { fixturesDir as defaultFixturesDir } from '../../src/shared/paths.js';
import { elements, expectApiError, FinesseLab, text, userBody } from './finesse-lab.js';

/**
 * The runtime on its own (reason-code fixture, reset, dialog ids, team ids) and a lab whose
 * fixture configures no reason codes at all (reference A.2.4: the reason is required only "when
 * reason codes are configured").
 */

const tmp = mkdtempSync(join(tmpdir(), 'finesse-runtime-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fixturesWith(reasonCodes: string | undefined): string {
  const dir = mkdtempSync(join(tmp, 'fx-'));
  cpSync(defaultFixturesDir, dir, { recursive: true });
  const file = join(dir, 'finesse', 'reason-codes.json');
  if (reasonCodes === undefined) rmSync(file);
  else writeFileSync(file, reasonCodes);
  return dir;
}

function runtime(fixturesDir = defaultFixturesDir) {
  const users = createUserDirectory();
  users.load(readFixtureArray(defaultFixturesDir, 'users.json'));
  const clock = new Clock();
  return createFinesseRuntime({ users, clock, config: FinesseConfigSchema.parse({}), fixturesDir, log: createLogger('silent') });
}

function fixtureError(fixturesDir: string): IdpError {
  try {
    runtime(fixturesDir);
  } catch (e) {
    expect(e).toBeInstanceOf(IdpError);
    return e as IdpError;
  }
  throw new Error('test: the runtime accepted the fixture');
}

describe('the reason-code fixture', () => {
  it('loads the shipped codes', () => {
    const rt = runtime();
    expect(rt.reasonCodes.map((c) => `${c.id}/${c.category}/${c.code}/${c.label}`)).toEqual([
      '1/NOT_READY/10/Break',
      '2/NOT_READY/11/Lunch',
      '3/NOT_READY/12/Training',
      '4/LOGOUT/20/End of shift',
      '5/NOT_READY/13/Coaching',
    ]);
  });

  it.each([
    ['not an array', '{"id":1}'],
    ['not JSON', '[{'],
    ['a bad category', '[{"id":1,"code":1,"label":"x","category":"BREAK"}]'],
    ['an unknown key', '[{"id":1,"code":1,"label":"x","category":"LOGOUT","colour":"red"}]'],
    ['a duplicate id', '[{"id":1,"code":1,"label":"x","category":"LOGOUT"},{"id":1,"code":2,"label":"y","category":"NOT_READY"}]'],
    ['a missing file', undefined],
  ])('%s: ERR_FIXTURE_INVALID at start', (_name, content) => {
    expect(fixtureError(fixturesWith(content)).code).toBe('ERR_FIXTURE_INVALID');
  });
});

describe('reset', () => {
  it('signs everyone out, drops the dialogs, restarts dialog ids, keeps listeners', () => {
    const rt = runtime();
    const seen: string[] = [];
    rt.onChange((c) => seen.push(c.event));
    const a = rt.agent('1001');
    a.extension = '3001';
    rt.setState(a, 'READY');
    const first = simulateCall(rt, { to: '1001' });
    expect(first.id).toBe('16777217');
    expect(rt.agent('1001').state).toBe('RESERVED');
    rt.reset();
    expect(rt.agent('1001').state).toBe('LOGOUT');
    expect(rt.dialogs()).toEqual([]);
    rt.setState(rt.agent('1001'), 'READY');
    rt.agent('1001').extension = '3001';
    expect(simulateCall(rt, { to: '1001' }).id).toBe('16777217');
    expect(seen.filter((e) => e === 'POST').length).toBe(2);
  });
});

describe('team ids', () => {
  it('are four digits and stable for a name', () => {
    expect(teamId('Sales')).toMatch(/^\d{4}$/);
    expect(teamId('Sales')).toBe(teamId('Sales'));
    expect(teamId('Sales')).not.toBe(teamId('Support'));
  });
});

describe('a lab with no reason codes configured', () => {
  let f: FinesseLab;
  beforeAll(async () => {
    f = await FinesseLab.start({}, { fixturesDir: fixturesWith('[]') });
  });
  afterAll(() => f?.stop());

  it('NOT_READY needs no reason; any reason is not allowed; the lists are empty', async () => {
    await f.ready('agent1');
    expect((await f.put('agent1', '/User/1001', userBody({ state: 'NOT_READY' }))).status).toBe(202);
    expect(text(await f.user('agent1'), 'reasonCodeId')).toBe('-1');
    expectApiError(await f.put('agent1', '/User/1001', userBody({ state: 'NOT_READY', reasonCodeId: '1' })), 400, 'ERR_FINESSE_REASON_CODE_NOT_ALLOWED', 'Invalid Input');
    const list = await f.get('agent1', '/User/1001/ReasonCodes?category=ALL');
    expect(list.status).toBe(200);
    expect(elements(list.root!)).toEqual([]);
  });
});
