import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readForm, type UaResponse } from '../../../harness/src/clients/user-agent.js';
import { authorize, endSession } from '../../../harness/src/clients/oidc-browser.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { isLoginPage, one, parseXml, PASSWORD, readSamlPost, submitLogin } from '../helpers/adfs-flow.js';
import { addClient, codeFlow, control, discover, issuerUrl, oauthErrorOf, oidc, startOidcLab, UserAgent } from '../helpers/oidc-rp.js';

/**
 * Sessions of the OpenID Providers, driven with the scripted UserAgent: the lab-wide SSO shared
 * with AD FS (one browser sign-in honoured by both, the way one Entra/Okta tenant session covers
 * its SAML and OIDC apps), what forces the sign-in page again (OIDC Core §3.1.2.1 `prompt=login`,
 * `max_age`, `login_hint`), headless auto sign-in, consent for third-party clients, stale
 * interactions, and lab-clock expiry of the lab SSO.
 */

const SECRET = 'sessions-web-secret-0123456789';
const REDIRECT = 'http://localhost:8080/sessions/callback';
const POST_LOGOUT = 'http://localhost:8080/sessions/logged-out';
const SSO_COOKIE = 'idp_harness_sso';

/** A first-party confidential client that always gets `auth_time` (OIDC Registration §2 `require_auth_time`). */
const webClient = (clientId: string, extra: Record<string, unknown> = {}) => ({
  client_id: clientId,
  client_secret: SECRET,
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code'],
  response_types: ['code'],
  redirect_uris: [REDIRECT],
  post_logout_redirect_uris: [POST_LOGOUT],
  require_auth_time: true,
  ...extra,
});

const rp = (lab: Lab, clientId: string) => discover(lab, clientId, oidc.ClientSecretBasic(), { clientSecret: SECRET });

/** An authorization URL with PKCE, state and nonce (what codeFlow builds), for flows driven by hand. */
async function authUrl(cfg: oidc.Configuration, params: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(cfg, {
    redirect_uri: REDIRECT,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url, verifier, state, nonce };
}

/** Follows redirects from the authorization URL to the first page (the sign-in page, normally). */
async function openPage(ua: UserAgent, url: URL): Promise<UaResponse> {
  return ua.follow(await ua.get(url.toString()));
}

/** The `value` of the `id="username"` input on an OIDC sign-in page. */
function usernameField(page: UaResponse): string | undefined {
  return /<input id="username"[^>]*\bvalue="([^"]*)"/.exec(page.body)?.[1];
}

const isOidcLogin = (page: UaResponse) => page.status === 200 && page.body.includes('id="loginForm"') && page.body.includes('id="username"');

interface AdfsSignIn {
  loginShown: boolean;
  /** AuthnStatement@AuthnInstant of the assertion, epoch ms. */
  authnInstant: number;
}

/**
 * The console's sample SP (node-saml) signs in through AD FS, SP-initiated over HTTP-Redirect:
 * the AuthnRequest, AD FS's forms page if it shows it, the "Working..." page posted to the ACS.
 */
async function adfsSignIn(lab: Lab, ua: UserAgent, user = 'agent1'): Promise<AdfsSignIn> {
  let page = await ua.follow(await ua.get(`${lab.urls.console}/sample-sp/login?binding=redirect`));
  const loginShown = isLoginPage(page);
  if (loginShown) page = await submitLogin(ua, page, user, PASSWORD[user]!);
  const post = readSamlPost(page);
  const acs = await ua.post(post.action, { SAMLResponse: post.value, ...(post.relayState !== undefined ? { RelayState: post.relayState } : {}) });
  expect(acs.status).toBe(200);
  expect(acs.body).toContain(`<b id="nameId">${user}@lab.example</b>`);
  const instant = one(parseXml(post.xml), '//saml:AuthnStatement').getAttribute('AuthnInstant')!;
  return { loginShown, authnInstant: Date.parse(instant) };
}

/** Follows a sign-in POST's redirects to the client's redirect URI. */
async function authorizeFrom(ua: UserAgent, res: UaResponse): Promise<URL> {
  let r = res;
  for (let i = 0; i < 10 && r.location; i++) {
    const next = new URL(r.location, r.url);
    if (next.origin + next.pathname === REDIRECT) return next;
    r = await ua.get(next.toString());
  }
  throw new Error(`no redirect to the client: ${r.status} ${r.body.slice(0, 300)}`);
}

