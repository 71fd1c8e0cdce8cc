import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FinesseApiError, type FinesseRestClient } from '../../../harness/src/clients/finesse/rest-client.js';
import { FinesseSsoError } from '../../../harness/src/clients/finesse/sso-token-client.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { PASSWORD, advanceClock, basic, control, restClient, ssoClient } from './finesse-sso-helpers.js';

/**
 * DESIGN F3: the Finesse REST API with the SSO token (reference A.2.1: "For an SSO enabled user,
 * use the access token in the authorization header"; non-SSO users use Basic). Every refusal is
 * 401 with Finesse's `<ApiErrors>` and our code; for a token IdS does not accept, ErrorData
 * carries IdS's reason (ERR_IDS_TOKEN_INVALID / _EXPIRED / _REVOKED).
 */
describe('Finesse REST with SSO tokens (F3)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });
  beforeEach(async () => {
    expect((await control(lab, 'POST', '/reset')).status).toBe(200);
  });

  /** The FinesseApiError of a call that must fail. */
  async function refused(call: (api: FinesseRestClient) => Promise<unknown>, authorization: string): Promise<FinesseApiError> {
    const e = await call(restClient(lab, authorization)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(FinesseApiError);
    return e as FinesseApiError;
  }
  const getUser1001 = (api: FinesseRestClient) => api.getUser('1001');

  it('GET User/1001 with agent1\'s Bearer token: 200, the User object', async () => {
    const t = await ssoClient(lab, 'agent1').acquire();
    const user = await restClient(lab, `Bearer ${t.token}`).getUser('1001');
    expect(user.loginId).toBe('1001');
    expect(user.loginName).toBe('agent1');
    expect(user.state).toBe('LOGOUT');
    expect(user.roles).toEqual(['Agent']);
  });

  it('a random string as Bearer token: 401 ERR_FINESSE_UNAUTHORIZED, ErrorData ERR_IDS_TOKEN_INVALID', async () => {
    const e = await refused(getUser1001, `Bearer ${randomBytes(48).toString('base64url')}`);
    expect([e.status, e.code, e.errorType, e.errorData]).toEqual([401, 'ERR_FINESSE_UNAUTHORIZED', 'Authorization Failure', 'ERR_IDS_TOKEN_INVALID']);
  });

  it('a JWT with IdS\'s header and a real payload signed by another key (Encrypt Token off): 401 ERR_IDS_TOKEN_INVALID, while the genuine one passes', async () => {
    expect((await control(lab, 'PATCH', '/ids/settings', { encrypt: false })).status).toBe(200);
    const t = await ssoClient(lab, 'agent1').acquire();
    const [header, payload] = t.token.split('.');
    expect(t.token.split('.').length).toBe(3);
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ cty: 'JWT', alg: 'RS256' }); // A.1.4
    expect((await restClient(lab, `Bearer ${t.token}`).getUser('1001')).loginName).toBe('agent1');

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forge = (body: string) => `${header}.${body}.${sign('sha256', Buffer.from(`${header}.${body}`), privateKey).toString('base64url')}`;
    const same = await refused(getUser1001, `Bearer ${forge(payload!)}`);
    expect([same.status, same.code, same.errorData]).toEqual([401, 'ERR_FINESSE_UNAUTHORIZED', 'ERR_IDS_TOKEN_INVALID']);

    // The forger's aim: the same token rewritten to speak for agent2.
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { sub: string };
    const sub = JSON.parse(claims.sub) as Record<string, unknown>;
    expect(sub['user_id']).toBe('agent1');
    const asAgent2 = Buffer.from(JSON.stringify({ ...claims, sub: JSON.stringify({ ...sub, user_id: 'agent2', upn: 'agent2@lab.example' }) })).toString('base64url');
    const other = await refused((api) => api.getUser('1002'), `Bearer ${forge(asAgent2)}`);
    expect([other.status, other.code, other.errorData]).toEqual([401, 'ERR_FINESSE_UNAUTHORIZED', 'ERR_IDS_TOKEN_INVALID']);
  });

  it('an expired token (lab clock + 61 min): 401, ErrorData ERR_IDS_TOKEN_EXPIRED', async () => {
    const t = await ssoClient(lab, 'agent1').acquire();
    await advanceClock(lab, 61 * 60_000);
    const e = await refused(getUser1001, `Bearer ${t.token}`);
    expect([e.status, e.code, e.errorData]).toEqual([401, 'ERR_FINESSE_UNAUTHORIZED', 'ERR_IDS_TOKEN_EXPIRED']);
  });

  it('a revoked token (POST /api/ids/tokens/revoke): 401 at once, ErrorData ERR_IDS_TOKEN_REVOKED', async () => {
    const t = await ssoClient(lab, 'agent1').acquire();
    expect((await restClient(lab, `Bearer ${t.token}`).getUser('1001')).loginId).toBe('1001');
    const r = await control(lab, 'POST', '/ids/tokens/revoke', { token: t.token });
    expect(r.json).toEqual({ revoked: 1 });
    const e = await refused(getUser1001, `Bearer ${t.token}`);
    expect([e.status, e.code, e.errorData]).toEqual([401, 'ERR_FINESSE_UNAUTHORIZED', 'ERR_IDS_TOKEN_REVOKED']);
  });

  it('agent1\'s token on User/1002: 401 ERR_FINESSE_WRONG_USER "Invalid Authorization User Specified" (A.2.2)', async () => {
    const t = await ssoClient(lab, 'agent1').acquire();
    const e = await refused((api) => api.getUser('1002'), `Bearer ${t.token}`);
    expect([e.status, e.code, e.errorType]).toEqual([401, 'ERR_FINESSE_WRONG_USER', 'Invalid Authorization User Specified']);
    const put = await refused((api) => api.login('1002', '3002'), `Bearer ${t.token}`);
    expect([put.status, put.code]).toEqual([401, 'ERR_FINESSE_WRONG_USER']);
  });

  it('Basic for an SSO user, even with the right password: 401 ERR_FINESSE_UNAUTHORIZED', async () => {
    const e = await refused(getUser1001, basic('agent1', PASSWORD['agent1']!));
    expect([e.status, e.code, e.errorType]).toEqual([401, 'ERR_FINESSE_UNAUTHORIZED', 'Authorization Failure']);
  });

  it('nonsso1 cannot get an SSO token (400 ERR_FINESSE_SSO_NOT_SSO_USER) and signs in with Basic instead', async () => {
    const err = await ssoClient(lab, 'nonsso1').acquire().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FinesseSsoError);
    expect([(err as FinesseSsoError).status, (err as FinesseSsoError).code]).toEqual([400, 'ERR_FINESSE_SSO_NOT_SSO_USER']);
    const api = restClient(lab, basic('nonsso1', PASSWORD['nonsso1']!));
    const user = await api.getUser('1003');
    expect(user.loginName).toBe('nonsso1');
    expect((await api.systemInfo()).systemAuthMode).toBe('HYBRID');
  });
});
