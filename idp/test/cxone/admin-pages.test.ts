import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { adfsCertificate, ADMIN_AUTH, adminApi, basic, FIXTURE } from './admin-helpers.js';

/**
 * The CXone admin pages (`/admin`) over HTTP, as a browser without scripts posts them: the same
 * rules and field errors as the admin API (they call the same functions), shown next to the
 * form with their codes; a rejected save changes nothing; the generated values on the page are
 * the API's; Basic credentials and the Origin/Referer check guard every change.
 */

let lab: Lab;
beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'oidc', 'cxone'] });
});
afterAll(async () => {
  await lab?.stop();
});
beforeEach(() => {
  lab.state.reset();
});

interface PageAnswer {
  status: number;
  location: string | null;
  code: string | null;
  text: string;
  headers: Headers;
}

/** A page request; a form is posted urlencoded from the admin's own origin unless `origin` says otherwise. */
async function page(method: 'GET' | 'POST', path: string, form?: Record<string, string>, opts: { auth?: string | null; origin?: string | null; referer?: string } = {}): Promise<PageAnswer> {
  const headers: Record<string, string> = {};
  const auth = opts.auth === undefined ? ADMIN_AUTH : opts.auth;
  if (auth !== null) headers['authorization'] = auth;
  if (method === 'POST') {
    const origin = opts.origin === undefined ? lab.urls.cxone! : opts.origin;
    if (origin !== null) headers['origin'] = origin;
  }
  if (opts.referer) headers['referer'] = opts.referer;
  let body: string | undefined;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  }
  const res = await fetch(`${lab.urls.cxone}${path}`, { method, headers, body, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), code: res.headers.get('x-idp-harness-error'), text: await res.text(), headers: res.headers };
}

const decode = (s: string) => s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');

/** The text of the element with `id` (no nested markup). */
function textOf(html: string, id: string): string | undefined {
  const m = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html);
  return m ? decode(m[1]!) : undefined;
}

/** The field errors a page shows: `field code` pairs from the list at the top of the form. */
function pageFieldErrors(html: string): string[] {
  return [...html.matchAll(/<li data-field="([^"]*)" data-code="([^"]*)">/g)].map((m) => `${decode(m[1]!)} ${m[2]}`).sort();
}

const authenticatorsJson = async () => (await adminApi(lab, 'GET', '/login-authenticators')).json;
const usersJson = async () => (await adminApi(lab, 'GET', '/users')).json;

/** The fields the New form posts for a SAML authenticator (as a browser without scripts would: the PEM pasted). */
const samlForm = (over: Record<string, string> = {}): Record<string, string> => ({
  name: 'Partner SAML',
  description: 'Contoso AD FS',
  type: 'SAML',
  'saml.endpointUrl': 'https://idp.partner.example/adfs/ls/',
  'saml.certificate': adfsCertificate(lab),
  action: 'save',
  ...over,
});