/** Whether AD FS shows its forms page to a browser that sends only `cookie`. */
async function adfsShowsFormWith(lab: Lab, cookie: string): Promise<boolean> {
  const ua = new UserAgent();
  const start = await ua.get(`${lab.urls.console}/sample-sp/login?binding=redirect`);
  const page = await ua.get(start.location!, { cookie });
  return isLoginPage(page);
}

const MINUTE = 60_000;

/**
 * Credentials that cannot sign in, for flows that must not show the sign-in page: if it were
 * shown, authorize() would post them and fail with "sign-in refused".
 */
const NO_PAGE = { username: 'nobody', password: 'not-a-password' } as const;

describe('lab-wide SSO shared with AD FS (sso.shared: true, the default)', () => {
  let lab: Lab;
  let cfg: oidc.Configuration;

  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'oidc', 'console'] });
    await addClient(lab, webClient('sessions-web'));
    cfg = await rp(lab, 'sessions-web');
  });
  afterAll(() => lab.stop());
  afterEach(async () => {
    await control(lab, 'POST', '/clock', { reset: true });
  });

  it('AD FS sign-in (sample SP) → OIDC code flow without the page; auth_time is the AD FS sign-in', async () => {
    const ua = new UserAgent();
    const adfs = await adfsSignIn(lab, ua);
    expect(adfs.loginShown).toBe(true);
    expect(ua.cookies(lab.urls.oidc!)[SSO_COOKIE]).toBeTruthy();
    // A minute later on the lab clock: a fresh sign-in would be stamped now, the SSO one keeps
    // the original instant (OIDC Core §2: auth_time is when the End-User authenticated).
    await control(lab, 'POST', '/clock', { advanceMs: MINUTE });
    const { tokens, auth } = await codeFlow(cfg, { redirectUri: REDIRECT, ua, ...NO_PAGE });
    expect(auth.pages).toEqual([]);
    const claims = tokens.claims()!;
    expect(claims.sub).toBe('agent1');
    expect(claims.auth_time).toBe(Math.floor(adfs.authnInstant / 1000));
    expect(claims.auth_time! * 1000).toBeLessThanOrEqual(adfs.authnInstant);
    expect(claims.auth_time! * 1000).toBeLessThan(lab.state.clock.now() - MINUTE / 2);
  });

  it('max_age that the AD FS sign-in satisfies still uses the lab SSO; auth_time is reported', async () => {
    const ua = new UserAgent();
    const adfs = await adfsSignIn(lab, ua);
    const { tokens, auth } = await codeFlow(cfg, { redirectUri: REDIRECT, ua, params: { max_age: '3600' }, ...NO_PAGE });
    expect(auth.pages).toEqual([]);
    expect(tokens.claims()!.auth_time).toBe(Math.floor(adfs.authnInstant / 1000));
  });

  it('OIDC page sign-in → AD FS SP-initiated request answered without the forms page', async () => {
    const ua = new UserAgent();
    const { tokens, auth } = await codeFlow(cfg, { redirectUri: REDIRECT, ua, username: 'agent2', password: PASSWORD['agent2']! });
    expect(auth.pages).toEqual(['login']);
    const adfs = await adfsSignIn(lab, ua, 'agent2');
    expect(adfs.loginShown).toBe(false);
    // AD FS reports the sign-in of the OIDC page, not the moment it answered (saml-core §2.7.2).
    expect(Math.floor(adfs.authnInstant / 1000)).toBe(tokens.claims()!.auth_time);
  });

  it('prompt=login shows the OIDC page despite the lab session', async () => {
    const ua = new UserAgent();
    await adfsSignIn(lab, ua);
    const { tokens, auth } = await codeFlow(cfg, { redirectUri: REDIRECT, ua, params: { prompt: 'login' } });
    expect(auth.pages).toEqual(['login']);
    expect(tokens.claims()!.sub).toBe('agent1');
  });

  it('max_age=0 is prompt=login (oidc-provider rewrites it): the page, and a fresh auth_time', async () => {
    const ua = new UserAgent();
    const adfs = await adfsSignIn(lab, ua);
    await control(lab, 'POST', '/clock', { advanceMs: MINUTE });
    const { tokens, auth } = await codeFlow(cfg, { redirectUri: REDIRECT, ua, params: { max_age: '0' } });
    expect(auth.pages).toEqual(['login']);
    expect(tokens.claims()!.auth_time! * 1000).toBeGreaterThan(adfs.authnInstant + MINUTE / 2);
  });

  it('login_hint naming another user than the lab session → the page, pre-filled with that user', async () => {
    const ua = new UserAgent();
    await adfsSignIn(lab, ua);
    const { url, verifier, state, nonce } = await authUrl(cfg, { login_hint: 'supervisor1' });
    const page = await openPage(ua, url);
    expect(isOidcLogin(page)).toBe(true);
    expect(usernameField(page)).toBe('supervisor1');
    const form = readForm(page.body, page.url);
    const res = await ua.post(form.action, { username: 'supervisor1', password: PASSWORD['supervisor1']! });
    const cb = await authorizeFrom(ua, res);
    const tokens = await oidc.authorizationCodeGrant(cfg, cb, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    expect(tokens.claims()!.sub).toBe('supervisor1');
  });

  it('login_hint naming the lab session user keeps the SSO', async () => {
    const ua = new UserAgent();
    await adfsSignIn(lab, ua);
    const { auth, tokens } = await codeFlow(cfg, { redirectUri: REDIRECT, ua, params: { login_hint: 'agent1' }, ...NO_PAGE });
    expect(auth.pages).toEqual([]);
    expect(tokens.claims()!.sub).toBe('agent1');
  });

  for (const start of ['oidc', 'adfs'] as const) {
    it(`after OIDC RP-initiated logout (signed in first at ${start === 'oidc' ? 'the OIDC page' : 'AD FS'}), AD FS shows its form again`, async () => {
      const ua = new UserAgent();
      if (start === 'adfs') expect((await adfsSignIn(lab, ua)).loginShown).toBe(true);
      const first = await codeFlow(cfg, { redirectUri: REDIRECT, ua });
      expect(first.auth.pages).toEqual(start === 'oidc' ? ['login'] : []);
      if (start === 'oidc') expect((await adfsSignIn(lab, ua)).loginShown).toBe(false); // AD FS adopts the lab session
      expect(ua.cookies(lab.urls.adfs!)['MSISAuth']).toBeTruthy();
      const labCookie = ua.cookies(lab.urls.oidc!)[SSO_COOKIE]!;
      expect(labCookie).toBeTruthy();
      // Control: before the logout, that cookie alone gets another browser through AD FS.
      expect(await adfsShowsFormWith(lab, `${SSO_COOKIE}=${labCookie}`)).toBe(false);

      // OpenID Connect RP-Initiated Logout 1.0 §2-3: confirm, then back to the registered URI.
      const out = await endSession(ua, oidc.buildEndSessionUrl(cfg, { id_token_hint: first.tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT }));
      expect(out.status).toBe(303);
      expect(new URL(out.location!).origin + new URL(out.location!).pathname).toBe(POST_LOGOUT);
      expect(ua.cookies(lab.urls.oidc!)[SSO_COOKIE]).toBeUndefined();
      expect(ua.cookies(lab.urls.adfs!)['MSISAuth']).toBeTruthy(); // the OP cannot clear AD FS's cookie

      // The old lab cookie, replayed by another browser, is worth nothing: the session is gone.
      expect(await adfsShowsFormWith(lab, `${SSO_COOKIE}=${labCookie}`)).toBe(true);
      // The same browser still sends the MSISAuth that belongs to the ended lab session: the
      // sign-out was lab-wide (like AD FS SLO ending the lab session, slo.ts), so the form.
      const again = await adfsSignIn(lab, ua);
      expect(again.loginShown).toBe(true);
      // That new AD FS sign-in is a new lab session, honoured by the OP in turn.
      const after = await codeFlow(cfg, { redirectUri: REDIRECT, ua, ...NO_PAGE });
      expect(after.auth.pages).toEqual([]);
      expect(after.tokens.claims()!.auth_time).toBe(Math.floor(again.authnInstant / 1000));
    });
  }
});

