import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Lab } from '../../src/lab.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, spkiHash } from '../helpers/chromium.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { addClient, issuerUrl, oidc, startOidcLab } from '../helpers/oidc-rp.js';
import { fetchWithCa } from '../../../harness/src/tokens/fetch-with-ca.js';

/**
 * A real browser (headless Debian Chromium, driven by playwright-core) goes through the OpenID
 * Provider's pages: the sign-in page, a wrong password, the consent page of a third-party client
 * and the RP-initiated logout confirmation. The relying party is a small node:http server on
 * 127.0.0.1 (its redirect URI, registered by exact match) plus openid-client, which builds the
 * requests and redeems the code: the HTML, the cookies and the redirects must work in Chromium,
 * not only for the scripted UserAgent. Once over plain HTTP, once over TLS where Chromium trusts
 * exactly the lab's TLS certificate (by its SPKI hash).
 */

/** The relying party's side in the browser: every request the callback server received. */
class RpServer {
  readonly received: URL[] = [];
  private waiters: Array<{ path: string; resolve: (u: URL) => void }> = [];
  private server: Server | undefined;
  origin = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', this.origin);
      this.received.push(url);
      const waiting = this.waiters.filter((w) => w.path === url.pathname);
      this.waiters = this.waiters.filter((w) => w.path !== url.pathname);
      for (const w of waiting) w.resolve(url);
      const id = url.pathname === '/cb' ? 'rpCallback' : url.pathname === '/logged-out' ? 'rpLoggedOut' : 'rpOther';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`<!DOCTYPE html><html><head><title>RP</title></head><body><p id="${id}">${url.pathname}</p></body></html>`);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next request to `path` (register before triggering it), bounded by a timeout. */
  next(path: string, timeoutMs = 15_000): Promise<URL> {
    const p = new Promise<URL>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the RP received no request to ${path} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        path,
        resolve: (u) => {
          clearTimeout(timer);
          resolve(u);
        },
      });
    });
    // A test that fails before awaiting it must not leave an unhandled rejection behind.
    p.catch(() => undefined);
    return p;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const SECRET = 'chromium-rp-secret-0123456789abcdef';

