import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { codeFlow, discover, oidc } from '../helpers/oidc-rp.js';

/**
 * The console page in a real browser (headless Debian Chromium, playwright-core), everything it
 * shows read from the control API by its scripts: the services; a sign-in made meanwhile appears
 * in the exchange list without a reload, its SAML pretty-printed with the signature badge; a JWT
 * decoded; the filters; the fault, clock and reset buttons (their effect checked through the API);
 * the sample RP signing in; and hostile values shown as text, never run.
 */

/** Would be an element (and run script) if the page inserted it as HTML. */
const HOSTILE = '<img src=x onerror="window.__injected=1">';

describeWithTool('chromium', 'the console dashboard (headless Chromium)', () => {
  let lab: Lab;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${lab.urls.console}/api${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON
  };
  const rows = () => page.locator('#exchanges > li.exchange');
  const sameDocument = () => page.evaluate(() => (window as unknown as { __same?: boolean }).__same === true);

  beforeAll(async () => {
    lab = await startTestLab({ tls: false });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
    context = await browser.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(5000);
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${lab.urls.console}/`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    await page.waitForSelector('#exchanges[data-live="open"]', { state: 'attached' });
    await page.evaluate(() => ((window as unknown as { __same: boolean }).__same = true));
  });
  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  it('lists the running services with their metadata links, and what the lab knows', async () => {
    const services = await page.locator('#services tbody tr td:first-child').allTextContents();
    expect(services).toEqual(['adfs', 'oidc', 'ids', 'finesse', 'cxone', 'console']);
    const hrefs = await page.locator('#services a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toContain(`${lab.urls.adfs}/FederationMetadata/2007-06/FederationMetadata.xml`);
    expect(hrefs).toContain(`${lab.urls.oidc}/ficam/.well-known/openid-configuration`);
    expect(hrefs).toContain(`${lab.urls.ids}/ids/saml/metadata`);
    expect(hrefs).toContain(`${lab.urls.cxone}/.well-known/openid-configuration`);
    expect(hrefs).toContain('/sample-sp/');
    expect(await page.locator('#users tbody tr td:first-child').allTextContents()).toEqual(['agent1', 'agent2', 'supervisor1', 'nonsso1']);
    expect(await page.locator('#relyingParties tbody tr').count()).toBeGreaterThan(1);
    expect(await page.locator('#oidcClients tbody').textContent()).toContain('sample-console-rp');
    expect(await page.locator('#idsSettings').textContent()).toContain('accessTokenMinutes60');
    expect(await page.locator('#cxoneAuthenticators').textContent()).toContain('Lab AD FS');
    expect(await page.locator('#finesseAgents tbody tr').count()).toBe(4);
  });

  it('shows a SAML sign-in made meanwhile live, pretty-printed with a valid signature badge', async () => {
    const sp = await context.newPage();
    await sp.goto(`${lab.urls.console}/sample-sp/login`);
    await sp.fill('#userNameInput', 'agent1');
    await sp.fill('#passwordInput', 'Agent1Pass!');
    await sp.click('#submitButton');
    await sp.waitForSelector('#signedIn');
    await sp.close();

    const response = rows().filter({ hasText: 'Response to idp-harness sample SP for agent1' });
    await response.waitFor();
    expect(await rows().filter({ hasText: 'AuthnRequest from urn:idp-harness:sample-sp' }).count()).toBe(1);
    expect(await sameDocument()).toBe(true);
    // Newest first: the response above its request.
    expect(await rows().first().textContent()).toContain('Response to idp-harness sample SP');
    expect(await response.locator('summary .sig-badge').textContent()).toBe('signature valid');

    await response.locator('summary').click();
    const xml = await response.locator('pre.saml-xml').textContent();
    expect(xml).toMatch(/^<samlp:Response [^\n]*>\n {2}<Issuer [^\n]*>http:\/\/localhost\/adfs\/services\/trust<\/Issuer>\n/);
    expect(xml).toMatch(/\n {2}<Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion"[^\n]*>\n {4}<Issuer>/);
    expect(xml).toMatch(/\n {6}<ds:SignedInfo>/);
    expect(await response.locator('.exchange-detail .signature .sig-valid').textContent()).toBe('signature valid');
  });

  it('decodes a JWT row: header and claims, the signature said to be not re-verified', async () => {
    const cfg = await discover(lab, 'sample-web', oidc.ClientSecretBasic('sample-web-secret-0123456789'));
    const { tokens } = await codeFlow(cfg, { redirectUri: 'http://localhost:8080/callback' });
    const row = rows().filter({ hasText: 'Tokens for sample-web' });
    await row.waitFor();
    await row.locator('summary').click();
    const claims = JSON.parse((await row.locator('pre.jwt-claims').first().textContent())!) as Record<string, unknown>;
    expect(claims).toEqual(tokens.claims());
    expect(JSON.parse((await row.locator('pre.jwt-header').first().textContent())!)).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    expect(await row.locator('.jwt-signature').first().textContent()).toContain('not re-verified by the console');
    expect(await row.locator('.jwt-times').first().textContent()).toMatch(/exp: \d{4}-\d\d-\d\dT/);
  });

  it('filters: one service only, then one user, then back to everything', async () => {
    expect(await rows().filter({ hasText: 'adfs' }).count()).toBeGreaterThan(0);
    await page.selectOption('#filterService', 'oidc');
    await page.waitForFunction(() => {
      const list = document.getElementById('exchanges')!;
      return list.dataset['live'] === 'open' && list.children.length > 0 && Array.from(list.children).every((li) => (li as HTMLElement).dataset['service'] === 'oidc');
    });
    const services = await rows().evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset['service']));
    expect(new Set(services)).toEqual(new Set(['oidc']));
    await page.selectOption('#filterService', '');
    await page.fill('#filterUser', 'nobody-signed-in-as-this');
    await page.waitForFunction(() => document.getElementById('exchanges')!.dataset['live'] === 'open' && document.getElementById('exchanges')!.children.length === 0);
    await page.click('#filterClear');
    await page.waitForFunction(() => document.getElementById('exchanges')!.dataset['live'] === 'open' && document.querySelectorAll('#exchanges > li[data-service="adfs"]').length > 0);
    expect(await sameDocument()).toBe(true);
  });

  it('queues a fault, moves the clock, and resets the lab through its buttons', async () => {
    await page.selectOption('#faultSurface', 'adfs');
    await page.selectOption('#faultKind', 'wrong-audience');
    await page.fill('#faultTarget', 'idp-harness sample SP');
    await page.click('#faultQueue');
    await page.locator('#faultList li.fault').waitFor();
    expect((await api('GET', '/faults')).body).toEqual([{ surface: 'adfs', kind: 'wrong-audience', relyingParty: 'idp-harness sample SP' }]);
    expect(await page.locator('#notice').textContent()).toContain('Fault queued: adfs wrong-audience');

    await page.click('#clockPlusHour');
    await page.click('#clockPlusMinute');
    await page.fill('#clockCustomMinutes', '-2');
    await page.click('#clockCustomApply');
    await page.waitForFunction(() => document.getElementById('labClockOffset')!.textContent === '(+0 h 59 min)');
    expect((await api('GET', '/clock')).body.offsetMs).toBe(59 * 60_000);

    await page.click('#labReset');
    await page.waitForFunction(() => document.getElementById('labClockOffset')!.textContent === '(real time)');
    expect((await api('GET', '/clock')).body.offsetMs).toBe(0);
    expect((await api('GET', '/faults')).body).toEqual([]);
    await page.locator('#faultList li.none').waitFor();
    expect(await sameDocument()).toBe(true);
  });

  it('renders hostile values as text: a user name and a Finesse requestId', async () => {
    expect((await api('POST', '/users', { username: 'hostile1', password: 'Hostile1Pass!', upn: 'hostile1@lab.example', email: 'hostile1@lab.example', givenName: HOSTILE, surname: 'X', groups: [HOSTILE] })).status).toBe(201);
    // Sections are read when the page loads and after its own actions: load it again.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    await page.waitForSelector('#exchanges[data-live="open"]', { state: 'attached' });
    const hostileRow = page.locator('#users tbody tr', { hasText: 'hostile1' });
    expect(await hostileRow.locator('td').nth(3).textContent()).toBe(`${HOSTILE} X`);
    expect(await hostileRow.locator('td').nth(4).textContent()).toBe(HOSTILE);

    const basic = `Basic ${Buffer.from('nonsso1:NonSso1Pass!').toString('base64')}`;
    expect((await fetch(`${lab.urls.finesse}/finesse/api/User/1003`, { headers: { authorization: basic, requestId: HOSTILE } })).status).toBe(200);
    const row = rows().filter({ hasText: `(requestId ${HOSTILE})` });
    await row.waitFor();
    await row.locator('summary').click();
    expect(await row.locator('pre.http-response').textContent()).toContain('<loginId>1003</loginId>');
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();
  });

  it('signs in with the sample RP (OpenID Connect, code + PKCE) in the browser', async () => {
    const rp = await (await browser.newContext()).newPage();
    rp.setDefaultTimeout(5000);
    // "Try a sign-in by hand": both samples are linked from the dashboard.
    expect(await page.locator('#sampleSpLink').getAttribute('href')).toBe('/sample-sp/');
    expect(await page.locator('#sampleRpLink').getAttribute('href')).toBe('/sample-rp/');
    await rp.goto(`${lab.urls.console}/sample-rp/`);
    await rp.click('#rpLogin');
    await rp.waitForSelector('#loginForm');
    await rp.fill('#username', 'agent2');
    await rp.fill('#password', 'Agent2Pass!');
    await rp.click('#submit');
    await rp.waitForSelector('#signedIn');
    expect(await rp.locator('#rpSubject').textContent()).toBe('agent2');
    const claims = Object.fromEntries(await rp.locator('#claims tr').evaluateAll((trs) => trs.map((tr) => [tr.children[0]!.textContent, tr.children[1]!.textContent])));
    expect(claims).toMatchObject({ sub: 'agent2', aud: 'sample-console-rp', email: 'agent2@lab.example' });
    await rp.context().close();
    expect(errors).toEqual([]);
  });
});
