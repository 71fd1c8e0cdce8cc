import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { ADMIN_PASSWORD, ADMIN_USER, adminApi } from '../cxone/admin-helpers.js';

/**
 * A real browser (headless Debian Chromium) on the CXone admin pages: the admin chooses the IdP's
 * PEM certificate with a file input (the page's script reads it into the form, which still posts
 * urlencoded), saves, and reads the generated entity ID and ACS URL; a file that is not PEM is
 * refused with ERR_CXONE_CERT_NOT_PEM beside the field. The form's type switch shows only the
 * chosen type's section.
 */
describeWithTool('chromium', 'headless Chromium on the CXone admin pages', () => {
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

  async function adminPage(): Promise<Page> {
    const context = await browser.newContext({ httpCredentials: { username: ADMIN_USER, password: ADMIN_PASSWORD } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  }

  async function fillSaml(page: Page, name: string, file: { name: string; text: string }): Promise<void> {
    await page.goto(`${lab.urls.cxone}/admin/login-authenticators/new?type=SAML`);
    // with scripts on: the file chooser instead of the paste box, and only the SAML section
    expect(await page.isVisible('#samlCertificateFile')).toBe(true);
    expect(await page.isHidden('#saml-certificate')).toBe(true);
    expect(await page.isHidden('#sectionOIDC')).toBe(true);
    await page.fill('#name', name);
    await page.fill('#description', 'created in Chromium');
    await page.fill('#saml-endpointUrl', 'https://idp.partner.example/adfs/ls/');
    await page.setInputFiles('#samlCertificateFile', { name: file.name, mimeType: 'application/x-pem-file', buffer: Buffer.from(file.text) });
    await page.waitForFunction(() => (document.getElementById('samlCertificateStatus')?.textContent ?? '').startsWith('Read '));
  }

  it('creates a SAML authenticator with the PEM chosen in a file input and shows the generated entity ID and ACS URL', async () => {
    const page = await adminPage();
    await fillSaml(page, 'Chromium SAML', { name: 'adfs-signing.pem', text: lab.state.pki.systems.adfs.signing.certPem });
    await Promise.all([page.waitForURL(/\/admin\/login-authenticators\/[0-9a-f-]{36}\?notice=created$/), page.click('#save')]);
    const id = /login-authenticators\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const api = (await adminApi(lab, 'GET', `/login-authenticators/${id}`)).json;
    expect(api).toMatchObject({ name: 'Chromium SAML', description: 'created in Chromium', type: 'SAML', status: 'Active' });
    expect(api.saml.certificateInfo.sha256Fingerprint).toBe(lab.state.pki.systems.adfs.signing.x509.fingerprint256);
    expect(await page.textContent('#samlEntityId')).toBe(`${lab.urls.cxone}/${id}`);
    expect(await page.textContent('#samlAcsUrl')).toBe(`${lab.urls.cxone}/auth/authorize?tenantId=${id}`);
    expect(await page.textContent('#samlEntityId')).toBe(api.saml.entityId);
    expect(await page.textContent('#samlAcsUrl')).toBe(api.saml.acsUrl);
    await page.context().close();
  });

  it('refuses a file that is not PEM with ERR_CXONE_CERT_NOT_PEM next to the certificate field, and creates nothing', async () => {
    const before = (await adminApi(lab, 'GET', '/login-authenticators')).json;
    const page = await adminPage();
    await fillSaml(page, 'Not PEM', { name: 'metadata.xml', text: '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"/>\n' });
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('#save')]);
    expect(response.status()).toBe(400);
    expect(response.headers()['x-idp-harness-error']).toBe('ERR_CXONE_CERT_NOT_PEM');
    expect(await page.textContent('#errorCode')).toBe('ERR_CXONE_CERT_NOT_PEM');
    expect(await page.getAttribute('span.fieldError[data-field="saml.certificate"]', 'data-code')).toBe('ERR_CXONE_CERT_NOT_PEM');
    expect(await page.isVisible('span.fieldError[data-field="saml.certificate"]')).toBe(true);
    // what was typed is kept for the next attempt
    expect(await page.inputValue('#name')).toBe('Not PEM');
    expect((await adminApi(lab, 'GET', '/login-authenticators')).json).toEqual(before);
    await page.context().close();
  });

  it('the type switch shows the chosen section only', async () => {
    const page = await adminPage();
    await page.goto(`${lab.urls.cxone}/admin/login-authenticators/new`);
    expect(await page.isVisible('#sectionSystem')).toBe(true);
    expect(await page.isHidden('#sectionSAML')).toBe(true);
    await page.selectOption('#type', 'OIDC');
    expect(await page.isVisible('#sectionOIDC')).toBe(true);
    expect(await page.isHidden('#sectionSystem')).toBe(true);
    expect(await page.isVisible('#discover')).toBe(true);
    await page.context().close();
  });
});