describeWithTool('chromium', 'headless Chromium signs in through the OpenID Provider pages', () => {
  for (const tls of [false, true]) {
    describe(tls ? 'over TLS (the OP on HTTPS, trusted by SPKI pin)' : 'over plain HTTP', () => {
      let lab: Lab;
      let browser: Browser;
      const rp = new RpServer();
      let web: oidc.Configuration;
      let thirdParty: oidc.Configuration;
      const cb = () => `${rp.origin}/cb`;
      const loggedOut = () => `${rp.origin}/logged-out`;

      const discoverAs = (clientId: string) =>
        oidc.discovery(
          new URL(issuerUrl(lab)),
          clientId,
          { client_secret: SECRET },
          oidc.ClientSecretBasic(),
          tls ? { [oidc.customFetch]: fetchWithCa(lab.state.pki.caPem) } : { execute: [oidc.allowInsecureRequests] },
        );

      beforeAll(async () => {
        lab = await startOidcLab({ tls });
        await rp.start();
        const client = (clientId: string, extra: Record<string, unknown> = {}) => ({
          client_id: clientId,
          client_secret: SECRET,
          token_endpoint_auth_method: 'client_secret_basic',
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: [cb()],
          post_logout_redirect_uris: [loggedOut()],
          ...extra,
        });
        await addClient(lab, client('chromium-web', { client_name: 'Chromium RP' }));
        await addClient(lab, client('chromium-3p', { client_name: 'Chromium third party', first_party: false }));
        web = await discoverAs('chromium-web');
        thirdParty = await discoverAs('chromium-3p');
        const args = [...CHROMIUM_ARGS];
        if (tls) args.push(`--ignore-certificate-errors-spki-list=${spkiHash(lab.state.pki.tls.certPem)}`);
        browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
      });
      afterAll(async () => {
        await browser?.close();
        await rp.stop();
        await lab?.stop();
      });

      async function newPage(): Promise<Page> {
        const page = await (await browser.newContext()).newPage();
        page.setDefaultTimeout(15_000);
        return page;
      }

      /** An authorization request with PKCE S256, state and nonce, as openid-client builds it. */
      async function request(cfg: oidc.Configuration, params: Record<string, string> = {}) {
        const verifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        const nonce = oidc.randomNonce();
        const url = oidc.buildAuthorizationUrl(cfg, {
          redirect_uri: cb(),
          scope: 'openid profile email',
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
          nonce,
          ...params,
        });
        const redeem = (callback: URL) => oidc.authorizationCodeGrant(cfg, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
        return { url, state, redeem };
      }

      async function signIn(page: Page, username: string, password: string): Promise<void> {
        await page.fill('#username', username);
        await page.fill('#password', password);
        await page.click('#submit');
      }

      it('signs in through the page; openid-client redeems the code and verifies the ID token (sub, acr, amr)', async () => {
        const page = await newPage();
        // agent2 has a second factor but no phishing-resistant one: the first requested value reached.
        const { url, redeem } = await request(web, { acr_values: 'phr mfa' });
        const callback = rp.next('/cb');
        await page.goto(url.toString());
        await page.waitForSelector('#username');
        expect(page.url().startsWith(`${issuerUrl(lab)}/interaction/`)).toBe(true);
        expect(await page.textContent('#clientName')).toBe('Chromium RP');
        await signIn(page, 'agent2', 'Agent2Pass!');

        const received = await callback;
        expect(received.searchParams.get('iss')).toBe(issuerUrl(lab)); // RFC 9207, checked by openid-client too
        const tokens = await redeem(received);
        const claims = tokens.claims()!;
        expect(claims).toMatchObject({ sub: 'agent2', aud: 'chromium-web', iss: issuerUrl(lab), acr: 'mfa', amr: ['pwd', 'otp', 'mfa'] });
        await page.waitForSelector('#rpCallback');
        expect(page.url().startsWith(cb() + '?')).toBe(true);
        await page.context().close();
      });

      // The page's behaviour does not depend on the transport: these two run over plain HTTP only
      // (sign-in and logout, where cookies and redirects differ under TLS, run over both).
      if (!tls) {
        it('a wrong password shows #errorText and stays on the OP; the right one then signs in', async () => {
          const page = await newPage();
          const { url, redeem } = await request(web);
          const before = rp.received.length;
          await page.goto(url.toString());
          await page.waitForSelector('#username');
          await signIn(page, 'agent1', 'wrong password');
          await page.waitForSelector('#errorText');
          expect(await page.textContent('#errorText')).toBe('Incorrect username or password.');
          expect(new URL(page.url()).origin).toBe(new URL(issuerUrl(lab)).origin);
          expect(new URL(page.url()).pathname).toMatch(/\/interaction\/[^/]+\/login$/);
          expect(await page.inputValue('#username')).toBe('agent1');
          expect(await page.inputValue('#password')).toBe(''); // never echoed back
          expect(rp.received.length).toBe(before);

          const callback = rp.next('/cb');
          await signIn(page, 'agent1', 'Agent1Pass!');
          const tokens = await redeem(await callback);
          expect(tokens.claims()).toMatchObject({ sub: 'agent1', acr: 'pwd', amr: ['pwd'] });
          await page.context().close();
        });

        it('a third-party client: the consent page lists the scopes, #approve returns a code', async () => {
          const page = await newPage();
          const { url, redeem } = await request(thirdParty);
          await page.goto(url.toString());
          await page.waitForSelector('#username');
          await signIn(page, 'supervisor1', 'Super1Pass!');
          await page.waitForSelector('#approve');
          expect(await page.textContent('#clientName')).toBe('Chromium third party');
          const scopes = await page.$$eval('ul.scopes li code', (els) => els.map((e) => e.textContent ?? ''));
          expect(scopes.sort()).toEqual(['email', 'openid', 'profile']);
          const callback = rp.next('/cb');
          await page.click('#approve');
          const tokens = await redeem(await callback);
          expect(tokens.claims()).toMatchObject({ sub: 'supervisor1', aud: 'chromium-3p' });
          expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
          await page.context().close();
        });
      }

      it('RP-initiated logout: the confirm page (#confirm) lands on the registered post-logout URI; the session is gone', async () => {
        const page = await newPage();
        const first = await request(web);
        const callback = rp.next('/cb');
        await page.goto(first.url.toString());
        await page.waitForSelector('#username');
        await signIn(page, 'agent1', 'Agent1Pass!');
        const tokens = await first.redeem(await callback);

        // Signed in: a second request goes straight back to the RP, no page.
        const second = await request(web);
        const again = rp.next('/cb');
        await page.goto(second.url.toString());
        expect((await second.redeem(await again)).claims()!.sub).toBe('agent1');

        const state = oidc.randomState();
        const endUrl = oidc.buildEndSessionUrl(web, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: loggedOut(), state });
        const landed = rp.next('/logged-out');
        await page.goto(endUrl.toString());
        await page.waitForSelector('#confirm');
        expect(await page.textContent('#clientName')).toBe('Chromium RP');
        expect(await page.$('#redirectNotice')).toBeNull(); // the URI is registered
        await page.click('#confirm');
        const out = await landed;
        expect(out.origin + out.pathname).toBe(loggedOut());
        expect(out.searchParams.get('state')).toBe(state);
        await page.waitForSelector('#rpLoggedOut');

        // Signed out: the next request shows the sign-in page again.
        const third = await request(web);
        await page.goto(third.url.toString());
        await page.waitForSelector('#username');
        expect(page.url().startsWith(`${issuerUrl(lab)}/interaction/`)).toBe(true);
        await page.context().close();
      });
    });
  }
});
