import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../../idp/src/lab.js';
import { api, formId, signIn, UserAgent } from './system-helpers.js';
import { SAM, WEB } from './op-helpers.js';

// OIDC Core §3.1.2.1 `prompt`, and what counts as a live CXone session at /auth/authorize.
let lab: Lab;
beforeAll(async () => {
  lab = await startTestLab({ services: ['cxone'] });
});
afterAll(async () => lab?.stop());
beforeEach(() => lab.state.reset());

const authorize = (extra = '') =>
  `${lab.urls.cxone}/auth/authorize?client_id=${WEB.clientId}&redirect_uri=${encodeURIComponent(WEB.redirectUri)}&response_type=code&scope=openid&state=s1${extra}`;

async function signedIn(): Promise<UserAgent> {
  const ua = new UserAgent();
  const done = await signIn(ua, lab, SAM.username, SAM.password);
  expect(done.status).toBe(303);
  return ua;
}

it('a signed-in browser gets its code at once; prompt=login shows the username page again', async () => {
  const ua = await signedIn();
  const direct = await ua.get(authorize());
  expect(direct.status).toBe(302);
  expect(new URL(direct.headers['location'] as string).searchParams.get('code')).toBeTruthy();
  const forced = await ua.follow(await ua.get(authorize('&prompt=login')));
  expect(forced.status).toBe(200);
  expect(formId(forced)).toBe('usernameForm');
});

it('prompt=none without a session returns login_required to the application', async () => {
  const r = await new UserAgent().get(authorize('&prompt=none'));
  expect(r.status).toBe(302);
  const to = new URL(r.headers['location'] as string);
  expect(to.searchParams.get('error')).toBe('login_required');
  expect(to.searchParams.get('state')).toBe('s1');
});

it("a session whose login authenticator was deactivated no longer yields codes", async () => {
  const ua = await signedIn();
  const other = await api(lab, 'POST', '/login-authenticators', { name: 'Second system', type: 'System' });
  expect(other.status).toBe(201);
  // Sam signs in again through a second System authenticator, which is then deactivated.
  const moved = await api(lab, 'PATCH', `/users/${SAM.id}`, { loginAuthenticatorId: other.body['id'] });
  expect(moved.status).toBe(200);
  const ua2 = await signedIn();
  expect((await api(lab, 'POST', `/login-authenticators/${String(other.body['id'])}/deactivate`)).status).toBe(200);
  const r = await ua2.get(authorize());
  expect(r.status).toBe(302);
  expect(r.headers['location']).toMatch(/^\/login\?tx=/);
  // The first browser's session (System Default) is unaffected.
  expect((await ua.get(authorize())).headers['location']).toContain('code=');
});
