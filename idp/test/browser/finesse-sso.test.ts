import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page, type Request, type Response } from 'playwright-core';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, spkiHash } from '../helpers/chromium.js';
import { describeWithTool } from '../helpers/debian-tool.js';

/**
 * DESIGN F1 in a real browser (headless Debian Chromium, driven by playwright-core), over TLS
 * where Chromium trusts exactly the lab's TLS certificate (by its SPKI hash). Cisco says the SSO
 * APIs need "a browser-like client" that follows redirects, keeps cookies and runs the JavaScript
 * of the HTML pages (reference A.1.2, "Client Integration"): here the auto-POST pages of IdS and
 * AD FS submit themselves, the only input is the AD FS forms page, and the chain ends on Finesse's
 * JSON (reference A.1.3, A.1.5). Then the SSO test page's postMessage (A.1.2, Dev Guide p.189–190)
 * and the IdS error page when AD FS sends an unsigned response (docs/cisco.md, "What IdS checks").
 */

const USER = { username: 'agent1', password: 'Agent1Pass!', loginId: '1001' };

/** GET with the lab CA (Node's fetch reads NODE_EXTRA_CA_CERTS only at start-up): Finesse's REST API over TLS. */
function getWithCa(url: string, ca: string, headers: Record<string, string>): Promise<{ status: number; code: unknown; body: string }> {
  return new Promise((resolve, reject) => {
    const r = httpsRequest(url, { headers, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: res.headers['x-idp-harness-error'], body: Buffer.concat(chunks).toString('utf8') }));
    });
    r.on('error', reject);
    r.end();
  });
}

