import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { verifyPassword } from '../../src/cxone/system/password-hash.js';
import {
  adfsCertificate,
  adminApi,
  basic,
  expectRefusal,
  FIXTURE,
  oidcAuthenticator,
  samlAuthenticator,
  type ApiAnswer,
} from './admin-helpers.js';

/**
 * The CXone admin REST API (`/api/v1`, issue 6 "Administration"): login authenticators of each
 * type and users, every validation with its field-level error, and the rule that a rejected
 * change changes nothing (each refusal is followed by a GET that shows the state before it).
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

const get = (path: string) => adminApi(lab, 'GET', path);
const listAuthenticators = async () => (await get('/login-authenticators')).json;
const listUsers = async () => (await get('/users')).json;

/** Runs a request that must be refused and checks that neither authenticators nor users changed. */
async function refusedWithoutChange(call: () => Promise<ApiAnswer>): Promise<ApiAnswer> {
  const before = [await listAuthenticators(), await listUsers()];
  const r = await call();
  expect(r.status, r.text).toBeGreaterThanOrEqual(400);
  expect(r.status, r.text).toBeLessThan(500);
  expect([await listAuthenticators(), await listUsers()]).toEqual(before);
  return r;
}

describe('access', () => {
  it('401 ERR_CXONE_ADMIN_UNAUTHORIZED with a Basic challenge without credentials, with wrong ones, or with another scheme', async () => {
    const cases: Array<string | null> = [
      null,
      basic('cxone.admin', 'wrong-password'),
      basic('someone', 'CxoneAdmin1!'),
      basic('cxone.admin', ''),
      'Basic !!!not-base64',
      'Digest username="cxone.admin"',
      basic('cxone.admin:CxoneAdmin1!', ''),
      'Bearer abc.def.ghi',
    ];
    for (const auth of cases) {
      for (const [method, path] of [['GET', '/login-authenticators'], ['POST', '/users'], ['DELETE', `/login-authenticators/${FIXTURE.labAdfs}`]] as const) {
        const r = await adminApi(lab, method, path, method === 'POST' ? {} : undefined, { auth });
        expectRefusal(r, 401, 'ERR_CXONE_ADMIN_UNAUTHORIZED');
        // RFC 7235 §4.1: the challenge names the scheme the client should use (RFC 6750 §3 for a bad token)
        expect(r.headers.get('www-authenticate')).toMatch(auth?.startsWith('Bearer') ? /^Bearer realm=.*invalid_token/ : /^Basic realm=/);
      }
    }
    // nothing was deleted by the refused DELETE
    expect((await get(`/login-authenticators/${FIXTURE.labAdfs}`)).status).toBe(200);
  });

  it('checks the credentials before reading the body: malformed JSON without them is still 401', async () => {
    expectRefusal(await adminApi(lab, 'POST', '/users', undefined, { auth: null, raw: '{not json' }), 401, 'ERR_CXONE_ADMIN_UNAUTHORIZED');
  });

  it('malformed JSON is a 400 JSON answer (never a 500), as is a JSON value that is not an object', async () => {
    for (const raw of ['{not json', '{"name":', '"just a string"', '12']) {
      const r = await refusedWithoutChange(() => adminApi(lab, 'POST', '/login-authenticators', undefined, { raw }));
      expectRefusal(r, 400, 'ERR_HTTP_BAD_REQUEST');
    }
    for (const raw of ['[]', 'null']) {
      const r = await refusedWithoutChange(() => adminApi(lab, 'POST', '/users', undefined, { raw }));
      expect(r.status).toBe(400);
      expect(['ERR_HTTP_BAD_REQUEST', 'ERR_CXONE_VALIDATION']).toContain(r.json.code);
    }
    expectRefusal(await adminApi(lab, 'POST', '/users', undefined, { raw: '[]' }), 400, 'ERR_CXONE_VALIDATION', [['(body)', 'ERR_CXONE_VALIDATION']]);
    const big = JSON.stringify({ name: 'x', description: 'y'.repeat(300 * 1024), type: 'System' });
    expectRefusal(await adminApi(lab, 'POST', '/login-authenticators', undefined, { raw: big }), 413, 'ERR_HTTP_BODY_TOO_LARGE');
  });

  it('404 ERR_CXONE_NOT_FOUND for unknown ids and unknown resources, on every verb', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const calls: Array<[string, string, unknown?]> = [
      ['GET', `/login-authenticators/${id}`],
      ['PUT', `/login-authenticators/${id}`, { name: 'x', type: 'System' }],
      ['PATCH', `/login-authenticators/${id}`, { description: 'x' }],
      ['DELETE', `/login-authenticators/${id}`],
      ['POST', `/login-authenticators/${id}/activate`],
      ['POST', `/login-authenticators/${id}/deactivate`],
      ['GET', `/users/${id}`],
      ['PUT', `/users/${id}`, {}],
      ['PATCH', `/users/${id}`, {}],
      ['DELETE', `/users/${id}`],
      ['POST', `/users/${id}/activate`],
      ['POST', `/users/${id}/deactivate`],
      ['POST', `/users/${id}/unlock`],
      ['POST', `/users/${id}/password`, { password: 'Whatever-42x' }],
      ['POST', `/users/${id}/mfa/reset`],
      ['GET', '/nothing-here'],
      ['GET', '/users/x/y/z'],
    ];
    for (const [method, path, body] of calls) expectRefusal(await adminApi(lab, method, path, body), 404, 'ERR_CXONE_NOT_FOUND');
  });
});

