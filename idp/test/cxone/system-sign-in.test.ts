import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { api, enterUsername, errorOf, fieldCodes, formId, pageCodes, signedInAs, signIn, submit, systemUser, textOf, UserAgent } from './system-helpers.js';

/**
 * Flow F6 over HTTP, System authenticators without MFA: the fixture user's sign-in (home page and
 * CXone as an OpenID provider), lockout and both ways out of it, expiry, history, a rule change,
 * and the admin's activation and reset — each refusal asserted by its stable code.
 */
let lab: Lab;
const DAY = 86_400_000;
const MINUTE = 60_000;

beforeAll(async () => {
  lab = await startTestLab({ services: ['cxone'] });
});
afterAll(async () => {
  await lab?.stop();
});

describe('the fixture user sam.system@lab.example', () => {
  it('signs in with username then password and lands on the home page with a working session', async () => {
    const ua = new UserAgent();
    const passwordPage = await enterUsername(ua, lab, 'sam.system@lab.example');
    expect(passwordPage.status).toBe(200);
    expect(formId(passwordPage)).toBe('passwordForm');
    expect(textOf(passwordPage, 'username')).toBe('sam.system@lab.example');
    // reference B.1: the authenticator's rules are on the password form
    expect(passwordPage.body).toContain('data-rule="length"');
    expect(passwordPage.body).toContain('At least 6 characters');
    expect(passwordPage.headers['x-frame-options']).toBe('DENY');
    const done = await submit(ua, passwordPage, { password: 'Lab-Entry-42' });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/');
    expect(await signedInAs(ua, lab)).toBe('sam.system@lab.example');
    const home = await ua.get(`${lab.urls.cxone}/`);
    expect(textOf(home, 'amr')).toBe('pwd');
  });

  it('a wrong password shows the page again with ERR_CXONE_LOGIN_BAD_PASSWORD, and the same transaction still works', async () => {
    const ua = new UserAgent();
    const wrong = await signIn(ua, lab, 'sam.system@lab.example', 'Lab-Entry-43');
    expect(wrong.status).toBe(401);
    expect(errorOf(wrong)).toBe('ERR_CXONE_LOGIN_BAD_PASSWORD');
    expect(formId(wrong)).toBe('passwordForm');
    expect(await signedInAs(ua, lab)).toBeUndefined();
    const right = await submit(ua, wrong, { password: 'Lab-Entry-42' });
    expect(right.status).toBe(303);
    expect(await signedInAs(ua, lab)).toBe('sam.system@lab.example');
    const sam = await api(lab, 'GET', '/users/sam.system@lab.example');
    expect(sam.body['failedLogins']).toBe(0);
  });

  it('an empty password is ERR_CXONE_PASSWORD_REQUIRED and does not count', async () => {
    const ua = new UserAgent();
    const empty = await signIn(ua, lab, 'sam.system@lab.example', '');
    expect(empty.status).toBe(400);
    expect(errorOf(empty)).toBe('ERR_CXONE_PASSWORD_REQUIRED');
    expect((await api(lab, 'GET', '/users/sam.system@lab.example')).body['failedLogins']).toBe(0);
  });

  it('signs in for an application: /auth/authorize → sign-in → the redirect URI with code and state', async () => {
    const ua = new UserAgent();
    const q = new URLSearchParams({ client_id: 'cxone-sample-web', redirect_uri: 'http://localhost:8080/cxone/callback', response_type: 'code', scope: 'openid', state: 's' });
    const start = await ua.get(`${lab.urls.cxone}/auth/authorize?${q}`);
    expect(start.status).toBe(302);
    const usernamePage = await ua.follow(start);
    const passwordPage = await enterUsername(ua, lab, 'sam.system@lab.example', usernamePage);
    const back = await submit(ua, passwordPage, { password: 'Lab-Entry-42' });
    expect(back.status).toBe(302);
    const to = new URL(back.location!);
    expect(`${to.origin}${to.pathname}`).toBe('http://localhost:8080/cxone/callback');
    expect(to.searchParams.get('state')).toBe('s');
    expect(to.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });
});

describe('steps out of order and bad input', () => {
  it('no or an unknown transaction is ERR_CXONE_LOGIN_TRANSACTION, never a 500', async () => {
    const ua = new UserAgent();
    for (const path of ['/login/password', '/login/change-password', '/login/mfa', '/login/mfa-enroll']) {
      const none = await ua.post(`${lab.urls.cxone}${path}`, { password: 'x' });
      expect(none.status).toBe(400);
      expect(errorOf(none)).toBe('ERR_CXONE_LOGIN_TRANSACTION');
      const unknown = await ua.post(`${lab.urls.cxone}${path}`, { tx: 'nope', code: '123456' });
      expect(errorOf(unknown)).toBe('ERR_CXONE_LOGIN_TRANSACTION');
    }
  });

  it('a transaction at the password step cannot skip to the later steps', async () => {
    const ua = new UserAgent();
    const passwordPage = await enterUsername(ua, lab, 'sam.system@lab.example');
    const tx = /name="tx" value="([^"]+)"/.exec(passwordPage.body)![1]!;
    for (const path of ['/login/change-password', '/login/mfa', '/login/mfa-enroll']) {
      const skip = await ua.post(`${lab.urls.cxone}${path}`, { tx, newPassword: 'Tq7-mvz-new', confirmPassword: 'Tq7-mvz-new', code: '123456' });
      expect(skip.status).toBe(400);
      expect(errorOf(skip)).toBe('ERR_CXONE_LOGIN_TRANSACTION');
    }
    // repeated fields (an array after parsing) are no password, not a crash
    const body = `tx=${encodeURIComponent(tx)}&password=a&password=b`;
    const r = await fetch(`${lab.urls.cxone}/login/password`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(r.status).toBe(400);
    expect(r.headers.get('x-idp-harness-error')).toBe('ERR_CXONE_PASSWORD_REQUIRED');
  });

  it('a user deactivated during the sign-in is refused at the password step', async () => {
    const { username, userId } = await systemUser(lab, 'deactivated', { userPassword: 'Mq4-rvt-a' });
    const ua = new UserAgent();
    const page = await enterUsername(ua, lab, username);
    expect((await api(lab, 'POST', `/users/${userId}/deactivate`)).status).toBe(200);
    const r = await submit(ua, page, { password: 'Mq4-rvt-a' });
    expect(r.status).toBe(403);
    expect(errorOf(r)).toBe('ERR_CXONE_LOGIN_USER_INACTIVE');
  });
});

