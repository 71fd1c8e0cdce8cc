import { HOTP, Secret, TOTP, URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { UaResponse } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';
import { api, errorOf, formId, signedInAs, signIn, submit, systemUser, textOf, UserAgent } from './system-helpers.js';

/**
 * MFA of System authenticators over HTTP (reference B.1: "Require Multi-Factor Authentication",
 * HOTP or TOTP): enrolment from the otpauth:// URI, sign-in with codes computed independently by
 * the otpauth library at the LAB clock's time, RFC 6238 §5.2 replay refusal, RFC 4226 §7.4
 * resynchronisation, and wrong codes counting towards the lockout. The lab clock is frozen so
 * that a code's time step is the one the test chose.
 */
let lab: Lab;
const STEP = 30_000;

beforeAll(async () => {
  lab = await startTestLab({ services: ['cxone'] });
  // the middle of a time step: ±1 s of drift between test and server cannot change the step
  const now = Date.now();
  lab.state.clock.freeze(now - (now % STEP) + STEP / 2);
});
afterAll(async () => {
  await lab?.stop();
});

const totp = (secret: string, at = lab.state.clock.now()) => TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: at });
const hotp = (secret: string, counter: number) => HOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, counter });
const mode = (page: UaResponse) => /id="mfaForm"[^>]*data-mode="([^"]+)"/.exec(page.body)?.[1];

/** A code that is none of `codes` (to be wrong for sure). */
const otherThan = (...codes: string[]) => ['000000', '111111', '222222', '333333'].find((c) => !codes.includes(c))!;

/** Signs in with the password and reads the enrolment page: its secret and its otpauth:// URI. */
async function toEnrolment(ua: UserAgent, username: string, password: string) {
  const page = await signIn(ua, lab, username, password);
  expect(page.status).toBe(200);
  expect(formId(page)).toBe('mfaEnrollForm');
  const secret = textOf(page, 'otpSecret')!;
  const uri = textOf(page, 'otpauthUri')!;
  return { page, secret, uri };
}

