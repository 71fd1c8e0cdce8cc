import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { FinesseNotificationClient } from '../../../harness/src/clients/finesse/notification-client.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';
import { describeWithTool } from '../helpers/debian-tool.js';

/**
 * The console's "Finesse notifications" section in a real browser (headless Debian Chromium,
 * playwright-core): the page lists what the notification service published (reference A.2.6),
 * then its script listens to the Server-Sent Events stream, so a REST state change appears as a
 * new row without a reload. The requestId is an HTTP header the desktop chooses: markup in it
 * must be shown as text, never run.
 */

const BASIC = `Basic ${Buffer.from('nonsso1:NonSso1Pass!').toString('base64')}`;
/** A requestId that would be an element (and run script) if the page inserted it as HTML. */
const HOSTILE = '<img src=x onerror="window.__injected=1">live-1';

describeWithTool('chromium', 'the console shows Finesse notifications live (headless Chromium)', () => {
  let lab: Lab;
  let browser: Browser;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['ids', 'finesse', 'console'], tls: false });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  const putUser = (body: string, requestId: string) =>
    fetch(`${lab.urls.finesse}/finesse/api/User/1003`, { method: 'PUT', headers: { authorization: BASIC, 'content-type': 'application/xml', requestId }, body });

  it('lists the notifications published before, adds a REST change live (as text), and shows the connected desktop', async () => {
    expect((await putUser('<User><state>LOGIN</state><extension>3003</extension></User>', 'before-page')).status).toBe(202);
    const desktop = await FinesseNotificationClient.connect({ finesseUrl: lab.urls.finesse!, transport: 'websocket', loginId: '1003', password: 'NonSso1Pass!', timeoutMs: 5000 });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(5000);
      await page.goto(`${lab.urls.console}/`);
      await page.waitForSelector('#finesseNotifications[data-live="open"]');
      const rows = page.locator('#finesseNotifications tbody tr');
      const cellsOf = (i: number) => rows.nth(i).locator('td').allTextContents();

      // Rendered by the server: the LOGIN from before the page was opened.
      expect(await rows.count()).toBe(1);
      expect((await cellsOf(0)).slice(1, 6)).toEqual(['/finesse/api/User/1003', 'PUT', 'before-page', '/finesse/api/User/1003', '']);
      expect(await page.locator('#finesseConnections tbody').textContent()).toBe(`${desktop.jid}websocketavailable`);

      // Same document from here on: the new row must come from the event stream, not a reload.
      await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
      expect((await putUser('<User><state>READY</state></User>', HOSTILE)).status).toBe(202);
      await page.locator('#finesseNotifications tbody tr').nth(1).waitFor();
      expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

      const newest = await cellsOf(0);
      expect(newest.slice(1, 6)).toEqual(['/finesse/api/User/1003', 'PUT', HOSTILE, '/finesse/api/User/1003', desktop.jid]);
      expect(newest[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      // The Update XML, as text in a <details>: the requestId escaped inside it, the state READY.
      const update = await rows.nth(0).locator('details pre').textContent();
      expect(update).toBe((await desktop.waitForRequest(HOSTILE)).xml);
      expect(update).toContain('<state>READY</state>');
      expect(update).toContain('<requestId>&lt;img src=x onerror="window.__injected=1"&gt;live-1</requestId>');
      expect(await page.locator('#finesseNotifications img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();

      // The desktop goes; the page asks for the connections again with the next notification.
      await desktop.close();
      expect((await putUser('<User><state>NOT_READY</state><reasonCodeId>1</reasonCodeId></User>', 'after-close')).status).toBe(202);
      await page.locator('#finesseNotifications tbody tr').nth(2).waitFor();
      expect((await cellsOf(0)).slice(1, 4)).toEqual(['/finesse/api/User/1003', 'PUT', 'after-close']);
      await page.waitForFunction(() => document.querySelector('#finesseConnections tbody')?.textContent === '');
      expect(await page.locator('#finessePendingLogouts').textContent()).toMatch(/^Forced logout pending: 1003 \(presence lost \d{4}-/);
    } finally {
      await context.close();
      await desktop.close();
    }
  });

  it("plays the caller: rings a READY agent from the panel, refuses one who is not, hangs up (the agents' states follow)", async () => {
    expect((await fetch(`${lab.urls.console}/api/reset`, { method: 'POST' })).status).toBe(200);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(5000);
      await page.goto(`${lab.urls.console}/`);
      await page.waitForSelector('#finesseNotifications[data-live="open"]', { state: 'attached' });
      const stateOf = (user: string) => page.locator(`#finesseAgents tr[data-user="${user}"] td.state`);
      expect(await stateOf('nonsso1').textContent()).toBe('LOGOUT');

      expect((await putUser('<User><state>LOGIN</state><extension>3003</extension></User>', 'ring-1')).status).toBe(202);
      await page.fill('#ringTo', '1003');
      await page.click('#ringSubmit');
      await page.waitForFunction(() => document.getElementById('ciscoNotice')!.textContent !== '');
      expect(await page.locator('#ciscoNotice').textContent()).toMatch(/^ERR_CONTROL_CONFLICT: /);

      expect((await putUser('<User><state>READY</state></User>', 'ring-2')).status).toBe(202);
      await page.fill('#ringTo', '3003');
      await page.click('#ringSubmit');
      await page.waitForFunction(() => /^Call \d+ is ringing\.$/.test(document.getElementById('ciscoNotice')!.textContent!));
      await page.waitForFunction(() => document.querySelector('#finesseAgents tr[data-user="nonsso1"] td.state')!.textContent === 'RESERVED');
      const hangUp = page.locator('#finesseAgents tr[data-user="nonsso1"] button.hangup');
      const dialogId = await hangUp.getAttribute('data-dialog');
      const dialog = await (await fetch(`${lab.urls.finesse}/finesse/api/Dialog/${dialogId}`, { headers: { authorization: BASIC } })).text();
      expect(dialog).toMatch(/<mediaAddress>3003<\/mediaAddress>[\s\S]*?<state>ALERTING<\/state>/);

      await hangUp.click();
      await page.waitForFunction((id) => document.getElementById('ciscoNotice')!.textContent === `Call ${id} hung up.`, dialogId);
      await page.waitForFunction(() => document.querySelector('#finesseAgents tr[data-user="nonsso1"] td.state')!.textContent === 'READY');
    } finally {
      await context.close();
    }
  });
});