describe('lockout (reference B.1: 6 wrong passwords lock for 30 minutes; an admin can unlock)', () => {
  it('locks after 6 failures; the 7th attempt, with the right password, is refused; 30 minutes of lab clock unlock it', async () => {
    const { username } = await systemUser(lab, 'lockout', { userPassword: 'Mq4-rvt-a' });
    const ua = new UserAgent();
    let page = await enterUsername(ua, lab, username);
    for (let i = 1; i <= 6; i++) {
      page = await submit(ua, page, { password: `Wrong-${i}x` });
      expect(page.status).toBe(401);
      expect(errorOf(page)).toBe('ERR_CXONE_LOGIN_BAD_PASSWORD');
    }
    const user = await api(lab, 'GET', `/users/${username}`);
    expect(user.body).toMatchObject({ locked: true, failedLogins: 6 });
    const seventh = await submit(ua, page, { password: 'Mq4-rvt-a' });
    expect(seventh.status).toBe(423);
    expect(errorOf(seventh)).toBe('ERR_CXONE_LOGIN_LOCKED');
    expect(await signedInAs(ua, lab)).toBeUndefined();

    lab.state.clock.advance(29 * MINUTE);
    const still = await signIn(new UserAgent(), lab, username, 'Mq4-rvt-a');
    expect(errorOf(still)).toBe('ERR_CXONE_LOGIN_LOCKED');

    lab.state.clock.advance(1 * MINUTE);
    const after = new UserAgent();
    const ok = await signIn(after, lab, username, 'Mq4-rvt-a');
    expect(ok.status).toBe(303);
    expect(await signedInAs(after, lab)).toBe(username);
    expect((await api(lab, 'GET', `/users/${username}`)).body).toMatchObject({ locked: false, failedLogins: 0 });
  });

  it('an expired lock gives a fresh set of attempts, not an instant re-lock', async () => {
    const { username } = await systemUser(lab, 'relock', { password: { lockoutAttempts: 3, lockoutMinutes: 5 }, userPassword: 'Mq4-rvt-a' });
    const ua = new UserAgent();
    let page = await enterUsername(ua, lab, username);
    for (let i = 0; i < 3; i++) page = await submit(ua, page, { password: 'Wrong-0x' });
    expect((await api(lab, 'GET', `/users/${username}`)).body['locked']).toBe(true);
    lab.state.clock.advance(5 * MINUTE);
    const once = await signIn(new UserAgent(), lab, username, 'Wrong-1x');
    expect(errorOf(once)).toBe('ERR_CXONE_LOGIN_BAD_PASSWORD');
    expect((await api(lab, 'GET', `/users/${username}`)).body).toMatchObject({ locked: false, failedLogins: 1 });
  });

  it('the admin unlocks at once: POST /api/v1/users/:id/unlock', async () => {
    const { username, userId } = await systemUser(lab, 'unlock', { userPassword: 'Mq4-rvt-a' });
    const ua = new UserAgent();
    let page = await enterUsername(ua, lab, username);
    for (let i = 0; i < 6; i++) page = await submit(ua, page, { password: 'Wrong-0x' });
    expect(errorOf(await submit(ua, page, { password: 'Mq4-rvt-a' }))).toBe('ERR_CXONE_LOGIN_LOCKED');
    const unlocked = await api(lab, 'POST', `/users/${userId}/unlock`);
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toMatchObject({ locked: false, failedLogins: 0 });
    const ok = await submit(ua, page, { password: 'Mq4-rvt-a' });
    expect(ok.status).toBe(303);
    expect(await signedInAs(ua, lab)).toBe(username);
  });
});