describe('TOTP', () => {
  it('enrols from the otpauth:// URI and QR image, signs in with amr pwd otp mfa, and refuses a replayed code', async () => {
    const { username, userId } = await systemUser(lab, 'totp', { mfa: { required: true, type: 'TOTP' }, userPassword: 'Tt5-mfa-user' });
    const ua = new UserAgent();
    const { page, secret, uri } = await toEnrolment(ua, username, 'Tt5-mfa-user');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // an independent parser reads back what an authenticator app would
    const parsed = URI.parse(uri);
    expect(parsed).toBeInstanceOf(TOTP);
    expect(parsed).toMatchObject({ issuer: 'CXone', label: username, algorithm: 'SHA1', digits: 6, period: 30 });
    expect(parsed.secret.base32).toBe(secret);
    const img = /<img id="otpQr"[^>]*src="data:image\/png;base64,([^"]+)"/.exec(page.body)?.[1];
    expect(Buffer.from(img!, 'base64').subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

    const wrong = await submit(ua, page, { code: otherThan(totp(secret), totp(secret, lab.state.clock.now() - STEP), totp(secret, lab.state.clock.now() + STEP)) });
    expect(wrong.status).toBe(401);
    expect(errorOf(wrong)).toBe('ERR_CXONE_MFA_INVALID');
    expect(textOf(wrong, 'otpSecret')).toBe(secret); // the same pending secret
    const enrolCode = totp(secret);
    const enrolled = await submit(ua, wrong, { code: enrolCode });
    expect(enrolled.status).toBe(303);
    expect(await signedInAs(ua, lab)).toBe(username);
    expect(textOf(await ua.get(`${lab.urls.cxone}/`), 'amr')).toBe('pwd, otp, mfa');
    expect((await api(lab, 'GET', `/users/${userId}`)).body).toMatchObject({ mfaEnrolled: true, failedLogins: 0 });

    // the enrolment's code, in the same time step: a replay (RFC 6238 §5.2)
    const again = new UserAgent();
    const mfaPage = await signIn(again, lab, username, 'Tt5-mfa-user');
    expect(formId(mfaPage)).toBe('mfaForm');
    const replay = await submit(again, mfaPage, { code: enrolCode });
    expect(replay.status).toBe(401);
    expect(errorOf(replay)).toBe('ERR_CXONE_MFA_REPLAYED');

    // the next step's code works, once
    lab.state.clock.advance(STEP);
    const next = totp(secret);
    const ok = await submit(again, replay, { code: next.slice(0, 3) + ' ' + next.slice(3) });
    expect(ok.status).toBe(303);
    expect(await signedInAs(again, lab)).toBe(username);
    const third = new UserAgent();
    const replayed = await submit(third, await signIn(third, lab, username, 'Tt5-mfa-user'), { code: next });
    expect(errorOf(replayed)).toBe('ERR_CXONE_MFA_REPLAYED');
  });

  it('accepts one step of drift either side, not two', async () => {
    const { username } = await systemUser(lab, 'drift', { mfa: { required: true, type: 'TOTP' }, userPassword: 'Dr5-mfa-user' });
    const ua = new UserAgent();
    const { page, secret } = await toEnrolment(ua, username, 'Dr5-mfa-user');
    expect((await submit(ua, page, { code: totp(secret, lab.state.clock.now() - STEP) })).status).toBe(303);
    lab.state.clock.advance(3 * STEP);
    const b = new UserAgent();
    const mfa = await signIn(b, lab, username, 'Dr5-mfa-user');
    const tooOld = await submit(b, mfa, { code: totp(secret, lab.state.clock.now() - 2 * STEP) });
    expect(errorOf(tooOld)).toBe('ERR_CXONE_MFA_INVALID');
    const tooNew = await submit(b, tooOld, { code: totp(secret, lab.state.clock.now() + 2 * STEP) });
    expect(errorOf(tooNew)).toBe('ERR_CXONE_MFA_INVALID');
    expect((await submit(b, tooNew, { code: totp(secret, lab.state.clock.now() + STEP) })).status).toBe(303);
  });

  it('wrong codes count towards the lockout with the password failures', async () => {
    const { username, userId } = await systemUser(lab, 'mfalock', { mfa: { required: true, type: 'TOTP' }, userPassword: 'Ml5-mfa-user' });
    const ua = new UserAgent();
    const { page, secret } = await toEnrolment(ua, username, 'Ml5-mfa-user');
    lab.state.clock.advance(STEP);
    expect((await submit(ua, page, { code: totp(secret) })).status).toBe(303);

    const b = new UserAgent();
    let p = await signIn(b, lab, username, 'Wrong-pass1');
    expect(errorOf(p)).toBe('ERR_CXONE_LOGIN_BAD_PASSWORD');
    p = await submit(b, p, { password: 'Ml5-mfa-user' }); // resets the count: a right password
    expect(formId(p)).toBe('mfaForm');
    const bad = otherThan(totp(secret), totp(secret, lab.state.clock.now() - STEP), totp(secret, lab.state.clock.now() + STEP));
    for (let i = 1; i <= 6; i++) {
      p = await submit(b, p, { code: bad });
      expect(errorOf(p)).toBe('ERR_CXONE_MFA_INVALID');
    }
    expect((await api(lab, 'GET', `/users/${userId}`)).body).toMatchObject({ locked: true, failedLogins: 6 });
    lab.state.clock.advance(STEP);
    const locked = await submit(b, p, { code: totp(secret) });
    expect(locked.status).toBe(423);
    expect(errorOf(locked)).toBe('ERR_CXONE_LOGIN_LOCKED');
    expect(await signedInAs(b, lab)).toBeUndefined();
    expect(errorOf(await signIn(new UserAgent(), lab, username, 'Ml5-mfa-user'))).toBe('ERR_CXONE_LOGIN_LOCKED');
  });

  it('an admin MFA reset makes the next sign-in enrol again', async () => {
    const { username, userId } = await systemUser(lab, 'mfareset', { mfa: { required: true, type: 'TOTP' }, userPassword: 'Mr5-mfa-user' });
    const ua = new UserAgent();
    const first = await toEnrolment(ua, username, 'Mr5-mfa-user');
    expect((await submit(ua, first.page, { code: totp(first.secret) })).status).toBe(303);
    expect((await api(lab, 'POST', `/users/${userId}/mfa/reset`)).body['mfaEnrolled']).toBe(false);
    const second = await toEnrolment(new UserAgent(), username, 'Mr5-mfa-user');
    expect(second.secret).not.toBe(first.secret);
  });
});

