import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { accessKeyTokens, ADMIN_BASIC, cxoneCodeFlow, discoverCxone, INTEGRATION, oidc, raw, SAM, WEB, startCxoneLab } from './op-helpers.js';

/**
 * The admin API with a CXone access token (RFC 6750 §2.1) instead of the lab's Basic credentials:
 * allowed for an active user whose role is Administrator, 403 for other roles, 401 otherwise.
 */
describe('CXone admin API with a Bearer access token', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startCxoneLab();
  });
  beforeEach(() => lab.state.reset());
  afterAll(() => lab.stop());

  const api = (path: string, authorization: string, init: RequestInit = {}) => raw(`${lab.urls.cxone}/api/v1${path}`, { ...init, headers: { authorization, ...(init.headers as Record<string, string>) } });

  it("accepts the token of sam.system (Administrator) from a browser sign-in, and the integration user's access-key token", async () => {
    const cfg = await discoverCxone(lab, WEB.clientId, oidc.ClientSecretBasic(WEB.secret), WEB.secret);
    const { tokens } = await cxoneCodeFlow(cfg, WEB.redirectUri);
    const list = await api('/login-authenticators', `Bearer ${tokens.access_token}`);
    expect(list.status).toBe(200);
    expect(list.json.loginAuthenticators.length).toBeGreaterThan(0);
    const keys = await accessKeyTokens(lab);
    const users = await api(`/users/${SAM.id}`, `Bearer ${keys.json.access_token}`);
    expect(users.status).toBe(200);
    expect(users.json.username).toBe(SAM.username);
  });

  it('refuses a user of another role with 403 ERR_CXONE_ADMIN_FORBIDDEN', async () => {
    const agent = { username: 'op.agent@lab.example', password: 'Quiet-Harbor-73' };
    const created = await api('/users', ADMIN_BASIC, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...agent, email: agent.username, firstName: 'Olive', lastName: 'Operator', role: 'Agent', active: true }),
    });
    expect(created.status, created.text).toBe(201);
    const cfg = await discoverCxone(lab, WEB.clientId, oidc.ClientSecretBasic(WEB.secret), WEB.secret);
    const { tokens } = await cxoneCodeFlow(cfg, WEB.redirectUri, undefined, agent);
    const r = await api('/users', `Bearer ${tokens.access_token}`);
    expect([r.status, r.code, r.json.code]).toEqual([403, 'ERR_CXONE_ADMIN_FORBIDDEN', 'ERR_CXONE_ADMIN_FORBIDDEN']);
  });

  it('refuses an invalid, expired, ID or deactivated-user token with 401 and a Bearer challenge', async () => {
    const keys = await accessKeyTokens(lab);
    for (const t of ['garbage', keys.json.id_token, keys.json.refresh_token]) {
      const r = await api('/users', `Bearer ${t}`);
      expect([r.status, r.code]).toEqual([401, 'ERR_CXONE_ADMIN_UNAUTHORIZED']);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
    lab.state.clock.advance((lab.state.config.cxone.tokens.accessTokenSeconds + 1) * 1000);
    const expired = await api('/users', `Bearer ${keys.json.access_token}`);
    expect([expired.status, expired.code]).toEqual([401, 'ERR_CXONE_ADMIN_UNAUTHORIZED']);

    const fresh = await accessKeyTokens(lab);
    expect((await api(`/users/${INTEGRATION.id}/deactivate`, ADMIN_BASIC, { method: 'POST' })).status).toBe(200);
    const inactive = await api('/users', `Bearer ${fresh.json.access_token}`);
    expect([inactive.status, inactive.code]).toEqual([401, 'ERR_CXONE_ADMIN_UNAUTHORIZED']);
  });

  it('still takes Basic, and still refuses no credentials', async () => {
    expect((await api('/users', ADMIN_BASIC)).status).toBe(200);
    const none = await raw(`${lab.urls.cxone}/api/v1/users`);
    expect([none.status, none.code]).toEqual([401, 'ERR_CXONE_ADMIN_UNAUTHORIZED']);
  });
});
