import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, spkiHash } from '../helpers/chromium.js';
import { describeWithTool } from '../helpers/debian-tool.js';

/**
 * A real browser (headless Debian Chromium, driven by playwright-core) signs in at the console's
 * sample SP (node-saml) through the AD FS forms page: the HTML, the cookies and the auto-POST page
 * must work in Chromium, not only for scripted clients. Once over plain HTTP, once over TLS where
 * Chromium trusts exactly the lab's TLS certificate (by its SPKI hash) and nothing else.
 */


const CLAIM = {
  upn: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  givenName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
  surname: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
  group: 'http://schemas.xmlsoap.org/claims/Group',
};

describeWithTool('chromium', 'headless Chromium signs in through the AD FS form', () => {
  for (const tls of [false, true]) {
    describe(tls ? 'over TLS (AD FS on HTTPS, trusted by SPKI pin)' : 'over plain HTTP', () => {
      let lab: Lab;
      let browser: Browser;

      beforeAll(async () => {
        lab = await startTestLab({ services: ['adfs', 'console'], tls });
        const args = [...CHROMIUM_ARGS];
        if (tls) args.push(`--ignore-certificate-errors-spki-list=${spkiHash(lab.state.pki.tls.certPem)}`);
        browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
      });
      afterAll(async () => {
        await browser?.close();
        await lab?.stop();
      });

      async function newPage(): Promise<{ page: Page; requests: Request[] }> {
        const context: BrowserContext = await browser.newContext();
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        const requests: Request[] = [];
        page.on('request', (r) => {
          if (r.isNavigationRequest() && r.frame() === page.mainFrame()) requests.push(r);
        });
        return { page, requests };
      }

      const sampleSp = () => `${lab.urls.console}/sample-sp/`;
      const acsUrl = () => `${lab.urls.console}/sample-sp/acs`;
      const lsUrl = () => lab.state.adfs!.urls.ls;
      const isLoginPost = (r: Request) => r.method() === 'POST' && r.url().startsWith(lsUrl() + '?client-request-id=');

      async function fillAndSubmit(page: Page, username: string, password: string): Promise<void> {
        await page.fill('#userNameInput', username);
        await page.fill('#passwordInput', password);
        await page.click('#submitButton');
      }

      async function expectSignedInAsAgent1(page: Page): Promise<void> {
        await page.waitForURL(acsUrl());
        expect(await page.textContent('#signedIn')).toBe('Signed in');
        expect(await page.textContent('#nameId')).toBe('agent1@lab.example');
        const claims = await page.$$eval('#claims tr', (rows) =>
          rows.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
        );
        expect(claims).toEqual(
          expect.arrayContaining([
            [CLAIM.upn, 'agent1@lab.example'],
            [CLAIM.email, 'agent1@lab.example'],
            [CLAIM.givenName, 'Alice'],
            [CLAIM.surname, 'Agent'],
            [CLAIM.group, 'Agents, Team Sales'],
          ]),
        );
      }

      it('HTTP-Redirect: the form, the auto-POST, the ACS; then SSO on the cookie without the form', async () => {
        const { page, requests } = await newPage();
        await page.goto(sampleSp());
        await page.getByRole('link', { name: 'Sign in (HTTP-Redirect)' }).click();

        await page.waitForSelector('#userNameInput');
        expect(page.url().startsWith(lsUrl() + '?SAMLRequest=')).toBe(true);
        expect(await page.title()).toBe('Sign In');
        expect(await page.inputValue('#optionForms')).toBe('FormsAuthentication');
        if (!tls) await page.screenshot({ path: '/tmp/adfs-login.png', fullPage: true });

        await fillAndSubmit(page, 'agent1', 'Agent1Pass!');
        await expectSignedInAsAgent1(page);
        expect(requests.filter(isLoginPost)).toHaveLength(1);
        // the "Working..." page posted itself to the ACS: no click of ours did that
        const acsPosts = requests.filter((r) => r.method() === 'POST' && r.url() === acsUrl());
        expect(acsPosts).toHaveLength(1);
        expect(acsPosts[0]!.postData()).toMatch(/^SAMLResponse=/);

        const cookies = await page.context().cookies(lsUrl());
        const session = cookies.find((c) => c.name === 'MSISAuth');
        expect(session).toBeDefined();
        expect(session!.httpOnly).toBe(true);
        expect(session!.secure).toBe(tls);

        // second visit: straight through on the SSO cookie
        requests.length = 0;
        await page.goto(sampleSp());
        expect(await page.textContent('#nameId')).toBe('agent1@lab.example'); // the sample SP's own session
        await page.getByRole('link', { name: 'Sign in (HTTP-Redirect)' }).click();
        await expectSignedInAsAgent1(page);
        expect(requests.filter(isLoginPost)).toHaveLength(0);
        expect(requests.map((r) => `${r.method()} ${new URL(r.url()).pathname}`)).toEqual([
          'GET /sample-sp/',
          'GET /sample-sp/login',
          'GET /adfs/ls/',
          'POST /sample-sp/acs',
        ]);
      });

      it('HTTP-POST binding: node-saml posts the AuthnRequest, the form signs in', async () => {
        const { page, requests } = await newPage();
        await page.goto(sampleSp());
        await page.getByRole('link', { name: 'Sign in (HTTP-POST)' }).click();
        await page.waitForSelector('#userNameInput');
        const posted = requests.find((r) => r.method() === 'POST' && r.url() === lsUrl());
        expect(posted).toBeDefined();
        expect(posted!.postData()).toMatch(/(^|&)SAMLRequest=/);
        await fillAndSubmit(page, 'agent1', 'Agent1Pass!');
        await expectSignedInAsAgent1(page);
      });

      if (tls) {
        it('without the SPKI pin Chromium refuses the lab certificate (the pin is what trusts it)', async () => {
          const plain = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
          try {
            const page = await plain.newPage();
            await expect(page.goto(lab.urls.adfs + '/healthz', { timeout: 15_000 })).rejects.toThrow(/net::ERR_CERT_AUTHORITY_INVALID/);
          } finally {
            await plain.close();
          }
        });
      }

      it('a wrong password shows #errorText and stays on AD FS', async () => {
        const { page, requests } = await newPage();
        await page.goto(sampleSp());
        await page.getByRole('link', { name: 'Sign in (HTTP-Redirect)' }).click();
        await page.waitForSelector('#userNameInput');
        await fillAndSubmit(page, 'agent1', 'wrong password');
        await page.waitForSelector('#errorText');
        expect(await page.textContent('#errorText')).toBe(
          'Incorrect user ID or password. Type the correct user ID and password, and try again.',
        );
        expect(page.url().startsWith(lsUrl() + '?client-request-id=')).toBe(true);
        expect(await page.inputValue('#userNameInput')).toBe('agent1');
        expect(requests.some((r) => r.url().startsWith(acsUrl()))).toBe(false);
        expect((await page.context().cookies(lsUrl())).some((c) => c.name === 'MSISAuth')).toBe(false);
        // the same form then accepts the right password
        await fillAndSubmit(page, 'agent1', 'Agent1Pass!');
        await expectSignedInAsAgent1(page);
      });
    });
  }
});
