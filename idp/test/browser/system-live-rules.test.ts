import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { api, systemUser } from '../cxone/system-helpers.js';

/**
 * Headless Debian Chromium on the System authenticator's pages: the change-password form ticks
 * the rules live as the user types (reference B.1: green check / red X) — the inline script runs
 * and agrees with the server — and the MFA enrolment page's QR image is a picture the browser
 * decodes.
 */
describeWithTool('chromium', 'headless Chromium on the system sign-in pages', () => {
  let lab: Lab;
  let browser: Browser;

  beforeAll(async () => {
    lab = await startTestLab({ services: ['cxone'] });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  async function signInTo(page: Page, username: string, password: string) {
    await page.goto(`${lab.urls.cxone}/login`);
    await page.fill('#username', username);
    await Promise.all([page.waitForURL('**/login'), page.click('#next')]);
    await page.fill('#password', password);
    await page.click('#signIn');
    await page.waitForLoadState('load');
  }

  const ticks = (page: Page) =>
    page.$$eval('#passwordRules li', (items) => Object.fromEntries(items.map((li) => [li.getAttribute('data-rule'), li.getAttribute('data-ok')])));

  it('ticks the rules live on the change-password form, then the server accepts the password', async () => {
    const { username, userId } = await systemUser(lab, 'chromium', { password: { minSpecial: 1 }, userPassword: 'Cr7-live-x', firstName: 'Robin' });
    expect((await api(lab, 'POST', `/users/${userId}/password`, { password: 'Tmp9-reset!' })).status).toBe(200);
    const page = await browser.newPage();
    await signInTo(page, username, 'Tmp9-reset!');
    await page.waitForSelector('#changePasswordForm');
    expect(await ticks(page)).toEqual({ length: null, lower: null, upper: null, digit: null, special: null, personal: null, common: null });

    await page.locator('#newPassword').pressSequentially('robin');
    expect(await ticks(page)).toEqual({ length: 'false', lower: 'true', upper: 'false', digit: 'false', special: 'false', personal: 'false', common: null });
    await page.fill('#newPassword', '');
    await page.locator('#newPassword').pressSequentially('Zq8-kvmw');
    expect(await ticks(page)).toEqual({ length: 'true', lower: 'true', upper: 'true', digit: 'true', special: 'true', personal: 'true', common: null });
    expect(await page.$eval('#passwordRules [data-rule="upper"] .mark', (e) => e.textContent)).toBe('\u2714');

    await page.fill('#confirmPassword', 'Zq8-kvmw');
    await Promise.all([page.waitForURL(`${lab.urls.cxone}/`), page.click('#changePassword')]);
    expect(await page.textContent('#signedInUser')).toBe(username);
    await page.close();
  });

  it('shows the enrolment QR code as an image the browser decodes', async () => {
    const { username } = await systemUser(lab, 'chromiumqr', { mfa: { required: true, type: 'TOTP' }, userPassword: 'Cq7-live-x' });
    const page = await browser.newPage();
    await signInTo(page, username, 'Cq7-live-x');
    await page.waitForSelector('#mfaEnrollForm');
    const size = await page.$eval('#otpQr', (img) => ({ w: (img as HTMLImageElement).naturalWidth, complete: (img as HTMLImageElement).complete }));
    expect(size.complete).toBe(true);
    expect(size.w).toBeGreaterThan(100);
    await page.close();
  });
});
