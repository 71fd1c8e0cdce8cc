import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import type { Lab } from '../../src/lab.js';
import { endSession } from '../../../harness/src/clients/oidc-browser.js';
import { readForm, type UaResponse } from '../../../harness/src/clients/user-agent.js';
import { codeFlow, discover, oauthErrorOf, oidc, startOidcLab, UserAgent } from '../helpers/oidc-rp.js';

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) driven by openid-client's
 * buildEndSessionUrl and the scripted browser: the OP asks the user (§2, SHOULD), redirects only
 * to a registered post_logout_redirect_uri with the RP's state (§3), and ending the OP session
 * ends the lab-wide SSO session too.
 */
const SSO_COOKIE = 'idp_harness_sso';

describe('RP-initiated logout (openid-client + scripted browser)', () => {
  let lab: Lab;
  let web: oidc.Configuration;
  const redirectUri = 'http://localhost:8080/callback';
  const postLogout = 'http://localhost:8080/logged-out';

  beforeAll(async () => {
    lab = await startOidcLab();
    web = await discover(lab, 'sample-web', oidc.ClientSecretBasic('sample-web-secret-0123456789'));
  });
  afterAll(() => lab.stop());

  /** A signed-in browser: agent1 through sample-web, with the ID token to hint at logout. */
  async function signedIn() {
    const { tokens, ua, auth } = await codeFlow(web, { redirectUri, scope: 'openid' });
    expect(auth.pages).toEqual(['login']);
    const sso = ua.cookies(lab.urls.oidc!)[SSO_COOKIE];
    expect(sso).toBeTruthy();
    return { ua, idToken: tokens.id_token!, sso: sso! };
  }

  /** Whether the lab still knows an SSO session id (what AD FS and the other issuers would honour). */
  function ssoAlive(id: string): boolean {
    return lab.state.labSso.fromRequest({ headers: { cookie: `${SSO_COOKIE}=${id}` } } as IncomingMessage) !== undefined;
  }

  /** Follows redirects from `res` while they stay on the OP, recording every Location. */
  async function followOnOp(ua: UserAgent, res: UaResponse, seen: string[]): Promise<UaResponse> {
    for (let i = 0; i < 10 && res.location; i++) {
      const next = new URL(res.location, res.url);
      seen.push(next.toString());
      if (next.origin !== new URL(lab.urls.oidc!).origin) return res;
      res = await ua.get(next.toString());
    }
    return res;
  }

  it('with id_token_hint, a registered post_logout_redirect_uri and state: confirm, then back to the RP with the same state', async () => {
    const { ua, idToken, sso } = await signedIn();
    const state = oidc.randomState();
    const url = oidc.buildEndSessionUrl(web, { id_token_hint: idToken, post_logout_redirect_uri: postLogout, state });
    const confirm = await ua.get(url.toString());
    // The OP asks first (§2), naming the client, with no notice about the return address.
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain('id="op.logoutForm"');
    expect(confirm.body).toContain('id="clientName"');
    expect(confirm.body).not.toContain('id="redirectNotice"');
    const form = readForm(confirm.body, confirm.url);
    const done = await ua.post(form.action, { ...form.fields, logout: 'yes' });
    expect(done.status).toBe(303);
    const back = new URL(done.location!, done.url);
    expect(`${back.origin}${back.pathname}`).toBe(postLogout);
    expect(back.searchParams.get('state')).toBe(state);

    // The lab-wide SSO session ended with the OP's: the cookie is cleared and the id is dead.
    expect(ua.cookies(lab.urls.oidc!)).not.toHaveProperty(SSO_COOKIE);
    expect(ssoAlive(sso)).toBe(false);
    // The OP session is gone: the next authorization request shows the sign-in page again.
    const again = await codeFlow(web, { redirectUri, scope: 'openid', ua });
    expect(again.auth.pages).toEqual(['login']);
  });

  it('an unregistered post_logout_redirect_uri is never redirected to: notice, confirm, signed-out page', async () => {
    const { ua, sso } = await signedIn();
    const rogue = 'http://attacker.example.test/phish';
    const url = oidc.buildEndSessionUrl(web, { post_logout_redirect_uri: rogue, state: 'some-state' });
    const seen: string[] = [];
    const confirm = await followOnOp(ua, await ua.get(url.toString()), seen);
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain('id="redirectNotice"');
    expect(confirm.body).toContain(rogue);
    const form = readForm(confirm.body, confirm.url);
    const end = await followOnOp(ua, await ua.post(form.action, { ...form.fields, logout: 'yes' }), seen);
    expect(end.status).toBe(200);
    expect(end.body).toContain('id="signedOut"');
    // No hop ever went to the unregistered address, nor carried the state.
    expect(seen.length).toBeGreaterThan(0);
    for (const hop of seen) {
      expect(new URL(hop).host).not.toBe('attacker.example.test');
      expect(new URL(hop).searchParams.has('state')).toBe(false);
    }
    expect(ssoAlive(sso)).toBe(false);
  });

  it('without post_logout_redirect_uri: the OP’s own signed-out page', async () => {
    const { ua, idToken, sso } = await signedIn();
    const res = await endSession(ua, oidc.buildEndSessionUrl(web, { id_token_hint: idToken }));
    expect(res.status).toBe(200);
    expect(res.body).toContain('id="signedOut"');
    expect(new URL(res.url).origin).toBe(new URL(lab.urls.oidc!).origin);
    expect(ua.cookies(lab.urls.oidc!)).not.toHaveProperty(SSO_COOKIE);
    expect(ssoAlive(sso)).toBe(false);
  });

  it('logout ends a refresh token granted without offline_access; one granted with offline_access survives', async () => {
    // docs/oidc.md "Refresh tokens": sample-web has the refresh_token grant, so both flows get a
    // refresh token; OIDC Core §11: offline_access asks for access while the user is not
    // signed in, so only that grant outlives the session. Two browsers, two OP sessions.
    const offline = await codeFlow(web, { redirectUri, scope: 'openid offline_access' });
    const online = await codeFlow(web, { redirectUri, scope: 'openid' });
    expect(offline.ua).not.toBe(online.ua);
    expect(offline.tokens.scope?.split(' ')).toContain('offline_access');
    expect(online.tokens.scope?.split(' ') ?? []).not.toContain('offline_access');
    const offlineRt = offline.tokens.refresh_token!;
    const onlineRt = online.tokens.refresh_token!;
    expect(offlineRt).toBeTruthy();
    expect(onlineRt).toBeTruthy();
    // Both alive before logout (introspection does not rotate them), so what follows is the logout's doing.
    expect((await oidc.tokenIntrospection(web, offlineRt)).active).toBe(true);
    expect((await oidc.tokenIntrospection(web, onlineRt)).active).toBe(true);

    for (const flow of [offline, online]) {
      const res = await endSession(flow.ua, oidc.buildEndSessionUrl(web, { id_token_hint: flow.tokens.id_token! }));
      expect(res.status).toBe(200);
      expect(res.body).toContain('id="signedOut"');
      expect(flow.ua.cookies(lab.urls.oidc!)).not.toHaveProperty(SSO_COOKIE);
    }

    const refreshed = await oidc.refreshTokenGrant(web, offlineRt);
    expect(refreshed.access_token).toBeTruthy();
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.claims()?.sub).toBe('agent1');
    const dead = await oauthErrorOf(oidc.refreshTokenGrant(web, onlineRt));
    expect(dead.error).toBe('invalid_grant');
    expect((await oidc.tokenIntrospection(web, onlineRt)).active).toBe(false);
  });

  it('declining (“No, stay signed in”) keeps the session: the next authorization is silent', async () => {
    const { ua, idToken, sso } = await signedIn();
    const res = await endSession(ua, oidc.buildEndSessionUrl(web, { id_token_hint: idToken }), { confirm: false });
    // Declining still ends this client's part of the session (oidc-provider revokes its grant
    // and says so on the page), but not the user's sign-in: at this OP and lab-wide.
    expect(res.status).toBe(200);
    expect(res.body).toContain('id="clientName"');
    expect(ua.cookies(lab.urls.oidc!)[SSO_COOKIE]).toBe(sso);
    expect(ssoAlive(sso)).toBe(true);
    // No credentials given: a sign-in page would fail the flow.
    const again = await codeFlow(web, { redirectUri, scope: 'openid', ua, username: undefined });
    expect(again.auth.pages).toEqual([]);
    expect(again.tokens.claims()!.sub).toBe('agent1');
  });
});
