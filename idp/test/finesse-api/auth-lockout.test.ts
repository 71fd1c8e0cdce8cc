import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { basic, expectApiError, FinesseLab, text } from './finesse-lab.js';

/**
 * Authentication on the REST API as the error surface shows it (reference A.2.1, A.2.2): 401
 * Authorization Failure for missing, wrong, forged, expired or revoked credentials (the IdS
 * reason in ErrorData for a token), the Basic lockout after five failures for five minutes on
 * the lab clock, and NON_SSO mode where everyone uses Basic.
 */

let f: FinesseLab;
beforeAll(async () => {
  f = await FinesseLab.start();
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());

const withAuth = (authorization: string | undefined, path = '/User/1003') =>
  f.get(undefined, path, { headers: authorization === undefined ? {} : { authorization } });

describe('Basic (non-SSO users)', () => {
  it('no credentials: 401 Authorization Failure with a Basic challenge', async () => {
    const res = await withAuth(undefined);
    expectApiError(res, 401, 'ERR_FINESSE_UNAUTHORIZED', 'Authorization Failure');
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="Finesse"');
  });

  it('a wrong password, an unknown user, a malformed header: 401 Authorization Failure', async () => {
    for (const h of [basic('nonsso1', 'wrong'), basic('ghost', 'x'), 'Basic !!!', 'Basic ' + Buffer.from('nocolon').toString('base64'), 'Digest x', 'Basic']) {
      expectApiError(await withAuth(h), 401, 'ERR_FINESSE_UNAUTHORIZED', 'Authorization Failure');
    }
  });

  it('an SSO user cannot use Basic in HYBRID mode, even with the right password', async () => {
    expectApiError(await withAuth(basic('agent1', 'Agent1Pass!'), '/User/1001'), 401, 'ERR_FINESSE_UNAUTHORIZED', 'Authorization Failure');
  });

  it('the loginId works as the Basic user name too', async () => {
    const res = await withAuth(basic('1003', 'NonSso1Pass!'));
    expect(res.status).toBe(200);
    expect(text(res.root!, 'loginName')).toBe('nonsso1');
  });
});

describe('lockout (reference A.2.1: five failures lock for five minutes)', () => {
  const good = () => basic('nonsso1', 'NonSso1Pass!');
  const bad = () => basic('nonsso1', 'NotThePassword');

  it('five failures lock the user, even with the right password; the lab clock ends the lock', async () => {
    for (let i = 0; i < 5; i++) expectApiError(await withAuth(bad()), 401, 'ERR_FINESSE_UNAUTHORIZED', 'Authorization Failure');
    const locked = await withAuth(good());
    expectApiError(locked, 401, 'ERR_FINESSE_LOCKED_OUT', 'Authorization Failure');
    expect(locked.headers.get('www-authenticate')).toBe('Basic realm="Finesse"');
    // Through the control API, as an external test suite would move time.
    const clock = await fetch(`${f.console}/api/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceMs: 4 * 60_000 }) });
    expect(clock.status).toBe(200);
    expectApiError(await withAuth(good()), 401, 'ERR_FINESSE_LOCKED_OUT', 'Authorization Failure');
    f.lab.state.clock.advance(60_000);
    expect((await withAuth(good())).status).toBe(200);
  });

  it('four failures do not lock, and a success starts the count again', async () => {
    for (let i = 0; i < 4; i++) expectApiError(await withAuth(bad()), 401, 'ERR_FINESSE_UNAUTHORIZED', 'Authorization Failure');
    expect((await withAuth(good())).status).toBe(200);
    for (let i = 0; i < 4; i++) expectApiError(await withAuth(bad()), 401, 'ERR_FINESSE_UNAUTHORIZED', 'Authorization Failure');
    expect((await withAuth(good())).status).toBe(200);
  });

  it('a lock is per user: others still sign in', async () => {
    for (let i = 0; i < 5; i++) await withAuth(bad());
    expectApiError(await withAuth(good()), 401, 'ERR_FINESSE_LOCKED_OUT', 'Authorization Failure');
    expect((await f.get('agent1', '/User/1001')).status).toBe(200);
  });
});

describe('Bearer (SSO users, IdS access tokens)', () => {
  it('a valid token: 200', async () => {
    expect((await f.get('agent1', '/User/1001')).status).toBe(200);
  });

  it('a forged token: 401 Authorization Failure, ErrorData ERR_IDS_TOKEN_INVALID, no Basic challenge', async () => {
    const res = await withAuth('Bearer eyJhbGciOiJSUzI1NiJ9.e30.AAAA', '/User/1001');
    expect(expectApiError(res, 401, 'ERR_FINESSE_UNAUTHORIZED', 'Authorization Failure')).toBe('ERR_IDS_TOKEN_INVALID');
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('an expired token: ErrorData ERR_IDS_TOKEN_EXPIRED', async () => {
    const auth = f.authorization('agent1');
    f.lab.state.clock.advance(61 * 60_000);
    expect(expectApiError(await withAuth(auth, '/User/1001'), 401, 'ERR_FINESSE_UNAUTHORIZED', 'Authorization Failure')).toBe('ERR_IDS_TOKEN_EXPIRED');
  });

  it('a revoked token: ErrorData ERR_IDS_TOKEN_REVOKED', async () => {
    const auth = f.authorization('agent1');
    f.lab.state.ids!.tokens.revokeUser('agent1');
    expect(expectApiError(await withAuth(auth, '/User/1001'), 401, 'ERR_FINESSE_UNAUTHORIZED', 'Authorization Failure')).toBe('ERR_IDS_TOKEN_REVOKED');
  });

  it("a token names its user: agent1's token on agent2's URL is 401 Invalid Authorization User Specified", async () => {
    expectApiError(await withAuth(f.authorization('agent1'), '/User/1002'), 401, 'ERR_FINESSE_WRONG_USER', 'Invalid Authorization User Specified');
  });
});

describe('NON_SSO mode', () => {
  let n: FinesseLab;
  beforeAll(async () => {
    n = await FinesseLab.start({ systemAuthMode: 'NON_SSO' });
  });
  afterAll(() => n?.stop());

  it('everyone uses Basic (SystemInfo says NON_SSO) and Bearer tokens are refused', async () => {
    const res = await n.get(undefined, '/SystemInfo', { headers: { authorization: basic('agent1', 'Agent1Pass!') } });
    expect(res.status).toBe(200);
    expect(text(res.root!, 'systemAuthMode')).toBe('NON_SSO');
    const token = n.lab.state.ids!.tokens.issue({ userId: 'agent1', upn: 'agent1@lab.example', realm: 'lab.example', clientId: n.config.idsClientId }).accessToken;
    expectApiError(await n.get(undefined, '/User/1001', { headers: { authorization: `Bearer ${token}` } }), 401, 'ERR_FINESSE_UNAUTHORIZED', 'Authorization Failure');
  });
});