describe('login authenticators', () => {
  it('lists the fixtures with their generated values, and finds one by id or by name', async () => {
    const list = (await listAuthenticators()).loginAuthenticators as Array<Record<string, any>>;
    expect(list.map((a) => [a.name, a.type, a.status]).sort()).toEqual([
      ['Lab AD FS', 'SAML', 'Active'],
      ['Lab OIDC', 'OIDC', 'Active'],
      ['System Default', 'System', 'Active'],
    ]);
    const adfs = list.find((a) => a.id === FIXTURE.labAdfs)!;
    expect(adfs.saml.entityId).toBe(`${lab.urls.cxone}/${FIXTURE.labAdfs}`);
    expect(adfs.saml.acsUrl).toBe(`${lab.urls.cxone}/auth/authorize?tenantId=${FIXTURE.labAdfs}`);
    expect(adfs.saml.endpointUrl).toBe(`${lab.urls.adfs}/adfs/ls/`);
    expect(adfs.assignedUsers).toBe(1);
    expect((await get('/login-authenticators/lab%20ad%20fs')).json.id).toBe(FIXTURE.labAdfs);
    const system = list.find((a) => a.isDefault)!;
    expect(system.id).toBe(FIXTURE.systemDefault);
    expect(system.system.password).toMatchObject({ minLength: 6, minLower: 1, minUpper: 1, minDigits: 1, minSpecial: 0, lockoutAttempts: 6, lockoutMinutes: 30 });
  });

  it('creates a System authenticator with CXone defaults (6 chars, 1 lower, 1 upper, 1 digit; 6 failures lock 30 min), then reads the same back', async () => {
    const r = await adminApi(lab, 'POST', '/login-authenticators', { name: 'Agents', description: 'agent passwords', type: 'System' });
    expect(r.status, r.text).toBe(201);
    expect(r.headers.get('location')).toBe(`${lab.urls.cxone}/api/v1/login-authenticators/${r.json.id}`);
    expect(r.json).toMatchObject({ name: 'Agents', description: 'agent passwords', type: 'System', status: 'Active', isDefault: false, assignedUsers: 0 });
    expect(r.json.system.password).toEqual({
      minLength: 6, maxLength: 128, minLower: 1, minUpper: 1, minDigits: 1, minSpecial: 0, expiryDays: 0, history: 0, lockoutAttempts: 6, lockoutMinutes: 30,
    });
    expect(r.json.system.mfa).toEqual({ required: false, type: 'TOTP' });
    expect(r.json.system.rules).toContain('At least 6 characters');
    expect((await get(`/login-authenticators/${r.json.id}`)).json).toEqual(r.json);
    const custom = await adminApi(lab, 'POST', '/login-authenticators', {
      name: 'Strict',
      type: 'System',
      system: { password: { minLength: 12, minSpecial: 2, expiryDays: 90, history: 5, lockoutAttempts: 3, lockoutMinutes: 60 }, mfa: { required: true, type: 'HOTP' } },
    });
    expect(custom.status, custom.text).toBe(201);
    expect(custom.json.system.password).toMatchObject({ minLength: 12, minSpecial: 2, expiryDays: 90, history: 5, lockoutAttempts: 3, lockoutMinutes: 60, minLower: 1 });
    expect(custom.json.system.mfa).toEqual({ required: true, type: 'HOTP' });
  });

  it('creates a SAML authenticator from a PEM certificate and shows its entity ID and ACS URL', async () => {
    const r = await adminApi(lab, 'POST', '/login-authenticators', samlAuthenticator(lab, { saml: { endpointUrl: 'https://idp.partner.example/sso', certificate: adfsCertificate(lab), ficam: true } }));
    expect(r.status, r.text).toBe(201);
    const id = r.json.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.json.saml).toMatchObject({
      endpointUrl: 'https://idp.partner.example/sso',
      ficam: true,
      entityId: `${lab.urls.cxone}/${id}`,
      acsUrl: `${lab.urls.cxone}/auth/authorize?tenantId=${id}`,
    });
    expect(r.json.saml.certificateInfo).toMatchObject({ valid: true, sha256Fingerprint: lab.state.pki.systems.adfs.signing.x509.fingerprint256 });
    expect(r.json.saml.certificate).toContain('-----BEGIN CERTIFICATE-----');
  });

  it('creates an OIDC authenticator with a client secret: the secret is never returned; redirect URIs are generated', async () => {
    const r = await adminApi(lab, 'POST', '/login-authenticators', oidcAuthenticator());
    expect(r.status, r.text).toBe(201);
    const id = r.json.id as string;
    expect(r.json.oidc).toMatchObject({
      clientId: 'cxone-partner',
      clientSecretSet: true,
      clientAuthMethod: 'client_secret_basic',
      scope: 'openid email profile',
      loginRedirectUri: `${lab.urls.cxone}/auth/oidc/callback/${id}`,
      logoutRedirectUri: `${lab.urls.cxone}/auth/oidc/logout/${id}`,
      publicKeysUri: `${lab.urls.cxone}/auth/oidc/jwks/${id}`,
    });
    expect(r.json.oidc.clientAssertionKey).toBeUndefined();
    expect(r.text).not.toContain('partner-secret-0123456789');
  });

  it('private_key_jwt and Use Encryption generate key pairs whose public halves (JWK and PEM) are shown, and kept across edits', async () => {
    const r = await adminApi(lab, 'POST', '/login-authenticators', oidcAuthenticator({}, { clientAuthMethod: 'private_key_jwt', clientSecret: undefined, clientSecretConfirm: undefined, useEncryption: true }));
    expect(r.status, r.text).toBe(201);
    const o = r.json.oidc;
    expect(o.clientSecretSet).toBe(false);
    for (const [key, use, alg] of [[o.clientAssertionKey, 'sig', 'RS256'], [o.encryptionKey, 'enc', 'RSA-OAEP-256']] as const) {
      expect(key.jwk).toMatchObject({ kty: 'RSA', use, alg, kid: expect.any(String), n: expect.any(String), e: 'AQAB' });
      expect(key.jwk.d).toBeUndefined();
      expect(key.pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    }
    expect(r.text).not.toMatch(/"d"\s*:/);
    const patched = await adminApi(lab, 'PATCH', `/login-authenticators/${r.json.id}`, { description: 'edited', oidc: { scope: 'openid email' } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.oidc.clientAssertionKey).toEqual(o.clientAssertionKey);
    expect(patched.json.oidc.encryptionKey).toEqual(o.encryptionKey);
    expect(patched.json.oidc.scope).toBe('openid email');
    expect(patched.json.description).toBe('edited');
  });

  it('names are unique, case-insensitively: ERR_CXONE_NAME_TAKEN 409 on create and on rename', async () => {
    for (const name of ['System Default', 'system default', '  LAB AD FS ']) {
      const r = await refusedWithoutChange(() => adminApi(lab, 'POST', '/login-authenticators', { name, type: 'System' }));
      expectRefusal(r, 409, 'ERR_CXONE_NAME_TAKEN', [['name', 'ERR_CXONE_NAME_TAKEN']]);
    }
    const r = await refusedWithoutChange(() => adminApi(lab, 'PATCH', `/login-authenticators/${FIXTURE.labOidc}`, { name: 'lab ad fs' }));
    expectRefusal(r, 409, 'ERR_CXONE_NAME_TAKEN', [['name', 'ERR_CXONE_NAME_TAKEN']]);
    // keeping one's own name (in another case) is not a clash
    const own = await adminApi(lab, 'PATCH', `/login-authenticators/${FIXTURE.labOidc}`, { name: 'LAB OIDC' });
    expect(own.status, own.text).toBe(200);
    expect(own.json.name).toBe('LAB OIDC');
  });

  describe('every field is validated, with its field and code; a refusal changes nothing', () => {
    const V = 'ERR_CXONE_VALIDATION';
    const system = (password: Record<string, unknown>) => ({ name: 'P', type: 'System', system: { password } });
    const cases: Array<[title: string, body: () => unknown, status: number, code: string, fields: Array<[string, string]>]> = [
      ['missing name', () => ({ type: 'System' }), 400, V, [['name', V]]],
      ['blank name', () => ({ name: '   ', type: 'System' }), 400, V, [['name', V]]],
      ['name too long', () => ({ name: 'n'.repeat(101), type: 'System' }), 400, V, [['name', V]]],
      ['missing type', () => ({ name: 'T' }), 400, V, [['type', V]]],
      ['unknown type', () => ({ name: 'T', type: 'LDAP' }), 400, V, [['type', V]]],
      ['unknown field', () => ({ name: 'T', type: 'System', colour: 'red' }), 400, V, [['(body)', V]]],
      ['description not a string', () => ({ name: 'T', type: 'System', description: 5 }), 400, V, [['description', V]]],
      ['a SAML section on a System authenticator', () => samlAuthenticator(lab, { type: 'System' }), 400, V, [['saml', V]]],
      ['an OIDC section on a SAML authenticator', () => ({ ...samlAuthenticator(lab), oidc: oidcAuthenticator()['oidc'] }), 400, V, [['oidc', V]]],
      ['SAML without its section', () => ({ name: 'S', type: 'SAML' }), 400, V, [['saml', V]]],
      ['SAML endpoint not a URL', () => samlAuthenticator(lab, { saml: { endpointUrl: 'idp.example/sso', certificate: adfsCertificate(lab) } }), 400, V, [['saml.endpointUrl', V]]],
      ['SAML endpoint not http(s)', () => samlAuthenticator(lab, { saml: { endpointUrl: 'ftp://idp.example/sso', certificate: adfsCertificate(lab) } }), 400, V, [['saml.endpointUrl', V]]],
      ['SAML without certificate', () => samlAuthenticator(lab, { saml: { endpointUrl: 'https://idp.example/sso', certificate: '' } }), 400, V, [['saml.certificate', V]]],
      ['certificate not PEM (DER base64 only)', () => samlAuthenticator(lab, { saml: { endpointUrl: 'https://idp.example/sso', certificate: lab.state.pki.systems.adfs.signing.certBase64 } }), 400, 'ERR_CXONE_CERT_NOT_PEM', [['saml.certificate', 'ERR_CXONE_CERT_NOT_PEM']]],
      ['certificate is a private key', () => samlAuthenticator(lab, { saml: { endpointUrl: 'https://idp.example/sso', certificate: lab.state.pki.systems.adfs.signing.keyPem } }), 400, 'ERR_CXONE_CERT_NOT_PEM', [['saml.certificate', 'ERR_CXONE_CERT_NOT_PEM']]],
      ['certificate block is garbage', () => samlAuthenticator(lab, { saml: { endpointUrl: 'https://idp.example/sso', certificate: '-----BEGIN CERTIFICATE-----\nAAAABBBBCCCC\n-----END CERTIFICATE-----\n' } }), 400, 'ERR_CXONE_CERT_MALFORMED', [['saml.certificate', 'ERR_CXONE_CERT_MALFORMED']]],
      ['certificate block never ends', () => samlAuthenticator(lab, { saml: { endpointUrl: 'https://idp.example/sso', certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n' } }), 400, 'ERR_CXONE_CERT_MALFORMED', [['saml.certificate', 'ERR_CXONE_CERT_MALFORMED']]],
      ['FICAM not a boolean', () => samlAuthenticator(lab, { saml: { endpointUrl: 'https://idp.example/sso', certificate: adfsCertificate(lab), ficam: 'yes' } }), 400, V, [['saml.ficam', V]]],
      ['minLength below 6', () => system({ minLength: 5 }), 400, V, [['system.password.minLength', V]]],
      ['minLength above 64', () => system({ minLength: 65 }), 400, V, [['system.password.minLength', V]]],
      ['minLength not an integer', () => system({ minLength: 6.5 }), 400, V, [['system.password.minLength', V]]],
      ['minLength as text', () => system({ minLength: '8' }), 400, V, [['system.password.minLength', V]]],
      ['maxLength below minLength', () => system({ minLength: 20, maxLength: 10 }), 400, V, [['system.password.maxLength', V]]],
      ['counts above maxLength', () => system({ maxLength: 10, minLower: 4, minUpper: 4, minDigits: 4 }), 400, V, [['system.password', V]]],
      ['a count above 20', () => system({ minUpper: 21 }), 400, V, [['system.password.minUpper', V]]],
      ['a negative count', () => system({ minDigits: -1 }), 400, V, [['system.password.minDigits', V]]],
      ['expiry below 0', () => system({ expiryDays: -1 }), 400, V, [['system.password.expiryDays', V]]],
      ['history above 24', () => system({ history: 25 }), 400, V, [['system.password.history', V]]],
      ['lockout after 0 attempts', () => system({ lockoutAttempts: 0 }), 400, V, [['system.password.lockoutAttempts', V]]],
      ['lockout longer than a day', () => system({ lockoutMinutes: 1441 }), 400, V, [['system.password.lockoutMinutes', V]]],
      ['unknown policy field', () => system({ minEmoji: 1 }), 400, V, [['system.password', V]]],
      ['MFA type unknown', () => ({ name: 'P', type: 'System', system: { mfa: { required: true, type: 'SMS' } } }), 400, V, [['system.mfa.type', V]]],
      ['OIDC without its section', () => ({ name: 'O', type: 'OIDC' }), 400, V, [['oidc', V]]],
      ['OIDC without client id', () => oidcAuthenticator({}, { clientId: undefined }), 400, V, [['oidc.clientId', V]]],
      ['OIDC without endpoints or discovery URL', () => ({ name: 'O', type: 'OIDC', oidc: { clientId: 'c', clientSecret: 's', clientSecretConfirm: 's' } }), 400, V, [['oidc.issuer', V], ['oidc.jwksUri', V], ['oidc.authorizationEndpoint', V], ['oidc.tokenEndpoint', V]]],
      ['OIDC endpoint not a URL', () => oidcAuthenticator({}, { jwksUri: 'keys' }), 400, V, [['oidc.jwksUri', V]]],
      ['OIDC optional endpoint not a URL', () => oidcAuthenticator({}, { endSessionEndpoint: 'javascript:alert(1)' }), 400, V, [['oidc.endSessionEndpoint', V]]],
      ['secret and confirmation differ', () => oidcAuthenticator({}, { clientSecretConfirm: 'something else' }), 400, 'ERR_CXONE_SECRET_MISMATCH', [['oidc.clientSecretConfirm', 'ERR_CXONE_SECRET_MISMATCH']]],
      ['secret without confirmation', () => oidcAuthenticator({}, { clientSecretConfirm: undefined }), 400, 'ERR_CXONE_SECRET_MISMATCH', [['oidc.clientSecretConfirm', 'ERR_CXONE_SECRET_MISMATCH']]],
      ['client_secret_post without a secret', () => oidcAuthenticator({}, { clientAuthMethod: 'client_secret_post', clientSecret: undefined, clientSecretConfirm: undefined }), 400, V, [['oidc.clientSecret', V]]],
      ['unknown client authentication method', () => oidcAuthenticator({}, { clientAuthMethod: 'client_secret_jwt' }), 400, V, [['oidc.clientAuthMethod', V]]],
      ['FICAM requires private_key_jwt', () => oidcAuthenticator({}, { ficam: true, acrValues: ['http://idmanagement.gov/ns/assurance/ial/2'] }), 400, V, [['oidc.clientAuthMethod', V]]],
      ['FICAM requires an acr value', () => oidcAuthenticator({}, { ficam: true, clientAuthMethod: 'private_key_jwt', clientSecret: undefined, clientSecretConfirm: undefined }), 400, V, [['oidc.acrValues', V]]],
      ['scope without openid', () => oidcAuthenticator({}, { scope: 'email profile' }), 400, V, [['oidc.scope', V]]],
      ['scope with a quote', () => oidcAuthenticator({}, { scope: 'openid "x"' }), 400, V, [['oidc.scope', V]]],
      ['acr values not a list', () => oidcAuthenticator({}, { acrValues: 'loa2' }), 400, V, [['oidc.acrValues', V]]],
      [
        'several problems at once: all reported',
        () => oidcAuthenticator({ name: 'System Default' }, { clientSecretConfirm: 'x', scope: 'email' }),
        400,
        V,
        [['name', 'ERR_CXONE_NAME_TAKEN'], ['oidc.clientSecretConfirm', 'ERR_CXONE_SECRET_MISMATCH'], ['oidc.scope', V]],
      ],
    ];
    for (const [title, body, status, code, fields] of cases) {
      it(title, async () => {
        const r = await refusedWithoutChange(() => adminApi(lab, 'POST', '/login-authenticators', body()));
        expectRefusal(r, status, code, fields);
      });
    }
  });

  it('an expired or not yet valid certificate (on the lab clock) is refused with its dates', async () => {
    lab.state.clock.advance(400 * 86_400_000); // the lab's token certificates last 365 days
    let r = await refusedWithoutChange(() => adminApi(lab, 'POST', '/login-authenticators', samlAuthenticator(lab)));
    expectRefusal(r, 400, 'ERR_CXONE_CERT_EXPIRED', [['saml.certificate', 'ERR_CXONE_CERT_EXPIRED']]);
    lab.state.clock.reset();
    lab.state.clock.advance(-2 * 86_400_000); // notBefore is an hour before generation
    r = await refusedWithoutChange(() => adminApi(lab, 'POST', '/login-authenticators', samlAuthenticator(lab)));
    expectRefusal(r, 400, 'ERR_CXONE_CERT_NOT_YET_VALID', [['saml.certificate', 'ERR_CXONE_CERT_NOT_YET_VALID']]);
  });

  it('PUT replaces, PATCH merges (a section too); the type cannot change', async () => {
    const id = FIXTURE.systemDefault;
    const patched = await adminApi(lab, 'PATCH', `/login-authenticators/${id}`, { system: { password: { minLength: 10 } } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.system.password).toMatchObject({ minLength: 10, minUpper: 1, lockoutAttempts: 6 });
    expect(patched.json.system.rules).toContain('At least 10 characters');
    const put = await adminApi(lab, 'PUT', `/login-authenticators/${id}`, { name: 'System Default', type: 'System', description: 'reset' });
    expect(put.status, put.text).toBe(200);
    expect(put.json.system.password.minLength).toBe(6);
    expect(put.json.description).toBe('reset');
    expect(put.json.isDefault).toBe(true);

    for (const [method, body] of [['PATCH', { type: 'SAML' }], ['PUT', samlAuthenticator(lab, { name: 'System Default' })]] as const) {
      const r = await refusedWithoutChange(() => adminApi(lab, method, `/login-authenticators/${id}`, body));
      expect(r.status).toBe(400);
      expect(r.json.fieldErrors).toContainEqual(expect.objectContaining({ field: 'type', code: 'ERR_CXONE_VALIDATION' }));
    }
    // a SAML PATCH keeps the stored certificate; a PUT must send it again
    const saml = await adminApi(lab, 'PATCH', `/login-authenticators/${FIXTURE.labAdfs}`, { saml: { ficam: true } });
    expect(saml.status, saml.text).toBe(200);
    expect(saml.json.saml).toMatchObject({ ficam: true, endpointUrl: `${lab.urls.adfs}/adfs/ls/` });
    expect(saml.json.saml.certificateInfo.valid).toBe(true);
    const noCert = await refusedWithoutChange(() =>
      adminApi(lab, 'PUT', `/login-authenticators/${FIXTURE.labAdfs}`, { name: 'Lab AD FS', type: 'SAML', saml: { endpointUrl: 'https://x.example/' } }),
    );
    expectRefusal(noCert, 400, 'ERR_CXONE_VALIDATION', [['saml.certificate', 'ERR_CXONE_VALIDATION']]);
    // an OIDC PATCH without a new secret keeps the stored one
    const oidc = await adminApi(lab, 'PATCH', `/login-authenticators/${FIXTURE.labOidc}`, { oidc: { clientAuthMethod: 'client_secret_post' } });
    expect(oidc.status, oidc.text).toBe(200);
    expect(oidc.json.oidc).toMatchObject({ clientAuthMethod: 'client_secret_post', clientSecretSet: true });
  });

  it('the default authenticator cannot be deactivated nor deleted; others can, once no user uses them', async () => {
    const d = FIXTURE.systemDefault;
    expectRefusal(await refusedWithoutChange(() => adminApi(lab, 'POST', `/login-authenticators/${d}/deactivate`)), 409, 'ERR_CXONE_VALIDATION');
    expectRefusal(await refusedWithoutChange(() => adminApi(lab, 'DELETE', `/login-authenticators/${d}`)), 409, 'ERR_CXONE_AUTHENTICATOR_IN_USE');
    expectRefusal(await refusedWithoutChange(() => adminApi(lab, 'PATCH', `/login-authenticators/${d}`, { active: false })), 400, 'ERR_CXONE_VALIDATION', [['active', 'ERR_CXONE_VALIDATION']]);

    const off = await adminApi(lab, 'POST', `/login-authenticators/${FIXTURE.labAdfs}/deactivate`);
    expect(off.json).toMatchObject({ status: 'Inactive', active: false });
    expect((await get(`/login-authenticators/${FIXTURE.labAdfs}`)).json.status).toBe('Inactive');
    const on = await adminApi(lab, 'POST', `/login-authenticators/${FIXTURE.labAdfs}/activate`);
    expect(on.json).toMatchObject({ status: 'Active', active: true });

    // agent1 signs in with Lab AD FS: in use
    const inUse = await refusedWithoutChange(() => adminApi(lab, 'DELETE', `/login-authenticators/${FIXTURE.labAdfs}`));
    expectRefusal(inUse, 409, 'ERR_CXONE_AUTHENTICATOR_IN_USE');
    const moved = await adminApi(lab, 'PATCH', `/users/${FIXTURE.agent1}`, { loginAuthenticatorId: FIXTURE.labOidc });
    expect(moved.status, moved.text).toBe(200);
    const del = await adminApi(lab, 'DELETE', `/login-authenticators/${FIXTURE.labAdfs}`);
    expect(del.status).toBe(204);
    expectRefusal(await get(`/login-authenticators/${FIXTURE.labAdfs}`), 404, 'ERR_CXONE_NOT_FOUND');
  });

  it('"Discover settings": bad URL is a field error; an unreachable one ERR_CXONE_DISCOVERY_FAILED; the lab OP fills every endpoint', async () => {
    expectRefusal(await adminApi(lab, 'POST', '/login-authenticators/discover', { discoveryUrl: 'not a url' }), 400, 'ERR_CXONE_VALIDATION', [['discoveryUrl', 'ERR_CXONE_VALIDATION']]);
    expectRefusal(await adminApi(lab, 'POST', '/login-authenticators/discover', {}), 400, 'ERR_CXONE_VALIDATION', [['discoveryUrl', 'ERR_CXONE_VALIDATION']]);
    expectRefusal(await adminApi(lab, 'POST', '/login-authenticators/discover', { discoveryUrl: 'https://x.example', extra: 1 }), 400, 'ERR_CXONE_VALIDATION', [['extra', 'ERR_CXONE_VALIDATION']]);
    expectRefusal(
      await adminApi(lab, 'POST', '/login-authenticators/discover', { discoveryUrl: 'http://127.0.0.1:9/.well-known/openid-configuration' }),
      400,
      'ERR_CXONE_DISCOVERY_FAILED',
      [['discoveryUrl', 'ERR_CXONE_DISCOVERY_FAILED']],
    );
    const r = await adminApi(lab, 'POST', '/login-authenticators/discover', { discoveryUrl: `${lab.urls.oidc}/.well-known/openid-configuration` });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({
      issuer: lab.urls.oidc,
      jwksUri: `${lab.urls.oidc}/jwks`,
      authorizationEndpoint: `${lab.urls.oidc}/auth`,
      tokenEndpoint: `${lab.urls.oidc}/token`,
      userinfoEndpoint: `${lab.urls.oidc}/me`,
      endSessionEndpoint: `${lab.urls.oidc}/session/end`,
    });
    // creating with only a discovery URL fills the endpoints; a hand-entered one wins
    const created = await adminApi(lab, 'POST', '/login-authenticators', {
      name: 'Discovered',
      type: 'OIDC',
      oidc: { discoveryUrl: `${lab.urls.oidc}/.well-known/openid-configuration`, userinfoEndpoint: 'https://elsewhere.example/me', clientId: 'c', clientSecret: 's3cret', clientSecretConfirm: 's3cret' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json.oidc).toMatchObject({ issuer: lab.urls.oidc, tokenEndpoint: `${lab.urls.oidc}/token`, userinfoEndpoint: 'https://elsewhere.example/me' });
  });
});

describe('users', () => {
  const newUser = (over: Record<string, unknown> = {}) => ({
    username: 'pat.doe@lab.example',
    email: 'pat.doe@lab.example',
    firstName: 'Pat',
    lastName: 'Doe',
    ...over,
  });
  const V = 'ERR_CXONE_VALIDATION';

  it('lists the fixtures, never with a password hash, an MFA secret or an access-key secret', async () => {
    const r = await listUsers();
    expect(r.users.map((u: { username: string }) => u.username).sort()).toEqual(['agent1@lab.example', 'agent2@lab.example', 'integration@lab.example', 'sam.system@lab.example']);
    const text = JSON.stringify(r);
    expect(text).not.toMatch(/scrypt|"hash"|accessKeySecret|"secret"/);
    const sam = (await get('/users/SAM.SYSTEM@lab.example')).json;
    expect(sam).toMatchObject({ id: FIXTURE.sam, loginAuthenticatorName: 'System Default', passwordSet: true, status: 'Active', role: 'Administrator' });
  });

  it('creates a user: inactive on the default authenticator unless told otherwise; a password meeting the rules activates a System user', async () => {
    const r = await adminApi(lab, 'POST', '/users', newUser());
    expect(r.status, r.text).toBe(201);
    expect(r.headers.get('location')).toBe(`${lab.urls.cxone}/api/v1/users/${r.json.id}`);
    expect(r.json).toMatchObject({ status: 'Inactive', loginAuthenticatorId: FIXTURE.systemDefault, role: 'Agent', passwordSet: false, mfaEnrolled: false, locked: false });
    const active = await adminApi(lab, 'POST', '/users', newUser({ username: 'kim@lab.example', email: 'kim@lab.example', firstName: 'Kim', password: 'Blue-Harbor-77', active: true }));
    expect(active.status, active.text).toBe(201);
    expect(active.json).toMatchObject({ status: 'Active', passwordSet: true, mustChangePassword: false });
    expect(verifyPassword('Blue-Harbor-77', lab.state.cxone!.store.users.get(active.json.id)!.password!.hash)).toBe(true);
  });

  it('usernames are unique, case-insensitively (409 ERR_CXONE_USERNAME_TAKEN)', async () => {
    const r = await refusedWithoutChange(() => adminApi(lab, 'POST', '/users', newUser({ username: 'Agent1@LAB.example' })));
    expectRefusal(r, 409, 'ERR_CXONE_USERNAME_TAKEN', [['username', 'ERR_CXONE_USERNAME_TAKEN']]);
    const rename = await refusedWithoutChange(() => adminApi(lab, 'PATCH', `/users/${FIXTURE.agent2}`, { username: 'agent1@lab.example' }));
    expectRefusal(rename, 409, 'ERR_CXONE_USERNAME_TAKEN', [['username', 'ERR_CXONE_USERNAME_TAKEN']]);
  });

  const userCases: Array<[string, () => Record<string, unknown>, number, string, Array<[string, string]>]> = [
    ['missing username', () => newUser({ username: undefined }), 400, V, [['username', V]]],
    ['username too short', () => newUser({ username: 'ab' }), 400, V, [['username', V]]],
    ['username with a space', () => newUser({ username: 'pat doe' }), 400, V, [['username', V]]],
    ['email not an address', () => newUser({ email: 'pat' }), 400, V, [['email', V]]],
    ['missing first name', () => newUser({ firstName: '' }), 400, V, [['firstName', V]]],
    ['last name too long', () => newUser({ lastName: 'x'.repeat(101) }), 400, V, [['lastName', V]]],
    ['active not a boolean', () => newUser({ active: 'yes' }), 400, V, [['active', V]]],
    ['unknown field', () => newUser({ nickname: 'p' }), 400, V, [['(body)', V]]],
    ['unknown login authenticator', () => newUser({ loginAuthenticatorId: 'nope' }), 400, 'ERR_CXONE_NOT_FOUND', [['loginAuthenticatorId', 'ERR_CXONE_NOT_FOUND']]],
    ['password too short', () => newUser({ password: 'Ab1' }), 400, 'ERR_CXONE_PASSWORD_TOO_SHORT', [['password', 'ERR_CXONE_PASSWORD_TOO_SHORT']]],
    ['password contains "password" (seed 002: Password@1234)', () => newUser({ password: 'Password@1234' }), 400, 'ERR_CXONE_PASSWORD_CONTAINS_PASSWORD', [['password', 'ERR_CXONE_PASSWORD_CONTAINS_PASSWORD']]],
    ['password from the common-password repository', () => newUser({ password: 'Qwerty123' }), 400, 'ERR_CXONE_PASSWORD_COMMON', [['password', 'ERR_CXONE_PASSWORD_COMMON']]],
    ['password contains the first name', () => newUser({ password: 'xxPAT-Harbor-77' }), 400, 'ERR_CXONE_PASSWORD_PERSONAL_DATA', [['password', 'ERR_CXONE_PASSWORD_PERSONAL_DATA']]],
    ['password on a SAML user', () => newUser({ loginAuthenticatorId: FIXTURE.labAdfs, externalIdentity: 'pat', password: 'Blue-Harbor-77' }), 400, V, [['password', V]]],
    ['an active System user needs a password', () => newUser({ active: true }), 400, 'ERR_CXONE_PASSWORD_REQUIRED', [['password', 'ERR_CXONE_PASSWORD_REQUIRED']]],
    ['an active SAML user needs an external identity', () => newUser({ active: true, loginAuthenticatorId: FIXTURE.labAdfs }), 400, V, [['externalIdentity', V]]],
    ['claim() identities are for OIDC users only', () => newUser({ loginAuthenticatorId: FIXTURE.labAdfs, externalIdentity: 'claim(email):pat@lab.example' }), 400, V, [['externalIdentity', V]]],
    ['external identity already held at that authenticator', () => newUser({ loginAuthenticatorId: FIXTURE.labAdfs, externalIdentity: 'agent1@lab.example' }), 409, 'ERR_CXONE_EXTERNAL_IDENTITY_TAKEN', [['externalIdentity', 'ERR_CXONE_EXTERNAL_IDENTITY_TAKEN']]],
  ];
  for (const [title, body, status, code, fields] of userCases) {
    it(`refuses: ${title}`, async () => {
      const r = await refusedWithoutChange(() => adminApi(lab, 'POST', '/users', body()));
      expectRefusal(r, status, code, fields);
    });
  }

  it('assigns a login authenticator and an external identity; claim() only with OIDC; the same identity may exist at another authenticator', async () => {
    const u = (await adminApi(lab, 'POST', '/users', newUser())).json;
    const saml = await adminApi(lab, 'PATCH', `/users/${u.id}`, { loginAuthenticatorId: FIXTURE.labAdfs, externalIdentity: 'pat.doe@lab.example' });
    expect(saml.status, saml.text).toBe(200);
    expect(saml.json).toMatchObject({ loginAuthenticatorId: FIXTURE.labAdfs, loginAuthenticatorName: 'Lab AD FS', externalIdentity: 'pat.doe@lab.example' });
    const claim = await refusedWithoutChange(() => adminApi(lab, 'PATCH', `/users/${u.id}`, { externalIdentity: 'claim(email):pat.doe@lab.example' }));
    expectRefusal(claim, 400, V, [['externalIdentity', V]]);
    const oidc = await adminApi(lab, 'PATCH', `/users/${u.id}`, { loginAuthenticatorId: FIXTURE.labOidc, externalIdentity: 'claim(email):pat.doe@lab.example' });
    expect(oidc.status, oidc.text).toBe(200);
    // agent1's identity at Lab AD FS, but this user is at Lab OIDC: no clash
    const same = await adminApi(lab, 'PATCH', `/users/${u.id}`, { externalIdentity: 'agent1@lab.example' });
    expect(same.status, same.text).toBe(200);
    // and back at Lab AD FS it clashes
    const clash = await refusedWithoutChange(() => adminApi(lab, 'PATCH', `/users/${u.id}`, { loginAuthenticatorId: FIXTURE.labAdfs }));
    expectRefusal(clash, 409, 'ERR_CXONE_EXTERNAL_IDENTITY_TAKEN', [['externalIdentity', 'ERR_CXONE_EXTERNAL_IDENTITY_TAKEN']]);
    const cleared = await adminApi(lab, 'PATCH', `/users/${u.id}`, { externalIdentity: null });
    expect(cleared.json.externalIdentity).toBeUndefined();
  });

  it('activation: a System user needs a password (given then or before), an external user an external identity', async () => {
    const sys = (await adminApi(lab, 'POST', '/users', newUser())).json;
    expectRefusal(await refusedWithoutChange(() => adminApi(lab, 'POST', `/users/${sys.id}/activate`)), 400, 'ERR_CXONE_PASSWORD_REQUIRED', [['password', 'ERR_CXONE_PASSWORD_REQUIRED']]);
    expectRefusal(
      await refusedWithoutChange(() => adminApi(lab, 'POST', `/users/${sys.id}/activate`, { password: 'Doe-Pat-2024' })),
      400,
      'ERR_CXONE_PASSWORD_PERSONAL_DATA',
      [['password', 'ERR_CXONE_PASSWORD_PERSONAL_DATA']],
    );
    expectRefusal(await refusedWithoutChange(() => adminApi(lab, 'POST', `/users/${sys.id}/activate`, { password: 'Blue-Harbor-77', extra: 1 })), 400, V, [['(body)', V]]);
    const ok = await adminApi(lab, 'POST', `/users/${sys.id}/activate`, { password: 'Blue-Harbor-77' });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toMatchObject({ status: 'Active', passwordSet: true });

    const ext = (await adminApi(lab, 'POST', '/users', newUser({ username: 'ext@lab.example', email: 'ext@lab.example', loginAuthenticatorId: FIXTURE.labAdfs }))).json;
    expectRefusal(await refusedWithoutChange(() => adminApi(lab, 'POST', `/users/${ext.id}/activate`)), 400, V, [['externalIdentity', V]]);
    expectRefusal(await refusedWithoutChange(() => adminApi(lab, 'POST', `/users/${ext.id}/activate`, { password: 'Blue-Harbor-77' })), 400, V, [['password', V], ['externalIdentity', V]]);
    await adminApi(lab, 'PATCH', `/users/${ext.id}`, { externalIdentity: 'ext@lab.example' });
    expect((await adminApi(lab, 'POST', `/users/${ext.id}/activate`)).json.status).toBe('Active');
    expect((await adminApi(lab, 'POST', `/users/${ext.id}/deactivate`)).json.status).toBe('Inactive');
    expect((await get(`/users/${ext.id}`)).json.status).toBe('Inactive');
  });

  it('unlock clears a lockout; a password reset checks the rules and history, sets "must change" by default and unlocks', async () => {
    const sam = lab.state.cxone!.store.users.get(FIXTURE.sam)!;
    const now = lab.state.clock.now();
    sam.failedLogins = 6;
    sam.lockedUntil = now + 30 * 60_000;
    expect((await get(`/users/${FIXTURE.sam}`)).json).toMatchObject({ locked: true, failedLogins: 6, lockedUntil: new Date(now + 30 * 60_000).toISOString() });
    const unlocked = await adminApi(lab, 'POST', `/users/${FIXTURE.sam}/unlock`);
    expect(unlocked.json).toMatchObject({ locked: false, failedLogins: 0 });
    expect(unlocked.json.lockedUntil).toBeUndefined();

    await adminApi(lab, 'PATCH', `/login-authenticators/${FIXTURE.systemDefault}`, { system: { password: { history: 3 } } });
    sam.lockedUntil = now + 30 * 60_000;
    const before = (await get(`/users/${FIXTURE.sam}`)).json;
    for (const [body, fields] of [
      [{}, [['password', V]]],
      [{ password: 'qzx' }, [['password', 'ERR_CXONE_PASSWORD_TOO_SHORT'], ['password', 'ERR_CXONE_PASSWORD_UPPER'], ['password', 'ERR_CXONE_PASSWORD_DIGIT']]],
      [{ password: 'Lab-Entry-42' }, [['password', 'ERR_CXONE_PASSWORD_REUSED']]],
      [{ password: 'Blue-Harbor-77', mustChangePassword: 'no' }, [['mustChangePassword', V]]],
    ] as const) {
      const r = await refusedWithoutChange(() => adminApi(lab, 'POST', `/users/${FIXTURE.sam}/password`, body));
      expect(r.status).toBe(400);
      expect(r.json.fieldErrors.map((e: { field: string; code: string }) => [e.field, e.code]).sort()).toEqual([...fields].map((f) => [...f]).sort());
    }
    expect((await get(`/users/${FIXTURE.sam}`)).json).toEqual(before);
    lab.state.clock.advance(1000);
    const reset = await adminApi(lab, 'POST', `/users/${FIXTURE.sam}/password`, { password: 'Blue-Harbor-77' });
    expect(reset.status, reset.text).toBe(200);
    expect(reset.json).toMatchObject({ mustChangePassword: true, locked: false, failedLogins: 0 });
    expect(reset.json.passwordSetAt).not.toBe(before.passwordSetAt);
    const stored = lab.state.cxone!.store.users.get(FIXTURE.sam)!;
    expect(verifyPassword('Blue-Harbor-77', stored.password!.hash)).toBe(true);
    expect(verifyPassword('Lab-Entry-42', stored.passwordHistory[0]!.hash)).toBe(true);
    // the old one is remembered now
    expectRefusal(await adminApi(lab, 'POST', `/users/${FIXTURE.sam}/password`, { password: 'Lab-Entry-42', mustChangePassword: false }), 400, 'ERR_CXONE_PASSWORD_REUSED');
    // SAML users have no CXone password
    expectRefusal(await refusedWithoutChange(() => adminApi(lab, 'POST', `/users/${FIXTURE.agent1}/password`, { password: 'Blue-Harbor-77' })), 400, V, [['password', V]]);
  });

  it('MFA reset forgets the enrolment; delete removes the user', async () => {
    const sam = lab.state.cxone!.store.users.get(FIXTURE.sam)!;
    sam.mfa = { type: 'TOTP', secret: 'JBSWY3DPEHPK3PXP', counter: 0, lastTotpStep: undefined };
    expect((await get(`/users/${FIXTURE.sam}`)).json.mfaEnrolled).toBe(true);
    expect((await adminApi(lab, 'POST', `/users/${FIXTURE.sam}/mfa/reset`)).json.mfaEnrolled).toBe(false);
    expect(lab.state.cxone!.store.users.get(FIXTURE.sam)!.mfa).toBeUndefined();
    expect((await adminApi(lab, 'DELETE', `/users/${FIXTURE.agent2}`)).status).toBe(204);
    expectRefusal(await get(`/users/${FIXTURE.agent2}`), 404, 'ERR_CXONE_NOT_FOUND');
    expect((await get(`/login-authenticators/${FIXTURE.labOidc}`)).json.assignedUsers).toBe(0);
  });

  it('PUT replaces the user (an omitted external identity is cleared), PATCH changes only what it names', async () => {
    const put = await adminApi(lab, 'PUT', `/users/${FIXTURE.agent2}`, {
      username: 'agent2@lab.example', email: 'agent2@lab.example', firstName: 'Robert', lastName: 'Agent', loginAuthenticatorId: FIXTURE.labOidc,
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toMatchObject({ firstName: 'Robert', status: 'Inactive' });
    expect(put.json.externalIdentity).toBeUndefined();
    const patch = await adminApi(lab, 'PATCH', `/users/${FIXTURE.agent2}`, { role: 'Supervisor' });
    expect(patch.json).toMatchObject({ firstName: 'Robert', role: 'Supervisor' });
  });
});
