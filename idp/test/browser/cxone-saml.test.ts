import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, spkiHash } from '../helpers/chromium.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { adminApi, LAB_ADFS_ID } from '../cxone/saml-flow.js';

/**
 * F4 in a real browser (headless Debian Chromium, driven by playwright-core): CXone's username
 * page, the redirect with the AuthnRequest, the AD FS forms page, AD FS's auto-POST to CXone's
 * ACS and CXone's home page, for the fixture "Lab AD FS" SAML authenticator. Plain HTTP, and TLS
 * where Chromium trusts exactly the lab's TLS certificate (SPKI pin).
 */
describeWithTool('chromium', 'headless Chromium signs in to CXone through the lab AD FS (SAML, SP-initiated)', () => {
  for (const tls of [false, true]) {
    describe(tls ? 'over TLS' : 'over plain HTTP', () => {
      let lab: Lab;
      let browser: Browser;

      beforeAll(async () => {
        lab = await startTestLab({ services: ['adfs', 'cxone'], tls });
        const args = [...CHROMIUM_ARGS];
        if (tls) args.push(`--ignore-certificate-errors-spki-list=${spkiHash(lab.state.pki.tls.certPem)}`);
        browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
      });
      afterAll(async () => {
        await browser?.close();
        await lab?.stop();
      });

      async function newPage(): Promise<{ page: Page; requests: Request[] }> {
        const page = await (await browser.newContext()).newPage();
        page.setDefaultTimeout(15_000);
        const requests: Request[] = [];
        page.on('request', (r) => {
          if (r.isNavigationRequest() && r.frame() === page.mainFrame()) requests.push(r);
        });
        return { page, requests };
      }

      it('username page → AD FS form → auto-POST to the ACS → CXone home page, signed in as agent1', async () => {
        const { page, requests } = await newPage();
        const acs = `${lab.urls.cxone}/auth/authorize?tenantId=${LAB_ADFS_ID}`;
        await page.goto(`${lab.urls.cxone}/login`);
        await page.fill('#username', 'agent1@lab.example');
        await page.click('#next');

        await page.waitForSelector('#userNameInput');
        expect(page.url().startsWith(`${lab.urls.adfs}/adfs/ls/?SAMLRequest=`)).toBe(true);
        await page.fill('#userNameInput', 'agent1');
        await page.fill('#passwordInput', 'Agent1Pass!');
        await page.click('#submitButton');

        await page.waitForURL(`${lab.urls.cxone}/`);
        expect(await page.textContent('#signedInUser')).toBe('agent1@lab.example');
        expect(await page.textContent('#authenticator')).toBe('Lab AD FS');
        expect(await page.textContent('#amr')).toBe('fed');
        // AD FS's "Working..." page posted itself to the ACS: no click of ours did that.
        const acsPosts = requests.filter((r) => r.method() === 'POST' && r.url() === acs);
        expect(acsPosts).toHaveLength(1);
        expect(acsPosts[0]!.postData()).toMatch(/(^|&)SAMLResponse=/);
        const session = (await page.context().cookies(lab.urls.cxone!)).find((c) => c.name === 'cxone_session');
        expect(session).toMatchObject({ httpOnly: true, secure: tls, sameSite: 'Lax' });
      });

      it('a refused response shows CXone’s error page with its code (agent2 at AD FS for agent1’s sign-in)', async () => {
        const created = await adminApi(lab, 'POST', '/users', {
          username: 'bob.saml@lab.example',
          email: 'bob.saml@lab.example',
          firstName: 'Bob',
          lastName: 'Saml',
          active: true,
          loginAuthenticatorId: LAB_ADFS_ID,
          externalIdentity: 'agent2@lab.example',
        });
        expect(created.status).toBe(201);
        const { page } = await newPage();
        await page.goto(`${lab.urls.cxone}/login`);
        await page.fill('#username', 'agent1@lab.example');
        await page.click('#next');
        await page.waitForSelector('#userNameInput');
        await page.fill('#userNameInput', 'agent2');
        await page.fill('#passwordInput', 'Agent2Pass!');
        await page.click('#submitButton');
        await page.waitForSelector('#errorCode');
        expect(await page.textContent('#errorCode')).toBe('ERR_CXONE_SAML_USER_MISMATCH');
        expect((await page.context().cookies(lab.urls.cxone!)).some((c) => c.name === 'cxone_session')).toBe(false);
      });
    });
  }
});