describe('AD FS sign-out ends the OpenID Provider session of the same browser', () => {
  let lab: Lab;
  let cfg: oidc.Configuration;

  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'oidc', 'console'] });
    await addClient(lab, webClient('sessions-web'));
    cfg = await discover(lab, 'sessions-web', oidc.ClientSecretBasic(SECRET));
  });
  afterAll(() => lab.stop());

  it('after the AD FS sign-out (wa=wsignout1.0) the OP asks for the password again', async () => {
    const ua = new UserAgent();
    const first = await codeFlow(cfg, { redirectUri: REDIRECT, ua });
    expect(first.auth.pages).toEqual(['login']);
    // Control: the OP's own session signs the browser in silently.
    expect((await codeFlow(cfg, { redirectUri: REDIRECT, ua, ...NO_PAGE })).auth.pages).toEqual([]);
    const out = await ua.follow(await ua.get(`${lab.urls.adfs}/adfs/ls/?wa=wsignout1.0`));
    expect(out.status).toBe(200);
    expect(ua.cookies(lab.urls.oidc!)[SSO_COOKIE]).toBeUndefined();
    // The OP session came from the lab sign-in that just ended: the page again (one sign-in,
    // one sign-out across the lab).
    const again = await codeFlow(cfg, { redirectUri: REDIRECT, ua });
    expect(again.auth.pages).toEqual(['login']);
  });
});