describe('expiry, history and rule changes', () => {
  it('an expired password leads to the change page; the new one must match its confirmation and pass the rules', async () => {
    const { username } = await systemUser(lab, 'expiry', { password: { expiryDays: 30 }, userPassword: 'Mq4-rvt-a' });
    expect((await signIn(new UserAgent(), lab, username, 'Mq4-rvt-a')).status).toBe(303);
    lab.state.clock.advance(29 * DAY);
    expect((await signIn(new UserAgent(), lab, username, 'Mq4-rvt-a')).status).toBe(303);
    lab.state.clock.advance(1 * DAY);

    const ua = new UserAgent();
    const change = await signIn(ua, lab, username, 'Mq4-rvt-a');
    expect(change.status).toBe(200);
    expect(formId(change)).toBe('changePasswordForm');
    expect(/data-reason="([^"]+)"/.exec(change.body)?.[1]).toBe('expired');
    expect(change.body).toContain('id="ruleData"'); // the live check is there, the form posts without it
    expect(await signedInAs(ua, lab)).toBeUndefined();

    const mismatch = await submit(ua, change, { newPassword: 'Nw5-kpx-b', confirmPassword: 'Nw5-kpx-c' });
    expect(mismatch.status).toBe(400);
    expect(errorOf(mismatch)).toBe('ERR_CXONE_PASSWORD_MISMATCH');
    const weak = await submit(ua, mismatch, { newPassword: 'quinnpass', confirmPassword: 'quinnpass' });
    expect(weak.status).toBe(400);
    expect(errorOf(weak)).toBe('ERR_CXONE_PASSWORD_UPPER');
    expect(pageCodes(weak)).toEqual(['ERR_CXONE_PASSWORD_UPPER', 'ERR_CXONE_PASSWORD_DIGIT', 'ERR_CXONE_PASSWORD_PERSONAL_DATA']);
    const same = await submit(ua, weak, { newPassword: 'Mq4-rvt-a', confirmPassword: 'Mq4-rvt-a' });
    expect(errorOf(same)).toBe('ERR_CXONE_PASSWORD_REUSED');
    const done = await submit(ua, same, { newPassword: 'Nw5-kpx-b', confirmPassword: 'Nw5-kpx-b' });
    expect(done.status).toBe(303);
    expect(await signedInAs(ua, lab)).toBe(username);

    // the new password is current: no change page; the old one is gone
    expect((await signIn(new UserAgent(), lab, username, 'Nw5-kpx-b')).status).toBe(303);
    expect(errorOf(await signIn(new UserAgent(), lab, username, 'Mq4-rvt-a'))).toBe('ERR_CXONE_LOGIN_BAD_PASSWORD');
  });

  it('history refuses a password used within the last N changes', async () => {
    const { username } = await systemUser(lab, 'history', { password: { expiryDays: 10, history: 2 }, userPassword: 'Hp1-first' });
    const changeTo = async (current: string, next: string) => {
      lab.state.clock.advance(10 * DAY);
      const ua = new UserAgent();
      const page = await signIn(ua, lab, username, current);
      expect(formId(page)).toBe('changePasswordForm');
      return { ua, page, result: await submit(ua, page, { newPassword: next, confirmPassword: next }) };
    };
    const first = await changeTo('Hp1-first', 'Hp2-second');
    expect(first.result.status).toBe(303);
    const reuse = await changeTo('Hp2-second', 'Hp1-first');
    expect(reuse.result.status).toBe(400);
    expect(errorOf(reuse.result)).toBe('ERR_CXONE_PASSWORD_REUSED');
    expect(pageCodes(reuse.result)).toEqual(['ERR_CXONE_PASSWORD_REUSED']);
    expect((await submit(reuse.ua, reuse.result, { newPassword: 'Hp3-third', confirmPassword: 'Hp3-third' })).status).toBe(303);
    // history 2 remembers Hp3 (current) and Hp2; Hp1 may come back
    const back = await changeTo('Hp3-third', 'Hp2-second');
    expect(errorOf(back.result)).toBe('ERR_CXONE_PASSWORD_REUSED');
    expect((await submit(back.ua, back.result, { newPassword: 'Hp1-first', confirmPassword: 'Hp1-first' })).status).toBe(303);
  });

  it('a rule change makes a non-compliant password change at the next sign-in', async () => {
    const { username, authenticatorId } = await systemUser(lab, 'rules', { userPassword: 'Rc7vwxyz' });
    expect((await signIn(new UserAgent(), lab, username, 'Rc7vwxyz')).status).toBe(303);
    const patched = await api(lab, 'PATCH', `/login-authenticators/${authenticatorId}`, { system: { password: { minSpecial: 1 } } });
    expect(patched.status).toBe(200);
    const ua = new UserAgent();
    const change = await signIn(ua, lab, username, 'Rc7vwxyz');
    expect(formId(change)).toBe('changePasswordForm');
    expect(/data-reason="([^"]+)"/.exec(change.body)?.[1]).toBe('non-compliant');
    expect(change.body).toContain('data-rule="special"');
    expect(errorOf(await submit(ua, change, { newPassword: 'Rc8vwxyz', confirmPassword: 'Rc8vwxyz' }))).toBe('ERR_CXONE_PASSWORD_SPECIAL');
  });
});

