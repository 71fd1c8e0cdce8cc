import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authorize, endSession } from '../../../harness/src/clients/oidc-browser.js';
import { readForm } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { discoverCxone, oidc, UserAgent, WEB } from './op-helpers.js';
import { postToAcs, signInAtAdfs } from './saml-flow.js';

/**
 * Issue 6: "A user who signed in through any authenticator gets these tokens" — an application
 * signs users in at CXone (code + PKCE, openid-client) while CXone itself signs them in through
 * the lab's AD FS (SAML) or OpenID provider (OIDC); and the OIDC user's logout chains through
 * the IdP's end-session endpoint and back to the application.
 */
describe('CXone OP tokens for federated sign-ins', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'oidc', 'cxone'] });
  });
  beforeEach(() => lab.state.reset());
  afterAll(() => lab.stop());

  const AGENT1_ID = '4e3b0a21-7c8d-4e9f-8a12-b3c4d5e6f708';
  const AGENT2_ID = '5f4c1b32-8d9e-4f0a-9b23-c4d5e6f70819';
  const LAB_OIDC = '9c3d7e5f-1a2b-4c8d-9e0f-1a2b3c4d5e61';

  async function request(cfg: oidc.Configuration) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(cfg, { redirect_uri: WEB.redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce });
    return { url, checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
  }

  it('SAML (agent1 through AD FS): the application gets CXone tokens for agent1', async () => {
    const cfg = await discoverCxone(lab, WEB.clientId, oidc.ClientSecretBasic(WEB.secret), WEB.secret);
    const { url, checks } = await request(cfg);
    const ua = new UserAgent();
    const post = await signInAtAdfs(ua, lab, 'agent1@lab.example', 'agent1', url.toString());
    const back = await postToAcs(ua, post);
    expect(back.status, back.body.slice(0, 300)).toBe(302);
    const tokens = await oidc.authorizationCodeGrant(cfg, new URL(back.location!), checks);
    expect(tokens.claims()).toMatchObject({ sub: `user:${AGENT1_ID}`, userId: AGENT1_ID, aud: WEB.clientId });
    const info = await oidc.fetchUserInfo(cfg, tokens.access_token, `user:${AGENT1_ID}`);
    expect(info.preferred_username).toBe('agent1@lab.example');
  });

  it('OIDC (agent2 through the lab OP): tokens, then logout chained through the IdP back to the application', async () => {
    const cfg = await discoverCxone(lab, WEB.clientId, oidc.ClientSecretBasic(WEB.secret), WEB.secret);
    const { url, checks } = await request(cfg);
    const ua = new UserAgent();
    const login = await ua.follow(await ua.get(url.toString()));
    const form = readForm(login.body, login.url);
    const toIdp = await ua.post(form.action, { ...form.fields, username: 'agent2@lab.example' });
    expect(toIdp.status).toBe(302);
    const atCxone = await authorize(ua, new URL(toIdp.location!, toIdp.url), `${lab.urls.cxone}/auth/oidc/callback/${LAB_OIDC}`, { username: 'agent2', password: 'Agent2Pass!' });
    const back = await ua.get(atCxone.callback.toString());
    expect(back.status, back.body.slice(0, 300)).toBe(302);
    const tokens = await oidc.authorizationCodeGrant(cfg, new URL(back.location!), checks);
    expect(tokens.claims()).toMatchObject({ sub: `user:${AGENT2_ID}`, aud: WEB.clientId });

    // RP-initiated logout at CXone → the lab OP's end_session_endpoint → CXone's logout redirect URI → the application.
    const out = await ua.get(oidc.buildEndSessionUrl(cfg, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: WEB.postLogout, state: 'app-7' }).toString());
    expect(out.status).toBe(302);
    const idpEnd = new URL(out.location!);
    expect(`${idpEnd.origin}${idpEnd.pathname}`).toBe(`${lab.urls.oidc}/session/end`);
    const ended = await endSession(ua, idpEnd);
    const returned = new URL(ended.location!, ended.url);
    expect(`${returned.origin}${returned.pathname}`).toBe(`${lab.urls.cxone}/auth/oidc/logout/${LAB_OIDC}`);
    const final = await ua.get(returned.toString());
    expect(final.status).toBe(302);
    expect(final.location).toBe(`${WEB.postLogout}?state=app-7`);
    expect(lab.state.cxone!.sessions.list().filter((s) => s.userId === AGENT2_ID)).toHaveLength(0);
  });
});