describe('without the lab-wide SSO (sso.shared: false)', () => {
  let lab: Lab;
  let cfg: oidc.Configuration;

  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'oidc', 'console'], config: { sso: { shared: false } } });
    await addClient(lab, webClient('sessions-web'));
    cfg = await rp(lab, 'sessions-web');
  });
  afterAll(() => lab.stop());

  it('an AD FS sign-in does not sign the browser in at the OP', async () => {
    const ua = new UserAgent();
    expect((await adfsSignIn(lab, ua)).loginShown).toBe(true);
    expect(ua.cookies(lab.urls.oidc!)[SSO_COOKIE]).toBeUndefined();
    const { auth, tokens } = await codeFlow(cfg, { redirectUri: REDIRECT, ua, username: 'agent2', password: PASSWORD['agent2']! });
    expect(auth.pages).toEqual(['login']);
    expect(tokens.claims()!.sub).toBe('agent2');
  });

  it('an OIDC sign-in does not sign the browser in at AD FS', async () => {
    const ua = new UserAgent();
    const { auth } = await codeFlow(cfg, { redirectUri: REDIRECT, ua });
    expect(auth.pages).toEqual(['login']);
    expect(ua.cookies(lab.urls.oidc!)[SSO_COOKIE]).toBeUndefined();
    expect((await adfsSignIn(lab, ua)).loginShown).toBe(true);
  });
});