describe('HOTP', () => {
  it('enrols at counter 0, signs in with the next counter, and resynchronises a token that ran ahead', async () => {
    const { username, userId } = await systemUser(lab, 'hotp', { mfa: { required: true, type: 'HOTP' }, userPassword: 'Hh5-mfa-user' });
    const ua = new UserAgent();
    const { page, secret, uri } = await toEnrolment(ua, username, 'Hh5-mfa-user');
    const parsed = URI.parse(uri);
    expect(parsed).toBeInstanceOf(HOTP);
    expect(parsed).toMatchObject({ issuer: 'CXone', label: username, algorithm: 'SHA1', digits: 6, counter: 0 });
    expect((await submit(ua, page, { code: hotp(secret, 0) })).status).toBe(303);
    expect(textOf(await ua.get(`${lab.urls.cxone}/`), 'amr')).toBe('pwd, otp, mfa');

    // counter 1 is next; a used counter is refused
    const b = new UserAgent();
    let p = await signIn(b, lab, username, 'Hh5-mfa-user');
    expect(mode(p)).toBe('verify');
    p = await submit(b, p, { code: hotp(secret, 0) });
    expect(errorOf(p)).toBe('ERR_CXONE_MFA_INVALID');
    expect((await submit(b, p, { code: hotp(secret, 1) })).status).toBe(303);

    // within the window (counter 2 … 3): pressing once too often is fine
    const c = new UserAgent();
    expect((await submit(c, await signIn(c, lab, username, 'Hh5-mfa-user'), { code: hotp(secret, 3) })).status).toBe(303);

    // counter is 4; the token ran 20 ahead: resynchronisation asks for the next code
    const d = new UserAgent();
    const resync = await submit(d, await signIn(d, lab, username, 'Hh5-mfa-user'), { code: hotp(secret, 24) });
    expect(resync.status).toBe(401);
    expect(errorOf(resync)).toBe('ERR_CXONE_MFA_RESYNC_REQUIRED');
    expect(mode(resync)).toBe('resync');
    expect((await api(lab, 'GET', `/users/${userId}`)).body['failedLogins']).toBe(0); // a right code is no failure
    const done = await submit(d, resync, { code: hotp(secret, 25) });
    expect(done.status).toBe(303);
    expect(await signedInAs(d, lab)).toBe(username);

    // resynchronised: counter 26 is now inside the window
    const e = new UserAgent();
    expect((await submit(e, await signIn(e, lab, username, 'Hh5-mfa-user'), { code: hotp(secret, 26) })).status).toBe(303);
  });

  it('a resynchronisation whose second code is not the next one is refused', async () => {
    const { username } = await systemUser(lab, 'hotpbad', { mfa: { required: true, type: 'HOTP' }, userPassword: 'Hb5-mfa-user' });
    const ua = new UserAgent();
    const { page, secret } = await toEnrolment(ua, username, 'Hb5-mfa-user');
    expect((await submit(ua, page, { code: hotp(secret, 0) })).status).toBe(303);
    const b = new UserAgent();
    const resync = await submit(b, await signIn(b, lab, username, 'Hb5-mfa-user'), { code: hotp(secret, 30) });
    expect(errorOf(resync)).toBe('ERR_CXONE_MFA_RESYNC_REQUIRED');
    const skipped = await submit(b, resync, { code: hotp(secret, 32) });
    expect(skipped.status).toBe(401);
    expect(errorOf(skipped)).toBe('ERR_CXONE_MFA_INVALID');
    expect(mode(skipped)).toBe('verify');
    expect(await signedInAs(b, lab)).toBeUndefined();
    // beyond the look-ahead (50) is no resynchronisation at all
    const far = await submit(b, skipped, { code: hotp(secret, 60) });
    expect(errorOf(far)).toBe('ERR_CXONE_MFA_INVALID');
    // the counter did not move: counter 1 still signs in
    expect((await submit(b, far, { code: hotp(secret, 1) })).status).toBe(303);
  });

  it('changing the authenticator from TOTP to HOTP makes a TOTP-enrolled user enrol an HOTP token', async () => {
    const { username, authenticatorId } = await systemUser(lab, 'switch', { mfa: { required: true, type: 'TOTP' }, userPassword: 'Sw5-mfa-user' });
    const ua = new UserAgent();
    const t = await toEnrolment(ua, username, 'Sw5-mfa-user');
    expect((await submit(ua, t.page, { code: totp(t.secret) })).status).toBe(303);
    expect((await api(lab, 'PATCH', `/login-authenticators/${authenticatorId}`, { system: { mfa: { required: true, type: 'HOTP' } } })).status).toBe(200);
    const h = await toEnrolment(new UserAgent(), username, 'Sw5-mfa-user');
    expect(URI.parse(h.uri)).toBeInstanceOf(HOTP);
  });
});