describeWithTool('chromium', 'headless Chromium runs Finesse SSO (F1) through IdS and the AD FS form, over TLS', () => {
  let lab: Lab;
  let browser: Browser;

  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: true });
    const args = [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${spkiHash(lab.state.pki.tls.certPem)}`];
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
  });
  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  const finesse = () => lab.urls.finesse!;
  const tokenUrl = () => `${finesse()}/desktop/sso/token?cc_username=${USER.username}&return_refresh_token=true`;

  /** A fresh browser profile (no cookies), recording the main frame's navigations and every response. */
  async function newPage(): Promise<{ context: BrowserContext; page: Page; navigations: Request[]; responses: Response[] }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const navigations: Request[] = [];
    const responses: Response[] = [];
    page.on('request', (r) => {
      if (r.isNavigationRequest() && r.frame() === page.mainFrame()) navigations.push(r);
    });
    context.on('response', (r) => responses.push(r));
    return { context, page, navigations, responses };
  }

  /** Opens the token URL, waits for the AD FS form the auto-POST brought us to, signs in. */
  async function startAndSignIn(page: Page): Promise<void> {
    await page.goto(tokenUrl());
    await page.waitForSelector('#userNameInput');
    expect(new URL(page.url()).origin).toBe(lab.urls.adfs);
    await page.fill('#userNameInput', USER.username);
    await page.fill('#passwordInput', USER.password);
    await page.click('#submitButton');
  }

  const step = (r: Request) => {
    const u = new URL(r.url());
    const who = u.origin === lab.urls.finesse ? 'finesse' : u.origin === lab.urls.ids ? 'ids' : u.origin === lab.urls.adfs ? 'adfs' : u.origin;
    return `${r.method()} ${who} ${u.pathname}`;
  };

  /** Runs F1 in `page` and returns Finesse's JSON as the browser shows it. */
  async function acquireInBrowser(page: Page, navigations: Request[]): Promise<Record<string, unknown>> {
    await startAndSignIn(page);
    await page.waitForURL((u) => u.origin === lab.urls.finesse && u.pathname === '/desktop/sso/authcode');
    const last = navigations.at(-1)!;
    const response = (await last.response())!;
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toMatch(/^application\/json/);
    // What the browser rendered is what the page's script (or a user) would read.
    return JSON.parse(await page.evaluate(() => document.body.innerText)) as Record<string, unknown>;
  }

  it('F1: the token URL ends on Finesse JSON after the auto-POST pages ran and the form was filled; the token opens the REST API', async () => {
    const { context, page, navigations } = await newPage();
    const json = await acquireInBrowser(page, navigations);

    // Reference A.1.5: every hop of the chain, in order. Only the sign-in POST came from our click;
    // the AuthnRequest, SAMLResponse and uniqueId posts are the pages' own scripts.
    expect(navigations.map(step)).toEqual([
      'GET finesse /desktop/sso/token',
      'GET ids /ids/v1/oauth/authorize',
      'POST adfs /adfs/ls/',
      'POST adfs /adfs/ls/',
      'POST ids /ids/saml/response',
      'POST ids /ids/relay',
      'GET finesse /desktop/sso/authcode',
    ]);
    expect(navigations[2]!.postData()).toMatch(/(^|&)SAMLRequest=/);
    expect(navigations[3]!.postData()).toMatch(/(^|&)UserName=agent1(&|$)/);
    expect(navigations[4]!.postData()).toMatch(/(^|&)SAMLResponse=/);
    expect(navigations[5]!.postData()).toMatch(/^uniqueId=[^&]+$/);

    // Reference A.1.3: the fetch's keys, with return_refresh_token=true.
    expect(Object.keys(json).sort()).toEqual(['expires_in', 'realm', 'refresh_token', 'token', 'user_id', 'user_principal']);
    const user = lab.state.users.get(USER.username)!;
    expect(json).toMatchObject({
      user_id: USER.username,
      user_principal: user.upn,
      realm: user.upn.split('@')[1],
      expires_in: lab.state.ids!.settings.accessTokenMinutes * 60,
    });
    expect(typeof json['token']).toBe('string');
    expect(typeof json['refresh_token']).toBe('string');
    expect(json['refresh_token']).not.toBe(json['token']);
    // IdS knows the token as agent1's access token.
    expect(lab.state.ids!.tokens.validateAccess(json['token'] as string).userId).toBe(USER.username);

    // The session cookie Finesse tied the fetch to: HttpOnly, Secure over TLS.
    const session = (await context.cookies(finesse())).find((c) => c.name === 'JSESSIONID');
    expect(session).toMatchObject({ httpOnly: true, secure: true });

    // F3: the token works outside the browser, as a desktop's backend would use it.
    const rest = await getWithCa(`${finesse()}/finesse/api/User/${USER.loginId}`, lab.state.pki.caPem, { authorization: `Bearer ${json['token'] as string}` });
    expect(rest.status).toBe(200);
    expect(rest.body).toContain(`<loginId>${USER.loginId}</loginId>`);
    // …and only that token: one character changed in the middle is refused.
    const token = json['token'] as string;
    const i = Math.floor(token.length / 2);
    const forged = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
    const refused = await getWithCa(`${finesse()}/finesse/api/User/${USER.loginId}`, lab.state.pki.caPem, { authorization: `Bearer ${forged}` });
    expect(refused.status).toBe(401);
    expect(refused.code).toBe('ERR_FINESSE_UNAUTHORIZED');
    await context.close();
  });

  /**
   * Opens /desktop/sso/test from a page on another origin (the console, standing in for a third-party
   * desktop) with window.open and returns the first message the opener receives, with its origin.
   */
  async function ssoTestFromOpener(context: BrowserContext): Promise<{ data: unknown; origin: string; status: number }> {
    const opener = await context.newPage();
    opener.setDefaultTimeout(15_000);
    await opener.goto(`${lab.urls.console}/healthz`);
    const testUrl = `${finesse()}/desktop/sso/test`;
    const answered = context.waitForEvent('response', (r) => r.url() === testUrl);
    const message = await opener.evaluate(
      (url) =>
        new Promise<{ data: unknown; origin: string }>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no postMessage within 10 s')), 10_000);
          window.addEventListener('message', (e) => {
            clearTimeout(timer);
            resolve({ data: e.data as unknown, origin: e.origin });
          });
          if (!window.open(url, 'ssotest')) reject(new Error('window.open was blocked'));
        }),
      testUrl,
    );
    const status = (await answered).status();
    await opener.close();
    return { ...message, status };
  }

  it('/desktop/sso/test, opened with window.open, posts {status:"true"} to its opener after the fetch and "NO TOKEN" in a fresh browser', async () => {
    // A browser that fetched a token (same profile: the JSESSIONID cookie).
    const signedIn = await newPage();
    await acquireInBrowser(signedIn.page, signedIn.navigations);
    const ok = await ssoTestFromOpener(signedIn.context);
    expect(ok.data).toEqual({ status: 'true', errorMessage: '' });
    expect(ok.origin).toBe(finesse());
    expect(ok.status).toBe(200);
    expect((await signedIn.context.cookies(finesse())).find((c) => c.name === 'ssotest')?.value).toBe('true');
    await signedIn.context.close();

    // A fresh profile: no Finesse session, so no token.
    const fresh = await browser.newContext();
    const none = await ssoTestFromOpener(fresh);
    expect(none.data).toEqual({ status: 'false', errorMessage: 'NO TOKEN' });
    expect(none.origin).toBe(finesse());
    expect(none.status).toBe(401);
    expect((await fresh.cookies(finesse())).find((c) => c.name === 'ssotest')?.value).toBe('false');
    await fresh.close();
  });

  it('an unsigned AD FS response for "Cisco Identity Service": the IdS error page with its code, no JSON, no token', async () => {
    const api = `${lab.urls.console}/api`;
    const tokensBefore = (await (await fetch(`${api}/ids/tokens`)).json()) as unknown[];
    const queued = await fetch(`${api}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ surface: 'adfs', kind: 'unsigned', relyingParty: 'Cisco Identity Service' }),
    });
    expect(queued.status).toBe(201);

    const { context, page, navigations, responses } = await newPage();
    await startAndSignIn(page);
    await page.waitForSelector('#errorText');

    // The browser is on IdS's ACS, which refused the response (docs/cisco.md: 403, fail closed).
    const acs = navigations.at(-1)!;
    expect(step(acs)).toBe('POST ids /ids/saml/response');
    expect(acs.postData()).toMatch(/(^|&)SAMLResponse=/);
    const refused = (await acs.response())!;
    expect(refused.status()).toBe(403);
    expect(refused.headers()['x-idp-harness-error']).toBe('ERR_SAML_SIGNATURE_REQUIRED');
    expect(await page.title()).toBe('Cisco Identity Service - Error');
    // pages.ts renders the code as text ("Error code: …"), for a person reporting the failure.
    expect(await page.evaluate(() => document.body.innerText)).toContain('Error code: ERR_SAML_SIGNATURE_REQUIRED');

    // The fault was taken by this response, and nothing went further: no relay, no authcode, no JSON, no token.
    expect((await (await fetch(`${api}/faults`)).json()) as unknown[]).toEqual([]);
    expect(navigations.some((r) => /\/ids\/relay$|\/desktop\/sso\/authcode/.test(new URL(r.url()).pathname))).toBe(false);
    expect(responses.some((r) => /^application\/json/.test(r.headers()['content-type'] ?? ''))).toBe(false);
    expect((await (await fetch(`${api}/ids/tokens`)).json()) as unknown[]).toHaveLength(tokensBefore.length);
    await context.close();
  });
});