describe('access', () => {
  it('401 with a Basic challenge and the CXone error page without (or with wrong) credentials', async () => {
    for (const auth of [null, basic('cxone.admin', 'nope')]) {
      for (const path of ['/admin', '/admin/login-authenticators', '/admin/users/new']) {
        const r = await page('GET', path, undefined, { auth });
        expect(r.status).toBe(401);
        expect(r.code).toBe('ERR_CXONE_ADMIN_UNAUTHORIZED');
        expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm="CXone Admin"/);
        expect(r.headers.get('content-type')).toMatch(/^text\/html/);
      }
    }
    const before = await authenticatorsJson();
    const r = await page('POST', '/admin/login-authenticators', samlForm(), { auth: null });
    expect(r.code).toBe('ERR_CXONE_ADMIN_UNAUTHORIZED');
    expect(await authenticatorsJson()).toEqual(before);
  });

  it('refuses a change posted from another origin (Origin, or Referer without Origin): 403 ERR_CXONE_ADMIN_FORBIDDEN, nothing changed', async () => {
    const before = [await authenticatorsJson(), await usersJson()];
    const attempts: Array<[string, Record<string, string>, { origin?: string | null; referer?: string }]> = [
      ['/admin/login-authenticators', samlForm(), { origin: 'http://evil.example' }],
      ['/admin/login-authenticators', samlForm(), { origin: 'null' }],
      [`/admin/login-authenticators/${FIXTURE.labAdfs}/deactivate`, {}, { origin: null, referer: 'http://evil.example/page' }],
      [`/admin/users/${FIXTURE.agent2}/delete`, {}, { origin: lab.urls.cxone!.replace('localhost', '127.0.0.1') }],
    ];
    for (const [path, form, opts] of attempts) {
      const r = await page('POST', path, form, opts);
      expect(r.status, path).toBe(403);
      expect(r.code).toBe('ERR_CXONE_ADMIN_FORBIDDEN');
    }
    expect([await authenticatorsJson(), await usersJson()]).toEqual(before);
    // a script without Origin or Referer (curl) is not a browser page: allowed, as for /idsadmin
    const r = await page('POST', `/admin/login-authenticators/${FIXTURE.labAdfs}/deactivate`, {}, { origin: null });
    expect(r.status).toBe(303);
  });

  it('/admin goes to the list; an unknown id is a 404 page with ERR_CXONE_NOT_FOUND', async () => {
    const r = await page('GET', '/admin');
    expect(r.status).toBe(303);
    expect(r.location).toBe('/admin/login-authenticators');
    for (const path of ['/admin/login-authenticators/nope', '/admin/login-authenticators/nope/edit', '/admin/users/nope']) {
      const x = await page('GET', path);
      expect(x.status).toBe(404);
      expect(x.code).toBe('ERR_CXONE_NOT_FOUND');
    }
    const post = await page('POST', '/admin/users/nope/activate', {});
    expect(post.status).toBe(404);
  });
});