describe('the sign-in page, auto sign-in, consent and interactions', () => {
  let lab: Lab;
  let cfg: oidc.Configuration;
  let thirdParty: oidc.Configuration;

  beforeAll(async () => {
    lab = await startOidcLab();
    await addClient(lab, webClient('sessions-web'));
    await addClient(lab, webClient('sessions-3p', { client_name: 'Third-party app', first_party: false }));
    cfg = await rp(lab, 'sessions-web');
    thirdParty = await rp(lab, 'sessions-3p');
  });
  afterAll(() => lab.stop());

  it('login_hint pre-fills the username field (escaped) and the user signs in with it', async () => {
    const ua = new UserAgent();
    const { url, verifier, state, nonce } = await authUrl(cfg, { login_hint: 'agent2' });
    const page = await openPage(ua, url);
    expect(isOidcLogin(page)).toBe(true);
    expect(usernameField(page)).toBe('agent2');
    const res = await ua.post(readForm(page.body, page.url).action, { username: usernameField(page)!, password: PASSWORD['agent2']! });
    const tokens = await oidc.authorizationCodeGrant(cfg, await authorizeFrom(ua, res), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    expect(tokens.claims()!.sub).toBe('agent2');

    // A hint is user input echoed into HTML: markup must come back as text.
    const odd = await openPage(new UserAgent(), (await authUrl(cfg, { login_hint: '"><b id="x">' })).url);
    expect(usernameField(odd)).not.toMatch(/[<>"]/);
    expect(readForm(odd.body, odd.url).fields['username']).toBe('"><b id="x">');
    expect(odd.body).not.toContain('<b id="x">');
  });

  it('a third-party client (first_party: false) gets the consent page listing its scopes; approve → code', async () => {
    const ua = new UserAgent();
    const { url, verifier, state, nonce } = await authUrl(thirdParty);
    const login = await openPage(ua, url);
    expect(isOidcLogin(login)).toBe(true);
    const consent = await ua.follow(await ua.post(readForm(login.body, login.url).action, { username: 'agent1', password: PASSWORD['agent1']! }));
    expect(consent.status).toBe(200);
    expect(consent.body).toContain('id="consentForm"');
    expect(consent.body).toContain('<strong id="clientName">Third-party app</strong>');
    const listed = [...consent.body.matchAll(/<li>scope <code>([^<]+)<\/code><\/li>/g)].map((m) => m[1]);
    expect(listed.sort()).toEqual(['email', 'openid', 'profile']);
    const res = await ua.post(readForm(consent.body, consent.url).action, { decision: 'approve' });
    const tokens = await oidc.authorizationCodeGrant(thirdParty, await authorizeFrom(ua, res), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    expect(tokens.claims()).toMatchObject({ sub: 'agent1', aud: 'sessions-3p', email: 'agent1@lab.example' });
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);

    // The grant is remembered: the same browser is asked neither to sign in nor to consent again.
    const second = await codeFlow(thirdParty, { redirectUri: REDIRECT, ua, ...NO_PAGE, consent: 'deny' });
    expect(second.auth.pages).toEqual([]);
    expect(second.tokens.claims()!.sub).toBe('agent1');
  });

  it('deny on the consent page → access_denied at the redirect URI (OAuth 2.0 §4.1.2.1)', async () => {
    const { url, state } = await authUrl(thirdParty);
    const ua = new UserAgent();
    const auth = await authorize(ua, url, REDIRECT, { username: 'agent1', password: PASSWORD['agent1']!, consent: 'deny' });
    expect(auth.pages).toEqual(['login', 'consent']);
    expect(auth.params['state']).toBe(state);
    const err = await oauthErrorOf(oidc.authorizationCodeGrant(thirdParty, auth.callback, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: state }));
    expect(err.error).toBe('access_denied');
  });

  it('cancel on the sign-in page (/abort) → access_denied at the redirect URI', async () => {
    const { url, state } = await authUrl(cfg);
    const ua = new UserAgent();
    const page = await openPage(ua, url);
    const abort = /<form method="post" action="([^"]*\/abort)">/.exec(page.body)?.[1];
    expect(abort).toBeDefined();
    const cb = await authorizeFrom(ua, await ua.post(new URL(abort!, page.url).toString(), {}));
    expect(cb.searchParams.get('state')).toBe(state);
    const err = await oauthErrorOf(oidc.authorizationCodeGrant(cfg, cb, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: state }));
    expect(err.error).toBe('access_denied');
    expect(err.error_description).toContain('cancelled');
    // Nothing was signed in.
    expect(ua.cookies(lab.urls.oidc!)[SSO_COOKIE]).toBeUndefined();
  });

  it('an unknown or stale interaction is a 400 OAuth JSON error, never a 500 or an HTML page', async () => {
    const expectOauth400 = async (res: Response) => {
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as { error: string; error_description?: string };
      expect(body.error).toBe('invalid_request');
      expect(JSON.stringify(body)).not.toMatch(/<html|\n\s+at /i);
    };
    const root = issuerUrl(lab);
    await expectOauth400(await fetch(`${root}/interaction/nope`));
    await expectOauth400(await fetch(`${issuerUrl(lab, 'ficam')}/interaction/nope`));
    for (const step of ['login', 'consent', 'abort']) {
      await expectOauth400(await fetch(`${root}/interaction/nope/${step}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=agent1&password=x' }));
    }

    // Stale: the sign-in page of an interaction that already finished, with its cookies.
    const ua = new UserAgent();
    const page = await openPage(ua, (await authUrl(cfg)).url);
    const action = readForm(page.body, page.url).action;
    await authorizeFrom(ua, await ua.post(action, { username: 'agent1', password: PASSWORD['agent1']! }));
    for (const res of [await ua.get(page.url), await ua.post(action, { username: 'agent1', password: PASSWORD['agent1']! })]) {
      expect(res.status).toBe(400);
      expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
      expect((JSON.parse(res.body) as { error: string }).error).toBe('invalid_request');
    }
  });
});

describe('headless auto sign-in (oidc.autoSignIn)', () => {
  let lab: Lab;
  let cfg: oidc.Configuration;

  beforeAll(async () => {
    lab = await startOidcLab({ config: { oidc: { autoSignIn: { enabled: true, username: 'agent2' } } } });
    await addClient(lab, webClient('sessions-web'));
    cfg = await rp(lab, 'sessions-web');
  });
  afterAll(() => lab.stop());

  // No credentials are given: a sign-in page would fail the flow (authorize throws).
  const flow = (params: Record<string, string> = {}) => codeFlow(cfg, { redirectUri: REDIRECT, params, username: undefined, password: undefined });

  it('skips the page and signs in the configured user', async () => {
    const { auth, tokens } = await flow();
    expect(auth.pages).toEqual([]);
    expect(tokens.claims()).toMatchObject({ sub: 'agent2', acr: 'mfa', amr: ['pwd', 'otp', 'mfa'] });
  });

  it('signs in the login_hint user when there is one', async () => {
    const { auth, tokens } = await flow({ login_hint: 'supervisor1' });
    expect(auth.pages).toEqual([]);
    expect(tokens.claims()!.sub).toBe('supervisor1');
  });

  it('falls back to the configured user for an unknown login_hint', async () => {
    const { auth, tokens } = await flow({ login_hint: 'nobody-such' });
    expect(auth.pages).toEqual([]);
    expect(tokens.claims()!.sub).toBe('agent2');
  });
});

describe('the lab clock and the lab SSO session', () => {
  const LIFETIME_MINUTES = 30;
  let lab: Lab;
  let cfg: oidc.Configuration;

  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'oidc', 'console'], config: { sso: { shared: true, lifetimeMinutes: LIFETIME_MINUTES } } });
    await addClient(lab, webClient('sessions-web'));
    cfg = await rp(lab, 'sessions-web');
  });
  afterAll(() => lab.stop());
  afterEach(async () => {
    await control(lab, 'POST', '/clock', { reset: true });
  });

  /**
   * The lab SSO session (LabSsoStore) lives on the lab clock, so moving the clock past
   * sso.lifetimeMinutes expires it for the OP's login without waiting. The OP's own session and
   * tokens are oidc-provider's, on real time (it reads Date.now): a clock move does not end them,
   * which is why each browser here has no OP session of its own — only the lab SSO cookie from
   * its AD FS sign-in.
   */
  it('one minute before sso.lifetimeMinutes the lab SSO signs the OP in; past it, the page', async () => {
    const early = new UserAgent();
    const late = new UserAgent();
    await adfsSignIn(lab, early);
    await adfsSignIn(lab, late);

    await control(lab, 'POST', '/clock', { advanceMs: (LIFETIME_MINUTES - 1) * MINUTE });
    const before = await codeFlow(cfg, { redirectUri: REDIRECT, ua: early, ...NO_PAGE });
    expect(before.auth.pages).toEqual([]);

    await control(lab, 'POST', '/clock', { advanceMs: 2 * MINUTE });
    const after = await codeFlow(cfg, { redirectUri: REDIRECT, ua: late, username: 'agent2', password: PASSWORD['agent2']! });
    expect(after.auth.pages).toEqual(['login']);
    expect(after.tokens.claims()!.sub).toBe('agent2');
  });

  it('max_age is measured on the lab clock: a lab SSO sign-in older than it shows the page', async () => {
    const ua = new UserAgent();
    await adfsSignIn(lab, ua);
    await control(lab, 'POST', '/clock', { advanceMs: 10 * MINUTE });
    const { auth } = await codeFlow(cfg, { redirectUri: REDIRECT, ua, params: { max_age: String(5 * 60) } });
    expect(auth.pages).toEqual(['login']);
  });
});
