import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authorize } from '../../../harness/src/clients/oidc-browser.js';
import type { Lab } from '../../src/lab.js';
import type { Fault } from '../../src/shared/faults.js';
import {
  admin,
  AGENT2_EMAIL,
  AGENT2_ID,
  browser,
  createUser,
  enterUsername,
  errorCode,
  IDP_AGENT1,
  IDP_AGENT2,
  LAB_OIDC_ID,
  signIn,
  startCxoneOidcLab,
} from './oidc-helpers.js';

/**
 * What CXone refuses at its OIDC callback, each with its code: ID tokens bent by the lab OP's
 * fault queue (signature, expiry, nonce, audience, issuer), a userinfo answer about someone
 * else, the IdP's own error, wrong and replayed state, a state of another authenticator, a
 * subject no user has. The fixture "Lab OIDC" and agent2; the lab is reset before each test.
 */
describe('CXone OIDC authenticator: refusals', () => {
  let lab: Lab;
  const callbackOf = (id: string) => `${lab.urls.cxone}/auth/oidc/callback/${id}`;

  beforeAll(async () => {
    lab = await startCxoneOidcLab();
  });
  afterAll(() => lab?.stop());
  beforeEach(() => lab.state.reset());

  const faults: Array<[string, Omit<Extract<Fault, { surface: 'oidc' }>, 'surface'>, string]> = [
    ['an ID token signed by a key the IdP does not publish', { kind: 'id-token-bad-signature' }, 'ERR_CXONE_OIDC_SIGNATURE'],
    ['an expired ID token', { kind: 'expired-id-token' }, 'ERR_CXONE_OIDC_EXPIRED'],
    ['another nonce', { kind: 'claims', claims: { nonce: 'x' } }, 'ERR_CXONE_OIDC_NONCE'],
    ['no nonce', { kind: 'claims', claims: { nonce: null } }, 'ERR_CXONE_OIDC_NONCE'],
    ['another audience', { kind: 'claims', claims: { aud: 'someone-else' } }, 'ERR_CXONE_OIDC_AUDIENCE'],
    ['several audiences and no azp', { kind: 'claims', claims: { aud: ['cxone-lab', 'someone-else'] } }, 'ERR_CXONE_OIDC_AUDIENCE'],
    ['another issuer', { kind: 'claims', claims: { iss: 'https://evil.example' } }, 'ERR_CXONE_OIDC_ISSUER'],
    ['no sub', { kind: 'claims', claims: { sub: null } }, 'ERR_CXONE_OIDC_CLAIM_MISSING'],
    ['a userinfo answer about another subject', { kind: 'claims', target: 'userinfo', claims: { sub: 'somebody-else' } }, 'ERR_CXONE_OIDC_USERINFO'],
  ];
  for (const [what, fault, code] of faults) {
    it(`refuses ${what} (${code}); the user stays unlinked`, async () => {
      lab.state.faults.enqueue({ surface: 'oidc', ...fault } as Fault);
      const r = await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID);
      expect(r.response.status).toBe(400);
      expect(errorCode(r.response)).toBe(code);
      expect(r.response.body).toContain(code);
      expect(lab.state.faults.list()).toHaveLength(0);
      expect(lab.state.cxone!.sessions.list()).toHaveLength(0);
      expect(lab.state.cxone!.store.users.get(AGENT2_ID)!.externalIdentity).toBe(`claim(email):${AGENT2_EMAIL}`);
    });
  }

  it('refuses an ID token issued in the future by the lab clock (ERR_CXONE_OIDC_EXPIRED)', async () => {
    // The lab clock goes back ten minutes after the IdP answered: its iat is then beyond the skew.
    const r = await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID, { before: () => lab.state.clock.advance(-10 * 60_000) });
    expect(errorCode(r.response)).toBe('ERR_CXONE_OIDC_EXPIRED');
  });

  it('an e-mail the IdP marks unverified does not link (ERR_CXONE_EXTERNAL_IDENTITY_UNKNOWN)', async () => {
    lab.state.faults.enqueue({ surface: 'oidc', kind: 'claims', target: 'userinfo', claims: { email_verified: false } });
    const r = await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID);
    expect(r.response.status).toBe(403);
    expect(errorCode(r.response)).toBe('ERR_CXONE_EXTERNAL_IDENTITY_UNKNOWN');
  });

  it('the user cancels at the IdP: error=access_denied comes back (ERR_CXONE_OIDC_IDP_ERROR)', async () => {
    const ua = browser(lab);
    const start = await enterUsername(lab, ua, AGENT2_EMAIL);
    const page = await ua.follow(await ua.get(start.location!));
    const abort = /<form method="post" action="([^"]*\/abort)"/.exec(page.body)?.[1];
    expect(abort).toBeDefined();
    // The OP resumes the authorization (its /auth/<uid>), which then redirects to CXone.
    let back = await ua.post(new URL(abort!.replace(/&amp;/g, '&'), page.url).toString(), {});
    while (back.location && !new URL(back.location, back.url).toString().startsWith(callbackOf(LAB_OIDC_ID))) back = await ua.get(new URL(back.location, back.url).toString());
    const callback = new URL(back.location!, back.url);
    expect(`${callback.origin}${callback.pathname}`).toBe(callbackOf(LAB_OIDC_ID));
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const r = await ua.get(callback.toString());
    expect(r.status).toBe(403);
    expect(errorCode(r)).toBe('ERR_CXONE_OIDC_IDP_ERROR');
  });

  it('a state CXone never issued is refused (ERR_CXONE_OIDC_STATE), as is a response without one', async () => {
    const ua = browser(lab);
    const wrong = await ua.get(`${callbackOf(LAB_OIDC_ID)}?code=abc&state=never-issued-state-0123456789`);
    expect(wrong.status).toBe(400);
    expect(errorCode(wrong)).toBe('ERR_CXONE_OIDC_STATE');
    const none = await ua.get(`${callbackOf(LAB_OIDC_ID)}?code=abc`);
    expect(errorCode(none)).toBe('ERR_CXONE_OIDC_STATE');
    const twice = await ua.get(`${callbackOf(LAB_OIDC_ID)}?code=abc&state=a&state=b`);
    expect(errorCode(twice)).toBe('ERR_CXONE_OIDC_STATE');
  });

  it('a replayed authorization response is refused (ERR_CXONE_OIDC_STATE)', async () => {
    const first = await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID);
    expect(first.response.status).toBe(303);
    const replay = await browser(lab).get(first.callback.toString());
    expect(replay.status).toBe(400);
    expect(errorCode(replay)).toBe('ERR_CXONE_OIDC_STATE');
  });

  it("a state presented at another authenticator's callback is refused (ERR_CXONE_OIDC_STATE)", async () => {
    const other = await admin(lab, 'POST', '/login-authenticators', {
      name: 'Other OIDC',
      type: 'OIDC',
      oidc: {
        issuer: lab.urls.oidc,
        jwksUri: `${lab.urls.oidc}/jwks`,
        authorizationEndpoint: `${lab.urls.oidc}/auth`,
        tokenEndpoint: `${lab.urls.oidc}/token`,
        clientId: 'cxone-other',
        clientSecret: 'cxone-other-secret-0123456',
        clientSecretConfirm: 'cxone-other-secret-0123456',
      },
    });
    expect(other.status).toBe(201);
    let atOther: Awaited<ReturnType<ReturnType<typeof browser>['get']>> | undefined;
    const r = await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID, {
      before: async (cb) => {
        // Lab OIDC's code and state, presented first at the other authenticator's redirect URI.
        const moved = new URL(cb);
        moved.pathname = `/auth/oidc/callback/${other.body.id}`;
        atOther = await browser(lab).get(moved.toString());
      },
    });
    expect(atOther!.status).toBe(400);
    expect(errorCode(atOther!)).toBe('ERR_CXONE_OIDC_STATE');
    // The state was used up by that attempt: the genuine callback cannot use it any more.
    expect(errorCode(r.response)).toBe('ERR_CXONE_OIDC_STATE');
  });

  it('a subject no user of the authenticator has is refused (ERR_CXONE_EXTERNAL_IDENTITY_UNKNOWN)', async () => {
    await createUser(lab, 'nobody@lab.example', LAB_OIDC_ID, 'claim(email):nobody@lab.example');
    // agent1 signs in at the IdP: neither their sub nor their e-mail is any CXone user's identity.
    const r = await signIn(lab, 'nobody@lab.example', LAB_OIDC_ID, { idpUser: IDP_AGENT1 });
    expect(r.response.status).toBe(403);
    expect(errorCode(r.response)).toBe('ERR_CXONE_EXTERNAL_IDENTITY_UNKNOWN');
  });

  it('the IdP user is another CXone user than the one named (ERR_CXONE_OIDC_USER_MISMATCH)', async () => {
    await createUser(lab, 'carol@lab.example', LAB_OIDC_ID, 'claim(email):agent1@lab.example');
    const r = await signIn(lab, 'carol@lab.example', LAB_OIDC_ID, { idpUser: IDP_AGENT2 });
    expect(r.response.status).toBe(403);
    expect(errorCode(r.response)).toBe('ERR_CXONE_OIDC_USER_MISMATCH');
    // agent2 was not linked by someone else's sign-in.
    expect(lab.state.cxone!.store.users.get(AGENT2_ID)!.externalIdentity).toBe(`claim(email):${AGENT2_EMAIL}`);
  });

  it('accepts the authorization response as a form POST (response_mode=form_post)', async () => {
    const ua = browser(lab);
    const start = await enterUsername(lab, ua, AGENT2_EMAIL);
    const auth = await authorize(ua, start.location!, callbackOf(LAB_OIDC_ID), IDP_AGENT2);
    const r = await ua.post(callbackOf(LAB_OIDC_ID), auth.params);
    expect(r.status).toBe(303);
    expect(r.location).toBe('/');
  });

  it('bad addresses: an unknown authenticator is 404, a non-OIDC one too, never a 500', async () => {
    const ua = browser(lab);
    const unknown = await ua.get(`${lab.urls.cxone}/auth/oidc/callback/not-an-id?state=x&code=y`);
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe('ERR_CXONE_NOT_FOUND');
    const system = await ua.post(`${lab.urls.cxone}/auth/oidc/callback/0f6b1d3e-2c4a-4e8b-9a1d-5c7e9f0a1b21`, { state: 'x', code: 'y' });
    expect(errorCode(system)).toBe('ERR_CXONE_NOT_FOUND');
    const jwks = await ua.get(`${lab.urls.cxone}/auth/oidc/jwks/0f6b1d3e-2c4a-4e8b-9a1d-5c7e9f0a1b21`);
    expect(jwks.status).toBe(404);
  });
});