describe('login authenticators', () => {
  it('lists name, type, status and users, with Edit / Activate-Deactivate / Delete (none of the last two for the default)', async () => {
    const r = await page('GET', '/admin/login-authenticators');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const row = (id: string) => new RegExp(`<tr data-id="${id}"[\\s\\S]*?</tr>`).exec(r.text)![0];
    expect(row(FIXTURE.labAdfs)).toMatch(/<td class="type">SAML<\/td><td class="status">Active<\/td><td class="users">1<\/td>/);
    expect(row(FIXTURE.labAdfs)).toContain(`/admin/login-authenticators/${FIXTURE.labAdfs}/deactivate`);
    expect(row(FIXTURE.labAdfs)).toContain(`/admin/login-authenticators/${FIXTURE.labAdfs}/delete`);
    expect(row(FIXTURE.systemDefault)).not.toContain('/deactivate');
    expect(row(FIXTURE.systemDefault)).not.toContain('/delete');
  });

  it('creates a SAML authenticator from the form ("Save & Activate"), then shows exactly the API\'s entity ID and ACS URL', async () => {
    const form = await page('GET', '/admin/login-authenticators/new?type=SAML');
    expect(form.text).toContain('type="file" id="samlCertificateFile"');
    expect(form.text).toMatch(/<option value="SAML" selected>/);
    const r = await page('POST', '/admin/login-authenticators', samlForm({ 'saml.ficam': 'true' }));
    expect(r.status, r.text).toBe(303);
    const id = /\/admin\/login-authenticators\/([0-9a-f-]{36})\?notice=created$/.exec(r.location!)![1]!;
    const shown = await page('GET', r.location!);
    expect(textOf(shown.text, 'noticeText')).toBe('Saved and activated.');
    const api = (await adminApi(lab, 'GET', `/login-authenticators/${id}`)).json;
    expect(api).toMatchObject({ name: 'Partner SAML', status: 'Active', saml: { ficam: true, endpointUrl: 'https://idp.partner.example/adfs/ls/' } });
    expect(textOf(shown.text, 'samlEntityId')).toBe(api.saml.entityId);
    expect(textOf(shown.text, 'samlAcsUrl')).toBe(api.saml.acsUrl);
    expect(api.saml.entityId).toBe(`${lab.urls.cxone}/${id}`);
    expect(api.saml.acsUrl).toBe(`${lab.urls.cxone}/auth/authorize?tenantId=${id}`);
    expect(textOf(shown.text, 'certFingerprint')).toBe(lab.state.pki.systems.adfs.signing.x509.fingerprint256);
  });

  it('a rejected save re-renders the form with what was typed and each field error with its code, and creates nothing', async () => {
    const before = await authenticatorsJson();
    const cases: Array<[Record<string, string>, number, string, string[]]> = [
      [samlForm({ 'saml.certificate': 'just some text\n' }), 400, 'ERR_CXONE_CERT_NOT_PEM', ['saml.certificate ERR_CXONE_CERT_NOT_PEM']],
      [samlForm({ 'saml.certificate': '' }), 400, 'ERR_CXONE_VALIDATION', ['saml.certificate ERR_CXONE_VALIDATION']],
      [samlForm({ 'saml.endpointUrl': 'nowhere', 'saml.certificate': '' }), 400, 'ERR_CXONE_VALIDATION', ['saml.certificate ERR_CXONE_VALIDATION', 'saml.endpointUrl ERR_CXONE_VALIDATION']],
      [samlForm({ name: 'LAB AD FS' }), 409, 'ERR_CXONE_NAME_TAKEN', ['name ERR_CXONE_NAME_TAKEN']],
      [{ name: 'P', type: 'System', 'system.password.minLength': '5', 'system.password.history': 'many' }, 400, 'ERR_CXONE_VALIDATION', ['system.password.history ERR_CXONE_VALIDATION', 'system.password.minLength ERR_CXONE_VALIDATION']],
      [{ name: 'P', type: 'System', 'system.password.minLength': '20', 'system.password.maxLength': '10' }, 400, 'ERR_CXONE_VALIDATION', ['system.password.maxLength ERR_CXONE_VALIDATION']],
      [{ name: '', type: 'Kerberos' }, 400, 'ERR_CXONE_VALIDATION', ['name ERR_CXONE_VALIDATION', 'type ERR_CXONE_VALIDATION']],
    ];
    for (const [form, status, code, fields] of cases) {
      const r = await page('POST', '/admin/login-authenticators', form);
      expect(r.status, JSON.stringify(form)).toBe(status);
      expect(r.code).toBe(code);
      expect(pageFieldErrors(r.text)).toEqual(fields);
      expect(textOf(r.text, 'errorCode')).toBe(code);
      // the error sits next to its input too
      const first = fields[0]!.split(' ');
      expect(r.text).toContain(`<span class="fieldError" data-field="${first[0]}" data-code="${first[1]}">`);
      // what was typed is still there
      expect(r.text).toContain(`name="name" value="${form['name']}"`);
      expect(await authenticatorsJson()).toEqual(before);
    }
  });

  it('escapes what an admin typed (no markup injection through a name)', async () => {
    const r = await page('POST', '/admin/login-authenticators', { name: '<img src=x onerror=alert(1)>', type: 'System' });
    expect(r.status).toBe(303);
    const list = await page('GET', '/admin/login-authenticators');
    expect(list.text).not.toContain('<img src=x');
    expect(list.text).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });

  it('System: policy and MFA fields are saved as the API would; the page lists the rules', async () => {
    const r = await page('POST', '/admin/login-authenticators', {
      name: 'Strict agents',
      type: 'System',
      'system.password.minLength': '12',
      'system.password.minSpecial': '1',
      'system.password.expiryDays': '90',
      'system.password.history': '4',
      'system.password.lockoutAttempts': '3',
      'system.password.lockoutMinutes': '15',
      'system.mfa.required': 'true',
      'system.mfa.type': 'HOTP',
    });
    expect(r.status, r.text).toBe(303);
    const id = /([0-9a-f-]{36})/.exec(r.location!)![1]!;
    const api = (await adminApi(lab, 'GET', `/login-authenticators/${id}`)).json;
    expect(api.system).toMatchObject({
      password: { minLength: 12, minSpecial: 1, expiryDays: 90, history: 4, lockoutAttempts: 3, lockoutMinutes: 15, minLower: 1, minUpper: 1, minDigits: 1 },
      mfa: { required: true, type: 'HOTP' },
    });
    const shown = await page('GET', `/admin/login-authenticators/${id}`);
    expect(shown.text).toContain('<li>At least 12 characters</li>');
    expect(textOf(shown.text, 'mfa')).toBe('required (HOTP)');
    // the edit form comes back filled with the stored values
    const edit = await page('GET', `/admin/login-authenticators/${id}/edit`);
    expect(edit.text).toMatch(/name="system\.password\.minLength" value="12"/);
    expect(edit.text).toMatch(/<option value="HOTP" selected>/);
  });

  it('OIDC: "Discover settings" fills the endpoints from the lab OP; a secret mismatch is a field error; private_key_jwt shows the JWK and PEM of the API', async () => {
    const discoveryUrl = `${lab.urls.oidc}/.well-known/openid-configuration`;
    const typed = { name: 'Lab OP 2', type: 'OIDC', 'oidc.discoveryUrl': discoveryUrl, 'oidc.clientId': 'cxone-2', action: 'discover' };
    const before = await authenticatorsJson();
    const filled = await page('POST', '/admin/login-authenticators', typed);
    expect(filled.status, filled.text).toBe(200);
    expect(filled.text).toContain(`name="oidc.issuer" value="${lab.urls.oidc}"`);
    expect(filled.text).toContain(`name="oidc.tokenEndpoint" value="${lab.urls.oidc}/token"`);
    expect(filled.text).toContain(`name="oidc.endSessionEndpoint" value="${lab.urls.oidc}/session/end"`);
    expect(filled.text).toContain('name="oidc.clientId" value="cxone-2"');
    expect(await authenticatorsJson()).toEqual(before); // discovering saves nothing

    const bad = await page('POST', '/admin/login-authenticators', { ...typed, 'oidc.discoveryUrl': 'http://127.0.0.1:9/.well-known/openid-configuration' });
    expect(bad.status).toBe(400);
    expect(bad.code).toBe('ERR_CXONE_DISCOVERY_FAILED');
    expect(pageFieldErrors(bad.text)).toEqual(['oidc.discoveryUrl ERR_CXONE_DISCOVERY_FAILED']);

    const save = { ...typed, action: 'save', 'oidc.clientSecret': 'a-secret-123', 'oidc.clientSecretConfirm': 'another', 'oidc.clientAuthMethod': 'client_secret_post' };
    const mismatch = await page('POST', '/admin/login-authenticators', save);
    expect(mismatch.status).toBe(400);
    expect(mismatch.code).toBe('ERR_CXONE_SECRET_MISMATCH');
    expect(pageFieldErrors(mismatch.text)).toEqual(['oidc.clientSecretConfirm ERR_CXONE_SECRET_MISMATCH']);
    expect(mismatch.text).not.toContain('a-secret-123'); // secrets are not echoed into the page
    expect(await authenticatorsJson()).toEqual(before);

    const ficam = await page('POST', '/admin/login-authenticators', { ...save, 'oidc.clientSecretConfirm': 'a-secret-123', 'oidc.ficam': 'true' });
    expect(pageFieldErrors(ficam.text)).toEqual(['oidc.acrValues ERR_CXONE_VALIDATION', 'oidc.clientAuthMethod ERR_CXONE_VALIDATION']);

    const ok = await page('POST', '/admin/login-authenticators', {
      ...save,
      'oidc.clientSecret': '',
      'oidc.clientSecretConfirm': '',
      'oidc.clientAuthMethod': 'private_key_jwt',
      'oidc.useEncryption': 'true',
      'oidc.ficam': 'true',
      'oidc.acrValues': 'http://idmanagement.gov/ns/assurance/ial/2  phr',
    });
    expect(ok.status, ok.text).toBe(303);
    const id = /([0-9a-f-]{36})/.exec(ok.location!)![1]!;
    const api = (await adminApi(lab, 'GET', `/login-authenticators/${id}`)).json;
    expect(api.oidc).toMatchObject({ issuer: lab.urls.oidc, clientAuthMethod: 'private_key_jwt', ficam: true, useEncryption: true, acrValues: ['http://idmanagement.gov/ns/assurance/ial/2', 'phr'] });
    const shown = await page('GET', `/admin/login-authenticators/${id}`);
    expect(textOf(shown.text, 'oidcLoginRedirectUri')).toBe(api.oidc.loginRedirectUri);
    expect(textOf(shown.text, 'oidcLogoutRedirectUri')).toBe(api.oidc.logoutRedirectUri);
    expect(textOf(shown.text, 'oidcPublicKeysUri')).toBe(api.oidc.publicKeysUri);
    expect(JSON.parse(textOf(shown.text, 'clientAssertionKeyJwk')!)).toEqual(api.oidc.clientAssertionKey.jwk);
    expect(textOf(shown.text, 'clientAssertionKeyPem')).toBe(api.oidc.clientAssertionKey.pem);
    expect(JSON.parse(textOf(shown.text, 'encryptionKeyJwk')!)).toEqual(api.oidc.encryptionKey.jwk);
    expect(textOf(shown.text, 'encryptionKeyPem')).toBe(api.oidc.encryptionKey.pem);
  });

  it('edit: the type is fixed, an empty certificate or secret keeps the stored one, and a refused edit changes nothing', async () => {
    const edit = await page('GET', `/admin/login-authenticators/${FIXTURE.labAdfs}/edit`);
    expect(edit.text).toContain('id="type" value="SAML" readonly');
    expect(edit.text).not.toContain('id="sectionOIDC"');
    const cert = (await adminApi(lab, 'GET', `/login-authenticators/${FIXTURE.labAdfs}`)).json.saml.certificate;
    const saved = await page('POST', `/admin/login-authenticators/${FIXTURE.labAdfs}`, {
      name: 'Lab AD FS',
      description: 'edited on the page',
      type: 'SAML',
      'saml.endpointUrl': `${lab.urls.adfs}/adfs/ls/`,
      'saml.certificate': '',
    });
    expect(saved.status, saved.text).toBe(303);
    const after = (await adminApi(lab, 'GET', `/login-authenticators/${FIXTURE.labAdfs}`)).json;
    expect(after).toMatchObject({ description: 'edited on the page', saml: { certificate: cert, ficam: false } });

    const before = await authenticatorsJson();
    const typeChange = await page('POST', `/admin/login-authenticators/${FIXTURE.labAdfs}`, { name: 'Lab AD FS', type: 'OIDC', 'oidc.clientId': 'x' });
    // the form's type is ignored for an existing authenticator: the SAML section is required again
    expect(typeChange.status).toBe(400);
    expect(pageFieldErrors(typeChange.text)).toEqual(['saml.endpointUrl ERR_CXONE_VALIDATION']);
    expect(await authenticatorsJson()).toEqual(before);

    const oidcEdit = await page('POST', `/admin/login-authenticators/${FIXTURE.labOidc}`, {
      name: 'Lab OIDC',
      type: 'OIDC',
      'oidc.issuer': lab.urls.oidc!,
      'oidc.jwksUri': `${lab.urls.oidc}/jwks`,
      'oidc.authorizationEndpoint': `${lab.urls.oidc}/auth`,
      'oidc.tokenEndpoint': `${lab.urls.oidc}/token`,
      'oidc.clientId': 'cxone-lab',
      'oidc.clientAuthMethod': 'client_secret_post',
      'oidc.scope': 'openid email',
    });
    expect(oidcEdit.status, oidcEdit.text).toBe(303);
    expect(lab.state.cxone!.store.authenticators.get(FIXTURE.labOidc)!.oidc).toMatchObject({ clientSecret: 'cxone-lab-secret-0123456789', clientAuthMethod: 'client_secret_post', scope: 'openid email' });
  });

  it('Activate / Deactivate / Delete buttons; the default and an authenticator in use are refused with their codes', async () => {
    let r = await page('POST', `/admin/login-authenticators/${FIXTURE.labOidc}/deactivate`, {});
    expect(r.status).toBe(303);
    expect((await adminApi(lab, 'GET', `/login-authenticators/${FIXTURE.labOidc}`)).json.status).toBe('Inactive');
    r = await page('POST', `/admin/login-authenticators/${FIXTURE.labOidc}/activate`, {});
    expect((await adminApi(lab, 'GET', `/login-authenticators/${FIXTURE.labOidc}`)).json.status).toBe('Active');

    const before = await authenticatorsJson();
    for (const [path, code] of [
      [`/admin/login-authenticators/${FIXTURE.systemDefault}/deactivate`, 'ERR_CXONE_VALIDATION'],
      [`/admin/login-authenticators/${FIXTURE.systemDefault}/delete`, 'ERR_CXONE_AUTHENTICATOR_IN_USE'],
      [`/admin/login-authenticators/${FIXTURE.labOidc}/delete`, 'ERR_CXONE_AUTHENTICATOR_IN_USE'],
    ] as const) {
      const x = await page('POST', path, {});
      expect(x.status, path).toBe(409);
      expect(x.code).toBe(code);
      expect(textOf(x.text, 'errorCode')).toBe(code);
      expect(x.text).toContain('id="authenticators"'); // back on the list, with the reason
    }
    expect(await authenticatorsJson()).toEqual(before);

    const created = await adminApi(lab, 'POST', '/login-authenticators', { name: 'Spare', type: 'System' });
    r = await page('POST', `/admin/login-authenticators/${created.json.id}/delete`, {});
    expect(r.status).toBe(303);
    expect(r.location).toBe('/admin/login-authenticators?notice=deleted');
    expect((await adminApi(lab, 'GET', `/login-authenticators/${created.json.id}`)).status).toBe(404);
  });
});

