import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { elements, expectApiError, FinesseLab, names, one, text, userBody } from './finesse-lab.js';

/**
 * The read side of the REST API: SystemInfo (reference A.2.3), the User object's shape
 * (A.2.4), ReasonCodes, the [INF] UserAuthMode, unknown resources and methods, and the
 * loginId-vs-loginName rule of A.2.1 in UCCE and UCCX.
 */

const USER_ELEMENTS = [
  'dialogs', 'extension', 'firstName', 'lastName', 'loginId', 'loginName', 'mediaType', 'pendingState', 'reasonCodeId',
  'roles', 'settings', 'state', 'stateChangeTime', 'teamId', 'teamName', 'teams', 'uri',
];
const REASON_CODE_ELEMENTS = ['uri', 'id', 'category', 'code', 'label', 'forAll', 'systemCode'];

let f: FinesseLab;
beforeAll(async () => {
  f = await FinesseLab.start();
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());

describe('GET /User/<loginId>', () => {
  it('is the User object, elements in order, application/xml', async () => {
    const res = await f.get('agent1', '/User/1001');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    const u = res.root!;
    expect(u.tagName).toBe('User');
    expect(names(u)).toEqual(USER_ELEMENTS);
    expect(text(u, 'dialogs')).toBe('/finesse/api/User/1001/Dialogs');
    expect(text(u, 'firstName')).toBe('Alice');
    expect(text(u, 'lastName')).toBe('Agent');
    expect(text(u, 'loginId')).toBe('1001');
    expect(text(u, 'loginName')).toBe('agent1');
    expect(text(u, 'state')).toBe('LOGOUT');
    expect(text(u, 'reasonCodeId')).toBe('-1');
    expect(text(u, 'stateChangeTime')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(names(one(u, 'settings'))).toEqual(['wrapUpOnIncoming']);
    expect(text(u, 'uri')).toBe('/finesse/api/User/1001');
  });

  it('shows ReasonCode right after reasonCodeId when one is set', async () => {
    await f.login('agent1');
    await f.setState('agent1', 'NOT_READY', { reasonCodeId: '1' });
    const u = await f.user('agent1');
    const expected = [...USER_ELEMENTS];
    expected.splice(expected.indexOf('reasonCodeId') + 1, 0, 'ReasonCode');
    expect(names(u)).toEqual(expected);
    expect(names(one(u, 'ReasonCode'))).toEqual(REASON_CODE_ELEMENTS);
  });
});

describe('GET /SystemInfo', () => {
  it('needs credentials', async () => {
    expectApiError(await f.get(undefined, '/SystemInfo'), 401, 'ERR_FINESSE_UNAUTHORIZED', 'Authorization Failure');
  });

  it('reports the deployment, the auth mode, the XMPP domains, IN_SERVICE', async () => {
    f.lab.state.clock.freeze(Date.parse('2029-06-07T08:09:10.111Z'));
    const res = await f.get('nonsso1', '/SystemInfo');
    expect(res.status).toBe(200);
    const s = res.root!;
    expect(s.tagName).toBe('SystemInfo');
    expect(names(s).slice(0, 11)).toEqual([
      'currentTimestamp', 'deploymentType', 'license', 'primaryNode', 'status', 'statusReason', 'systemAuthMode', 'timezoneOffset',
      'uri', 'xmppDomain', 'xmppPubSubDomain',
    ]);
    expect(text(s, 'currentTimestamp')).toBe('2029-06-07T08:09:10.111Z');
    expect(text(s, 'deploymentType')).toBe('UCCE');
    expect(text(s, 'status')).toBe('IN_SERVICE');
    expect(text(s, 'systemAuthMode')).toBe('HYBRID');
    expect(text(s, 'uri')).toBe('/finesse/api/SystemInfo');
    expect(text(one(s, 'primaryNode'), 'host')).toBe(new URL(f.lab.urls.finesse!).hostname);
    expect(text(s, 'xmppDomain')).toBe(f.lab.state.finesse!.xmppDomain);
    expect(text(s, 'xmppPubSubDomain')).toBe(`pubsub.${f.lab.state.finesse!.xmppDomain}`);
    expect(text(s, 'ctiVersion')).not.toBe('');
  });
});

describe('GET /UserAuthMode?username= [INF]', () => {
  it("answers each user's mode without credentials (a desktop asks before signing in)", async () => {
    const mode = async (u: string) => {
      const res = await f.get(undefined, `/UserAuthMode?username=${u}`);
      expect(res.status, res.text).toBe(200);
      expect(res.root!.tagName).toBe('UserAuthMode');
      return text(res.root!, 'authMode');
    };
    expect(await mode('agent1')).toBe('SSO');
    expect(await mode('1001')).toBe('SSO');
    expect(await mode('nonsso1')).toBe('NON_SSO');
  });

  it('unknown user 404 User Not Found, no username 400 Parameter Missing', async () => {
    expectApiError(await f.get(undefined, '/UserAuthMode?username=nobody'), 404, 'ERR_FINESSE_USER_NOT_FOUND', 'User Not Found');
    expectApiError(await f.get(undefined, '/UserAuthMode'), 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing');
  });
});

describe('GET /User/<id>/ReasonCodes', () => {
  it('lists the codes offered to the agent by category, in the A.2.4 shape', async () => {
    const get = async (as: string, category: string) => {
      const res = await f.get(as, `/User/${f.loginIdOf(as)}/ReasonCodes?category=${category}`);
      expect(res.status, res.text).toBe(200);
      expect(res.root!.tagName).toBe('ReasonCodes');
      expect(res.root!.getAttribute('category')).toBe(category);
      const codes = elements(res.root!);
      for (const c of codes) {
        expect(c.tagName).toBe('ReasonCode');
        expect(names(c)).toEqual(REASON_CODE_ELEMENTS);
        expect(text(c, 'uri')).toBe(`/finesse/api/ReasonCode/${text(c, 'id')}`);
      }
      return codes.map((c) => `${text(c, 'id')}:${text(c, 'label')}:${text(c, 'category')}:${text(c, 'code')}`);
    };
    expect(await get('nonsso1', 'NOT_READY')).toEqual(['1:Break:NOT_READY:10', '2:Lunch:NOT_READY:11', '3:Training:NOT_READY:12']);
    // Coaching is Team Sales's own code.
    expect(await get('agent1', 'NOT_READY')).toEqual(['1:Break:NOT_READY:10', '2:Lunch:NOT_READY:11', '3:Training:NOT_READY:12', '5:Coaching:NOT_READY:13']);
    expect(await get('agent1', 'LOGOUT')).toEqual(['4:End of shift:LOGOUT:20']);
    expect(await get('nonsso1', 'ALL')).toEqual(['1:Break:NOT_READY:10', '2:Lunch:NOT_READY:11', '3:Training:NOT_READY:12', '4:End of shift:LOGOUT:20']);
  });

  it('missing category 400 Parameter Missing; another value 400 Invalid Input', async () => {
    expectApiError(await f.get('agent1', '/User/1001/ReasonCodes'), 400, 'ERR_FINESSE_PARAMETER_MISSING', 'Parameter Missing');
    for (const q of ['?category=BREAK', '?category=not_ready', '?category=ALL&category=LOGOUT']) {
      expectApiError(await f.get('agent1', `/User/1001/ReasonCodes${q}`), 400, 'ERR_FINESSE_INVALID_INPUT', 'Invalid Input');
    }
  });

  it("another agent's codes: 401 Invalid Authorization User Specified", async () => {
    expectApiError(await f.get('agent1', '/User/1002/ReasonCodes?category=ALL'), 401, 'ERR_FINESSE_WRONG_USER', 'Invalid Authorization User Specified');
  });
});

describe('unknown resources and methods', () => {
  it('an unknown path: 404 Not Found in ApiErrors', async () => {
    expectApiError(await f.get('agent1', '/Users'), 404, 'ERR_FINESSE_NOT_FOUND', 'Not Found');
    expectApiError(await f.get('agent1', '/User/1001/Media/1'), 404, 'ERR_FINESSE_NOT_FOUND', 'Not Found');
  });

  it('an unsupported method on a resource: 501 Not Implemented', async () => {
    expectApiError(await f.call('agent1', 'DELETE', '/User/1001'), 501, 'ERR_FINESSE_NOT_IMPLEMENTED', 'Not Implemented');
    expectApiError(await f.call('agent1', 'POST', '/SystemInfo', { body: '<SystemInfo/>' }), 501, 'ERR_FINESSE_NOT_IMPLEMENTED', 'Not Implemented');
    expectApiError(await f.call('agent1', 'PATCH', '/Dialog/1', { body: '<Dialog/>' }), 501, 'ERR_FINESSE_NOT_IMPLEMENTED', 'Not Implemented');
  });

  it('an unknown user: 404 User Not Found', async () => {
    expectApiError(await f.get('agent1', '/User/nobody'), 404, 'ERR_FINESSE_USER_NOT_FOUND', 'User Not Found');
    expectApiError(await f.get('agent1', '/User/9999'), 404, 'ERR_FINESSE_USER_NOT_FOUND', 'User Not Found');
  });
});

describe('UCCE: loginName in the URL (reference A.2.1)', () => {
  it('GET /User/<loginName> returns the object, so the client learns the loginId', async () => {
    const res = await f.get('agent1', '/User/agent1');
    expect(res.status).toBe(200);
    expect(text(res.root!, 'loginId')).toBe('1001');
    expect(text(res.root!, 'uri')).toBe('/finesse/api/User/1001');
  });

  it('every other call by loginName is 404 User Not Found, saying to use the loginId', async () => {
    await f.login('agent1');
    const calls = [
      f.put('agent1', '/User/agent1', userBody({ state: 'READY' })),
      f.get('agent1', '/User/agent1/Dialogs'),
      f.get('agent1', '/User/agent1/ReasonCodes?category=ALL'),
      f.post('agent1', '/User/agent1/Dialogs', '<Dialog><requestedAction>MAKE_CALL</requestedAction><fromAddress>3001</fromAddress><toAddress>5551000</toAddress></Dialog>'),
    ];
    for (const res of await Promise.all(calls)) {
      expectApiError(res, 404, 'ERR_FINESSE_USER_NOT_FOUND', 'User Not Found');
      expect(text(one(res.root!, 'ApiError'), 'ErrorMessage')).toMatch(/loginId/);
    }
    expect(await f.state('agent1')).toBe('NOT_READY');
  });

  it("the loginName of someone else is still someone else's: 401", async () => {
    expectApiError(await f.get('agent1', '/User/agent2'), 401, 'ERR_FINESSE_WRONG_USER', 'Invalid Authorization User Specified');
  });
});

describe('UCCX: loginName and loginId are interchangeable (reference A.2.1)', () => {
  let x: FinesseLab;
  beforeAll(async () => {
    x = await FinesseLab.start({ deploymentType: 'UCCX' });
  });
  afterAll(() => x?.stop());
  beforeEach(() => x.reset());

  it('GET, PUT, Dialogs and ReasonCodes take the loginName', async () => {
    expect((await x.put('agent1', '/User/agent1', userBody({ state: 'LOGIN', extension: '3001' }))).status).toBe(202);
    expect((await x.put('agent1', '/User/agent1', userBody({ state: 'READY' }))).status).toBe(202);
    const res = await x.get('agent1', '/User/agent1');
    expect(text(res.root!, 'state')).toBe('READY');
    expect((await x.get('agent1', '/User/agent1/Dialogs')).status).toBe(200);
    expect((await x.get('agent1', '/User/agent1/ReasonCodes?category=ALL')).status).toBe(200);
    expect(text((await x.get('agent1', '/SystemInfo')).root!, 'deploymentType')).toBe('UCCX');
  });

  it('WORK_READY is a UCCE state: 400 Invalid Input on UCCX', async () => {
    await x.ready('agent1');
    expectApiError(await x.put('agent1', '/User/1001', userBody({ state: 'WORK_READY' })), 400, 'ERR_FINESSE_INVALID_INPUT', 'Invalid Input');
  });
});
