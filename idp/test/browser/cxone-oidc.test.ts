import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Lab } from '../../src/lab.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, spkiHash } from '../helpers/chromium.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { AGENT2_EMAIL, AGENT2_ID, IDP_AGENT2, jwtPayload, LAB_OIDC_ID, startCxoneOidcLab } from '../cxone/oidc-helpers.js';

/**
 * A real browser (headless Debian Chromium, driven by playwright-core) signs in to CXone with the
 * fixture "Lab OIDC" authenticator: CXone's username page, the lab OP's sign-in page, CXone's
 * callback, CXone's home page. Once over plain HTTP, once over TLS where Chromium trusts exactly
 * the lab's TLS certificate (by its SPKI hash).
 */
describeWithTool('chromium', 'headless Chromium signs in to CXone through an OIDC authenticator', () => {
  for (const tls of [false, true]) {
    describe(tls ? 'over TLS' : 'over plain HTTP', () => {
      let lab: Lab;
      let browser: Browser;

      beforeAll(async () => {
        lab = await startCxoneOidcLab({ tls });
        const args = [...CHROMIUM_ARGS];
        if (tls) args.push(`--ignore-certificate-errors-spki-list=${spkiHash(lab.state.pki.tls.certPem)}`);
        browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
      });
      afterAll(async () => {
        await browser?.close();
        await lab?.stop();
      });

      async function newPage(): Promise<Page> {
        const page = await (await browser.newContext()).newPage();
        page.setDefaultTimeout(15_000);
        return page;
      }

      it('username page → lab OP sign-in page → CXone home page, agent2 linked to the IdP subject', async () => {
        const page = await newPage();
        await page.goto(`${lab.urls.cxone}/login`);
        await page.fill('#username', AGENT2_EMAIL);
        await page.click('#next');

        // The lab OP's sign-in page, with CXone's login_hint pre-filled.
        await page.waitForSelector('#password');
        expect(page.url().startsWith(`${lab.urls.oidc}/interaction/`)).toBe(true);
        expect(await page.inputValue('#username')).toBe(AGENT2_EMAIL);
        await page.fill('#username', IDP_AGENT2.username);
        await page.fill('#password', IDP_AGENT2.password);
        await page.click('#submit');

        await page.waitForSelector('#signedInUser');
        expect(page.url()).toBe(`${lab.urls.cxone}/`);
        expect(await page.textContent('#signedInUser')).toBe(AGENT2_EMAIL);
        expect(await page.textContent('#authenticator')).toBe('Lab OIDC');
        expect(await page.textContent('#amr')).toBe('fed');

        const session = lab.state.cxone!.sessions.list().find((s) => s.userId === AGENT2_ID)!;
        expect(session.authenticatorId).toBe(LAB_OIDC_ID);
        expect(lab.state.cxone!.store.users.get(AGENT2_ID)!.externalIdentity).toBe(jwtPayload(session.external!.idToken!)['sub']);
        await page.context().close();
      });

      it('a wrong state at the callback shows the CXone error page with its code', async () => {
        const page = await newPage();
        const res = await page.goto(`${lab.urls.cxone}/auth/oidc/callback/${LAB_OIDC_ID}?code=x&state=forged-state-0123456789abcdef`);
        expect(res?.status()).toBe(400);
        expect(await page.textContent('#errorCode')).toBe('ERR_CXONE_OIDC_STATE');
        await page.context().close();
      });
    });
  }
});