describe('users', () => {
  const userForm = (over: Record<string, string> = {}) => ({
    username: 'pat.doe@lab.example',
    email: 'pat.doe@lab.example',
    firstName: 'Pat',
    lastName: 'Doe',
    role: 'Agent',
    loginAuthenticatorId: FIXTURE.systemDefault,
    externalIdentity: '',
    password: '',
    ...over,
  });

  it('lists users with their authenticator and status; the New form offers every authenticator', async () => {
    const list = await page('GET', '/admin/users');
    expect(list.text).toMatch(new RegExp(`<tr data-id="${FIXTURE.agent1}" data-username="agent1@lab.example">[\\s\\S]*?<td class="authenticator">Lab AD FS</td>`));
    const form = await page('GET', '/admin/users/new');
    for (const id of [FIXTURE.systemDefault, FIXTURE.labAdfs, FIXTURE.labOidc]) expect(form.text).toContain(`<option value="${id}"`);
    expect(form.text).toContain(`<option value="${FIXTURE.systemDefault}" selected>`);
  });

  it('creates, refuses with field errors (nothing stored), edits, and runs every action button', async () => {
    const before = await usersJson();
    const refusals: Array<[Record<string, string>, number, string, string[]]> = [
      [userForm({ username: 'AGENT1@lab.example' }), 409, 'ERR_CXONE_USERNAME_TAKEN', ['username ERR_CXONE_USERNAME_TAKEN']],
      [userForm({ email: 'not-an-address', firstName: '' }), 400, 'ERR_CXONE_VALIDATION', ['email ERR_CXONE_VALIDATION', 'firstName ERR_CXONE_VALIDATION']],
      [userForm({ password: 'Password@1234', active: 'true' }), 400, 'ERR_CXONE_PASSWORD_CONTAINS_PASSWORD', ['password ERR_CXONE_PASSWORD_CONTAINS_PASSWORD']],
      [userForm({ active: 'true' }), 400, 'ERR_CXONE_PASSWORD_REQUIRED', ['password ERR_CXONE_PASSWORD_REQUIRED']],
      [userForm({ loginAuthenticatorId: FIXTURE.labAdfs, externalIdentity: 'claim(email):pat@lab.example' }), 400, 'ERR_CXONE_VALIDATION', ['externalIdentity ERR_CXONE_VALIDATION']],
      [userForm({ loginAuthenticatorId: FIXTURE.labAdfs, externalIdentity: 'agent1@lab.example' }), 409, 'ERR_CXONE_EXTERNAL_IDENTITY_TAKEN', ['externalIdentity ERR_CXONE_EXTERNAL_IDENTITY_TAKEN']],
    ];
    for (const [form, status, code, fields] of refusals) {
      const r = await page('POST', '/admin/users', form);
      expect(r.status, JSON.stringify(form)).toBe(status);
      expect(r.code).toBe(code);
      expect(pageFieldErrors(r.text)).toEqual(fields);
      expect(r.text).not.toContain('Password@1234'); // a typed password is not sent back
    }
    expect(await usersJson()).toEqual(before);

    const created = await page('POST', '/admin/users', userForm({ password: 'Blue-Harbor-77', active: 'true' }));
    expect(created.status, created.text).toBe(303);
    const id = /\/admin\/users\/([0-9a-f-]{36})\?notice=saved$/.exec(created.location!)![1]!;
    expect((await adminApi(lab, 'GET', `/users/${id}`)).json).toMatchObject({ status: 'Active', passwordSet: true, role: 'Agent' });

    // edit: to a SAML authenticator with an external identity; the password is kept (but it is no longer used)
    const moved = await page('POST', `/admin/users/${id}`, userForm({ loginAuthenticatorId: FIXTURE.labAdfs, externalIdentity: 'pat.doe@lab.example', role: 'Supervisor', active: 'true' }));
    expect(moved.status, moved.text).toBe(303);
    expect((await adminApi(lab, 'GET', `/users/${id}`)).json).toMatchObject({ loginAuthenticatorName: 'Lab AD FS', externalIdentity: 'pat.doe@lab.example', role: 'Supervisor', status: 'Active' });
    const shown = await page('GET', `/admin/users/${id}`);
    expect(shown.text).toContain('name="externalIdentity" value="pat.doe@lab.example"');
    expect(shown.text).toContain('id="active" name="active" value="true" checked');

    expect((await page('POST', `/admin/users/${id}/deactivate`, {})).status).toBe(303);
    expect((await adminApi(lab, 'GET', `/users/${id}`)).json.status).toBe('Inactive');
    // an empty external identity clears it, and a SAML user cannot be activated without one
    const cleared = await page('POST', `/admin/users/${id}`, userForm({ loginAuthenticatorId: FIXTURE.labAdfs, active: 'true' }));
    expect(cleared.status).toBe(400);
    expect(pageFieldErrors(cleared.text)).toEqual(['externalIdentity ERR_CXONE_VALIDATION']);
    expect((await adminApi(lab, 'GET', `/users/${id}`)).json).toMatchObject({ status: 'Inactive', externalIdentity: 'pat.doe@lab.example' });
    expect((await page('POST', `/admin/users/${id}/activate`, {})).status).toBe(303);
    expect((await adminApi(lab, 'GET', `/users/${id}`)).json.status).toBe('Active');
    expect((await page('POST', `/admin/users/${id}/delete`, {})).location).toBe('/admin/users?notice=deleted');
    expect((await adminApi(lab, 'GET', `/users/${id}`)).status).toBe(404);
  });

  it('Activate without a password, Reset password (rules, history), Unlock and Reset MFA', async () => {
    const u = (await adminApi(lab, 'POST', '/users', { username: 'lee@lab.example', email: 'lee@lab.example', firstName: 'Lee', lastName: 'Park' })).json;
    const refused = await page('POST', `/admin/users/${u.id}/activate`, {});
    expect(refused.status).toBe(400);
    expect(refused.code).toBe('ERR_CXONE_PASSWORD_REQUIRED');
    expect(pageFieldErrors(refused.text)).toEqual(['password ERR_CXONE_PASSWORD_REQUIRED']);
    expect((await adminApi(lab, 'GET', `/users/${u.id}`)).json.status).toBe('Inactive');

    const weak = await page('POST', `/admin/users/${u.id}/password`, { password: 'lee-park-1', mustChangePassword: 'true' });
    expect(weak.status).toBe(400);
    expect(pageFieldErrors(weak.text)).toEqual(['password ERR_CXONE_PASSWORD_PERSONAL_DATA', 'password ERR_CXONE_PASSWORD_UPPER']);
    expect(weak.text).toMatch(/id="resetPasswordForm"[\s\S]*id="fieldErrors"/); // shown at the reset form

    const reset = await page('POST', `/admin/users/${u.id}/password`, { password: 'Blue-Harbor-77' });
    expect(reset.status, reset.text).toBe(303);
    expect((await adminApi(lab, 'GET', `/users/${u.id}`)).json).toMatchObject({ passwordSet: true, mustChangePassword: false });
    expect((await page('POST', `/admin/users/${u.id}/activate`, {})).status).toBe(303);

    const stored = lab.state.cxone!.store.users.get(u.id)!;
    stored.failedLogins = 6;
    stored.lockedUntil = lab.state.clock.now() + 30 * 60_000;
    stored.mfa = { type: 'HOTP', secret: 'JBSWY3DPEHPK3PXP', counter: 3, lastTotpStep: undefined };
    const locked = await page('GET', `/admin/users/${u.id}`);
    expect(textOf(locked.text, 'userLocked')).toMatch(/^until .* \(6 failures\)$/);
    expect(textOf(locked.text, 'userMfa')).toBe('enrolled');
    expect((await page('POST', `/admin/users/${u.id}/unlock`, {})).status).toBe(303);
    expect((await page('POST', `/admin/users/${u.id}/mfa/reset`, {})).status).toBe(303);
    const after = await page('GET', `/admin/users/${u.id}?notice=mfa-reset`);
    expect(textOf(after.text, 'userLocked')).toBe('no (0 failures)');
    expect(textOf(after.text, 'userMfa')).toBe('not enrolled');
    expect(textOf(after.text, 'noticeText')).toMatch(/^MFA reset/);
  });
});