describe("the admin's activation and reset run the same checks", () => {
  it('activation with a bad password answers each rule code; a good one activates', async () => {
    const a = await api(lab, 'POST', '/login-authenticators', { name: 'System activation', type: 'System', system: { password: { minSpecial: 1, history: 3 } } });
    const created = await api(lab, 'POST', '/users', { username: 'morgan.lee@corp.example', email: 'morgan.lee@corp.example', firstName: 'Morgan', lastName: 'Lee', loginAuthenticatorId: a.body['id'] });
    expect(created.status).toBe(201);
    const id = created.body['id'] as string;
    const activate = (password?: string) => api(lab, 'POST', `/users/${id}/activate`, password === undefined ? {} : { password });
    const cases: Array<[string, string[]]> = [
      ['Ab1-', ['ERR_CXONE_PASSWORD_TOO_SHORT']],
      ['ABC-123', ['ERR_CXONE_PASSWORD_LOWER']],
      ['abc-123', ['ERR_CXONE_PASSWORD_UPPER']],
      ['Abc-def', ['ERR_CXONE_PASSWORD_DIGIT']],
      ['Kwz7416', ['ERR_CXONE_PASSWORD_SPECIAL']],
      ['My-Password1', ['ERR_CXONE_PASSWORD_CONTAINS_PASSWORD']],
      ['Xy1-Morgan', ['ERR_CXONE_PASSWORD_PERSONAL_DATA']],
      ['Xy1-LEE', ['ERR_CXONE_PASSWORD_PERSONAL_DATA']],
      ['1-morgan.lee@corp.example-X', ['ERR_CXONE_PASSWORD_PERSONAL_DATA']],
      ['Xy1-CXone', ['ERR_CXONE_PASSWORD_PERSONAL_DATA']],
      ['P@ssw0rd', ['ERR_CXONE_PASSWORD_COMMON']],
    ];
    for (const [password, expected] of cases) {
      const r = await activate(password);
      expect(r.status, password).toBe(400);
      expect(fieldCodes(r), password).toEqual(expected);
    }
    expect(fieldCodes(await activate())).toEqual(['ERR_CXONE_PASSWORD_REQUIRED']);
    expect((await api(lab, 'GET', `/users/${id}`)).body['active']).toBe(false);
    const ok = await activate('Qz8-vnt-k');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ active: true, passwordSet: true, mustChangePassword: false });
    expect((await signIn(new UserAgent(), lab, 'morgan.lee@corp.example', 'Qz8-vnt-k')).status).toBe(303);
  });

  it('an admin reset (POST /users/:id/password) forces a change at the next sign-in and clears a lock', async () => {
    const { username, userId } = await systemUser(lab, 'reset', { password: { history: 2 }, userPassword: 'Mq4-rvt-a' });
    const ua0 = new UserAgent();
    let page = await enterUsername(ua0, lab, username);
    for (let i = 0; i < 6; i++) page = await submit(ua0, page, { password: 'Wrong-0x' });
    const weak = await api(lab, 'POST', `/users/${userId}/password`, { password: 'dragon1' });
    expect(weak.status).toBe(400);
    expect(fieldCodes(weak)).toEqual(['ERR_CXONE_PASSWORD_UPPER', 'ERR_CXONE_PASSWORD_COMMON']);
    const reset = await api(lab, 'POST', `/users/${userId}/password`, { password: 'Tmp9-reset' });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ mustChangePassword: true, locked: false });

    const ua = new UserAgent();
    const change = await signIn(ua, lab, username, 'Tmp9-reset');
    expect(formId(change)).toBe('changePasswordForm');
    expect(/data-reason="([^"]+)"/.exec(change.body)?.[1]).toBe('must-change');
    expect(errorOf(await submit(ua, change, { newPassword: 'Mq4-rvt-a', confirmPassword: 'Mq4-rvt-a' }))).toBe('ERR_CXONE_PASSWORD_REUSED');
    const done = await submit(ua, change, { newPassword: 'Own7-choice', confirmPassword: 'Own7-choice' });
    expect(done.status).toBe(303);
    expect(await signedInAs(ua, lab)).toBe(username);
    expect((await api(lab, 'GET', `/users/${userId}`)).body['mustChangePassword']).toBe(false);
  });
});
