import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { startTestLab } from '../../../harness/src/start-lab.js';
import { UserAgent, readForm, type UaResponse } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';
import { spTestKeys, type SpTestKeys } from '../helpers/sp-test-keys.js';

/**
 * The control API on the console port, driven over HTTP: users, relying parties, faults, clock,
 * reset, and its JSON error format. Effects are proven through AD FS itself (a scripted browser
 * signing in at the sample SP, and node-saml as an independent SP).
 */

let lab: Lab;
let signKeys: SpTestKeys;
let encKeys: SpTestKeys;
beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'] });
  signKeys = spTestKeys('runtime-sp signing');
  encKeys = spTestKeys('runtime-sp encryption');
});
afterAll(() => lab?.stop());
beforeEach(async () => {
  expect((await api('POST', '/reset')).status).toBe(200);
});

interface ApiResponse {
  status: number;
  type: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes
}

async function api(method: string, path: string, body?: unknown): Promise<ApiResponse> {
  return raw(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json');
}

async function raw(method: string, path: string, body: string | undefined, type: string): Promise<ApiResponse> {
  const res = await fetch(`${lab.urls.console}/api${path}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': type } }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left as text: the assertions on `type` say what went wrong
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: parsed };
}

/** Asserts the control API's JSON error shape and returns its issue paths (sorted). */
function expectError(r: ApiResponse, status: number, code: string): string[] {
  expect(r.type).toMatch(/^application\/json/);
  expect(r.status).toBe(status);
  expect(r.body.error.code).toBe(code);
  expect(typeof r.body.error.message).toBe('string');
  expect(typeof r.body.error.details).toBe('object');
  const issues = (r.body.error.details.issues ?? []) as { path: string }[];
  return issues.map((i) => i.path).sort();
}

const FIXTURE_USERS = ['agent1', 'agent2', 'supervisor1', 'nonsso1'];
const SAMPLE_SP = 'idp-harness sample SP';
/** The second fixture trust: Cisco IdS, registered the way Cisco documents it. */
const IDS_RP = 'Cisco Identity Service';
const CXONE_RP = 'NICE CXone (Lab AD FS login authenticator)';

const newUser = {
  username: 'agent9',
  password: 'Agent9Pass!',
  upn: 'agent9@lab.example',
  email: 'agent9.mail@lab.example',
  givenName: 'Nina',
  surname: 'Ninth',
  groups: ['Agents', 'Team Night'],
  finesse: { loginId: '1009', extension: '3009' },
};

// --- browser-side helpers -------------------------------------------------------------------

/** GET the sample SP's login: the AD FS page it lands on (sign-in form or auto-POST). */
async function startSampleSpLogin(ua: UserAgent): Promise<UaResponse> {
  const start = await ua.get(`${lab.urls.console}/sample-sp/login`);
  expect(start.status).toBe(302);
  expect(start.location!.startsWith(lab.state.adfs!.urls.ls)).toBe(true);
  return ua.get(start.location!);
}

const isLoginForm = (page: UaResponse) => page.body.includes('id="userNameInput"');
const isAutoPost = (page: UaResponse) => page.body.includes('name="SAMLResponse"');

async function submitLogin(ua: UserAgent, page: UaResponse, username: string, password: string): Promise<UaResponse> {
  expect(isLoginForm(page)).toBe(true);
  const form = readForm(page.body, page.url);
  return ua.post(form.action, { ...form.fields, UserName: username, Password: password });
}

async function postToAcs(ua: UserAgent, page: UaResponse): Promise<UaResponse> {
  expect(isAutoPost(page)).toBe(true);
  const form = readForm(page.body, page.url);
  return ua.post(form.action, form.fields);
}

/** The whole sign-in at the sample SP; resolves to the ACS page. */
async function signIn(ua: UserAgent, username: string, password: string): Promise<UaResponse> {
  const page = await startSampleSpLogin(ua);
  return postToAcs(ua, await submitLogin(ua, page, username, password));
}

const nameIdOf = (acs: UaResponse) => /<b id="nameId">([^<]*)<\/b>/.exec(acs.body)?.[1];

// --- tests ----------------------------------------------------------------------------------

describe('services and config', () => {
  it('GET /api/services lists the running services with their URLs', async () => {
    const r = await api('GET', '/services');
    expect(r.status).toBe(200);
    expect(r.body.services).toEqual([
      { name: 'adfs', url: lab.urls.adfs },
      { name: 'console', url: lab.urls.console },
    ]);
  });

  it('GET /api/config shows the resolved configuration', async () => {
    const r = await api('GET', '/config');
    expect(r.status).toBe(200);
    expect(r.body.tls.enabled).toBe(false);
    expect(r.body.adfs.port).toBe(0);
    expect(r.body.adfs.host).toBe('127.0.0.1');
    expect(r.body.log.level).toBe('silent');
  });
});

describe('users', () => {
  it('lists the fixture users', async () => {
    const r = await api('GET', '/users');
    expect(r.status).toBe(200);
    expect(r.body.map((u: { username: string }) => u.username)).toEqual(FIXTURE_USERS);
    expect(r.body[0]).toMatchObject({ username: 'agent1', upn: 'agent1@lab.example', finesse: { loginId: '1001', extension: '3001' } });
  });

  it('adds a user (defaults filled in) and gets it back, case-insensitively', async () => {
    const added = await api('POST', '/users', newUser);
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      ...newUser,
      finesse: { ...newUser.finesse, sso: true },
      domain: 'LAB',
      role: 'agent',
      assurance: { loa: 2, ial: 1, aal: 1, mfa: false, phishingResistant: false, hspd12: false },
      attributes: {},
      oidcClaims: {},
    });
    for (const name of ['agent9', 'AGENT9', 'Agent9']) {
      const got = await api('GET', `/users/${name}`);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(added.body);
    }
    expect((await api('GET', '/users')).body.map((u: { username: string }) => u.username)).toEqual([...FIXTURE_USERS, 'agent9']);
  });

  it('replaces a user (PUT), renaming it', async () => {
    const r = await api('PUT', '/users/AGENT2', { ...newUser, username: 'agent2b', upn: 'agent2b@lab.example', role: 'supervisor' });
    expect(r.status).toBe(200);
    expect(r.body.username).toBe('agent2b');
    expect(r.body.role).toBe('supervisor');
    expectError(await api('GET', '/users/agent2'), 404, 'ERR_CONTROL_NOT_FOUND');
    expect((await api('GET', '/users/agent2b')).body.upn).toBe('agent2b@lab.example');
    // PUT is a whole replacement: fields not given fall back to their defaults.
    expect((await api('GET', '/users/agent2b')).body.assurance.loa).toBe(2);
  });

  it('a PUT keeping the same name in another case is not a conflict', async () => {
    const current = (await api('GET', '/users/agent1')).body;
    const r = await api('PUT', '/users/agent1', { ...current, username: 'Agent1', surname: 'Renamed' });
    expect(r.status).toBe(200);
    expect((await api('GET', '/users/AGENT1')).body).toMatchObject({ username: 'Agent1', surname: 'Renamed' });
    expect((await api('GET', '/users')).body).toHaveLength(FIXTURE_USERS.length);
  });

  it('patches a user: only the given fields change', async () => {
    const before = (await api('GET', '/users/agent1')).body;
    const r = await api('PATCH', '/users/Agent1', { givenName: 'Alicia', groups: ['Agents'] });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ...before, givenName: 'Alicia', groups: ['Agents'] });
    expect((await api('GET', '/users/agent1')).body).toEqual(r.body);
  });

  it('removes a user, case-insensitively', async () => {
    const r = await api('DELETE', '/users/NONSSO1');
    expect(r.status).toBe(200);
    expect(r.body.username).toBe('nonsso1');
    expectError(await api('GET', '/users/nonsso1'), 404, 'ERR_CONTROL_NOT_FOUND');
    expect((await api('GET', '/users')).body).toHaveLength(FIXTURE_USERS.length - 1);
  });

  it('unknown users are 404 ERR_CONTROL_NOT_FOUND on every verb', async () => {
    expectError(await api('GET', '/users/ghost'), 404, 'ERR_CONTROL_NOT_FOUND');
    expectError(await api('PUT', '/users/ghost', newUser), 404, 'ERR_CONTROL_NOT_FOUND');
    expectError(await api('PATCH', '/users/ghost', { surname: 'X' }), 404, 'ERR_CONTROL_NOT_FOUND');
    expectError(await api('DELETE', '/users/ghost'), 404, 'ERR_CONTROL_NOT_FOUND');
    expectError(await api('GET', '/users/ghost'), 404, 'ERR_CONTROL_NOT_FOUND'); // PUT did not create it
  });

  it('an invalid user is 400 ERR_CONTROL_INVALID naming every field, and nothing changes', async () => {
    const r = await api('POST', '/users', {
      username: 'has space',
      upn: 'no-at-sign',
      email: 'agent9@lab.example',
      givenName: '',
      surname: 'S',
      role: 'boss',
      groups: ['ok', ''],
      finesse: { loginId: 'abc', extension: '3009' },
      assurance: { loa: 7 },
      colour: 'blue',
    });
    expect(expectError(r, 400, 'ERR_CONTROL_INVALID')).toEqual(
      ['username', 'password', 'upn', 'givenName', 'role', 'groups.1', 'finesse.loginId', 'assurance.loa', 'colour'].sort(),
    );
    expect((await api('GET', '/users')).body.map((u: { username: string }) => u.username)).toEqual(FIXTURE_USERS);
  });

  it('names each unknown key of a user separately', async () => {
    const r = await api('POST', '/users', { ...newUser, colour: 'blue', shoeSize: 42 });
    expect(expectError(r, 400, 'ERR_CONTROL_INVALID')).toEqual(['colour', 'shoeSize']);
  });

  it('a body that is not a user object is 400 ERR_CONTROL_INVALID', async () => {
    expectError(await api('POST', '/users', [newUser]), 400, 'ERR_CONTROL_INVALID');
    expectError(await api('PATCH', '/users/agent1', [1, 2]), 400, 'ERR_CONTROL_INVALID');
    expectError(await raw('POST', '/users', 'username=agent9', 'application/x-www-form-urlencoded'), 400, 'ERR_CONTROL_INVALID');
  });

  it('an invalid PUT or PATCH changes nothing', async () => {
    const before = (await api('GET', '/users/agent1')).body;
    expect(expectError(await api('PATCH', '/users/agent1', { email: 'not an email', extension: '1' }), 400, 'ERR_CONTROL_INVALID')).toEqual([
      'email',
      'extension',
    ]);
    expect(expectError(await api('PUT', '/users/agent1', { username: 'agent1' }), 400, 'ERR_CONTROL_INVALID')).toContain('password');
    expect((await api('GET', '/users/agent1')).body).toEqual(before);
  });

  it('duplicates are 409 ERR_CONTROL_CONFLICT: same username (any case), same UPN (any case)', async () => {
    expectError(await api('POST', '/users', { ...newUser, username: 'AGENT1' }), 409, 'ERR_CONTROL_CONFLICT');
    expectError(await api('POST', '/users', { ...newUser, upn: 'Agent1@LAB.example' }), 409, 'ERR_CONTROL_CONFLICT');
    // renaming onto another user, or taking another user's UPN
    expectError(await api('PATCH', '/users/agent2', { username: 'Agent1' }), 409, 'ERR_CONTROL_CONFLICT');
    expectError(await api('PATCH', '/users/agent2', { upn: 'AGENT1@lab.example' }), 409, 'ERR_CONTROL_CONFLICT');
    const agent2 = (await api('GET', '/users/agent2')).body;
    expectError(await api('PUT', '/users/agent2', { ...agent2, username: 'supervisor1' }), 409, 'ERR_CONTROL_CONFLICT');
    // nothing changed
    const users = (await api('GET', '/users')).body;
    expect(users.map((u: { username: string }) => u.username)).toEqual(FIXTURE_USERS);
    expect(users[1].upn).toBe('agent2@lab.example');
  });

  it('a user added at runtime signs in through AD FS; once removed they cannot', async () => {
    expect((await api('POST', '/users', newUser)).status).toBe(201);
    const ua = new UserAgent();
    const acs = await signIn(ua, 'agent9', 'Agent9Pass!');
    expect(acs.status).toBe(200);
    expect(acs.body).toContain('id="signedIn"');
    expect(nameIdOf(acs)).toBe('agent9.mail@lab.example');
    expect(acs.body).toContain('>Nina<');
    expect(acs.body).toContain('>Agents, Team Night<');

    // by UPN too, as AD FS allows
    const byUpn = await signIn(new UserAgent(), 'AGENT9@lab.example', 'Agent9Pass!');
    expect(nameIdOf(byUpn)).toBe('agent9.mail@lab.example');

    expect((await api('DELETE', '/users/agent9')).status).toBe(200);

    // a fresh browser gets the form back with AD FS's error
    const fresh = new UserAgent();
    const refused = await submitLogin(fresh, await startSampleSpLogin(fresh), 'agent9', 'Agent9Pass!');
    expect(refused.status).toBe(200);
    expect(refused.headers['x-idp-harness-error']).toBe('ERR_SAML_LOGIN_FAILED');
    expect(refused.body).toContain('id="errorText"');
    expect(isAutoPost(refused)).toBe(false);

    // the browser that was signed in: its SSO session no longer yields a token
    const again = await startSampleSpLogin(ua);
    expect(again.headers['x-idp-harness-error']).toBe('ERR_SAML_LOGIN_FAILED');
    const rejected = await postToAcs(ua, again); // a signed AuthnFailed status response
    expect(rejected.status).toBe(400);
    expect(rejected.body).toContain('id="signInError"');
    expect(rejected.body).not.toContain('id="signedIn"');
  });

  it('a patched password takes effect at the next sign-in', async () => {
    expect((await api('PATCH', '/users/agent2', { password: 'NewPass!2' })).status).toBe(200);
    const ua = new UserAgent();
    const old = await submitLogin(ua, await startSampleSpLogin(ua), 'agent2', 'Agent2Pass!');
    expect(old.body).toContain('id="errorText"');
    const acs = await signIn(new UserAgent(), 'agent2', 'NewPass!2');
    expect(nameIdOf(acs)).toBe('agent2@lab.example');
  });
});

describe('relying parties', () => {
  const runtimeRp = () => ({
    name: 'Runtime SP',
    identifiers: ['urn:runtime:sp'],
    endpoints: [
      { kind: 'acs', binding: 'POST', url: 'https://sp.runtime.test/acs', index: 0, isDefault: true },
      { kind: 'slo', binding: 'Redirect', url: '${console}/runtime-sp/slo' },
    ],
    requestSigningCertificates: [signKeys.certPem],
    signedSamlRequestsRequired: true,
    encryptClaims: true,
    encryptionCertificate: encKeys.certPem,
    samlResponseSignature: 'MessageAndAssertion',
    signatureAlgorithm: 'rsa-sha256',
    nameId: { format: 'emailAddress', value: '{email}' },
    claims: [
      { type: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', value: '{upn}' },
      { type: 'http://schemas.xmlsoap.org/claims/Group', value: '{groups}' },
      { type: 'uid', value: '{username}' },
    ],
  });

  it('lists the fixture relying parties, placeholders resolved', async () => {
    const r = await api('GET', '/relying-parties');
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(3);
    // `${ids.host}` is the IdS host name (Cisco IdS's entity ID), `${ids}` its public URL: this lab
    // runs no ids, so its default URL in a plain-HTTP lab.
    expect(r.body[1]).toMatchObject({
      name: IDS_RP,
      identifiers: ['localhost'],
      endpoints: [{ url: 'http://localhost:8553/ids/saml/response' }, { url: 'http://localhost:8553/ids/saml/response?metaAlias=/sp' }],
    });
    expect(r.body[0]).toMatchObject({
      name: SAMPLE_SP,
      identifiers: ['urn:idp-harness:sample-sp'],
      requestSigningCertificates: ['pki:sample-sp/signing'],
      nameId: { format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', value: '{email}' },
    });
    expect(r.body[0].endpoints[0].url).toBe(`${lab.urls.console}/sample-sp/acs`);
    // the view is data: no parsed certificate objects leak out
    expect(r.body[0]).not.toHaveProperty('requestSigningCerts');
    expect(r.body[0]).not.toHaveProperty('encryptionRecipient');
  });

  it('adds an RP with inline PEM certificates and `${console}` URLs, then gets, replaces and removes it', async () => {
    const added = await api('POST', '/relying-parties', runtimeRp());
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      name: 'Runtime SP',
      identifiers: ['urn:runtime:sp'],
      enabled: true,
      encryptClaims: true,
      encryptionCertificate: encKeys.certPem,
      requestSigningCertificates: [signKeys.certPem],
      tokenLifetimeMinutes: 60,
      notBeforeSkewMinutes: 0,
      ficam: false,
    });
    expect(added.body.endpoints[1]).toEqual({ kind: 'slo', binding: 'Redirect', url: `${lab.urls.console}/runtime-sp/slo`, index: 0, isDefault: false });

    const got = await api('GET', `/relying-parties/${encodeURIComponent('runtime sp')}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(added.body);
    expect((await api('GET', '/relying-parties')).body.map((rp: { name: string }) => rp.name)).toEqual([SAMPLE_SP, IDS_RP, CXONE_RP, 'Runtime SP']);

    const replaced = await api('PUT', `/relying-parties/${encodeURIComponent('Runtime SP')}`, {
      ...runtimeRp(),
      encryptClaims: false,
      encryptionCertificate: undefined,
      samlResponseSignature: 'MessageOnly',
      signatureAlgorithm: 'rsa-sha1',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.samlResponseSignature).toBe('MessageOnly');
    expect(replaced.body.signatureAlgorithm).toBe('rsa-sha1');
    expect(replaced.body).not.toHaveProperty('encryptionCertificate');

    const patched = await api('PATCH', `/relying-parties/${encodeURIComponent('Runtime SP')}`, { tokenLifetimeMinutes: 5 });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({ ...replaced.body, tokenLifetimeMinutes: 5 });

    const removed = await api('DELETE', `/relying-parties/${encodeURIComponent('RUNTIME SP')}`);
    expect(removed.status).toBe(200);
    expect(removed.body.name).toBe('Runtime SP');
    expectError(await api('GET', `/relying-parties/${encodeURIComponent('Runtime SP')}`), 404, 'ERR_CONTROL_NOT_FOUND');
    expect((await api('GET', '/relying-parties')).body).toHaveLength(3);
  });

  it('accepts pki: references for both certificates', async () => {
    const r = await api('POST', '/relying-parties', {
      ...runtimeRp(),
      requestSigningCertificates: ['pki:cxone/signing'],
      encryptionCertificate: 'pki:cxone/encryption',
    });
    expect(r.status).toBe(201);
    expect(r.body.requestSigningCertificates).toEqual(['pki:cxone/signing']);
    expect(r.body.encryptionCertificate).toBe('pki:cxone/encryption');
  });

  it('bad certificates are 400 ERR_CONTROL_INVALID at their field, and nothing is added', async () => {
    const malformed = '-----BEGIN CERTIFICATE-----\nMIIBnotreallyacertificate\n-----END CERTIFICATE-----\n';
    const notACert = signKeys.privateKeyPem; // a PEM, but BEGIN PRIVATE KEY
    const cases: [Record<string, unknown>, string][] = [
      [{ requestSigningCertificates: [malformed] }, 'requestSigningCertificates.0'],
      [{ requestSigningCertificates: [signKeys.certPem, notACert] }, 'requestSigningCertificates.1'],
      [{ encryptionCertificate: notACert }, 'encryptionCertificate'],
      [{ encryptionCertificate: 'just some text' }, 'encryptionCertificate'],
      [{ requestSigningCertificates: ['pki:nobody/signing'] }, 'requestSigningCertificates.0'],
      [{ requestSigningCertificates: ['pki:adfs/tls'] }, 'requestSigningCertificates.0'],
      [{ encryptionCertificate: 'file:no/such/file.pem' }, 'encryptionCertificate'],
    ];
    for (const [patch, path] of cases) {
      const r = await api('POST', '/relying-parties', { ...runtimeRp(), ...patch });
      expect(expectError(r, 400, 'ERR_CONTROL_INVALID'), JSON.stringify(patch).slice(0, 80)).toEqual([path]);
    }
    expect((await api('GET', '/relying-parties')).body).toHaveLength(3);
  });

  it('schema problems are 400 ERR_CONTROL_INVALID with every field path', async () => {
    const r = await api('POST', '/relying-parties', {
      name: '',
      identifiers: [],
      endpoints: [
        { kind: 'acs', binding: 'Redirect', url: 'https://sp.test/acs' },
        { kind: 'acs', binding: 'POST', url: 'https://sp.test/acs2', index: 0 },
        { kind: 'artifact', binding: 'POST', url: 'https://sp.test/x' },
      ],
      samlResponseSignature: 'Sometimes',
      nameId: { format: 'whatever' },
      tokenLifetimeMinutes: -1,
      extra: true,
    });
    expect(expectError(r, 400, 'ERR_CONTROL_INVALID')).toEqual(
      ['name', 'identifiers', 'endpoints.2.kind', 'samlResponseSignature', 'nameId.format', 'tokenLifetimeMinutes', 'extra'].sort(),
    );
    // rules across fields
    const rules = await api('POST', '/relying-parties', {
      ...runtimeRp(),
      requestSigningCertificates: [],
      encryptionCertificate: undefined,
      endpoints: [
        { kind: 'acs', binding: 'Redirect', url: 'https://sp.test/acs' },
        { kind: 'acs', binding: 'POST', url: 'https://sp.test/acs2', index: 0 },
      ],
    });
    expect(expectError(rules, 400, 'ERR_CONTROL_INVALID')).toEqual(
      ['encryptionCertificate', 'requestSigningCertificates', 'endpoints.0.binding', 'endpoints.1.index'].sort(),
    );
    const url = await api('POST', '/relying-parties', {
      ...runtimeRp(),
      endpoints: [{ kind: 'acs', binding: 'POST', url: '${nosuchservice}/acs' }],
    });
    expect(expectError(url, 400, 'ERR_CONTROL_INVALID')).toEqual(['endpoints.0.url']);
    expect((await api('GET', '/relying-parties')).body).toHaveLength(3);
  });

  it('duplicates are 409 ERR_CONTROL_CONFLICT: same identifier, same name (any case)', async () => {
    expect((await api('POST', '/relying-parties', runtimeRp())).status).toBe(201);
    const sameId = await api('POST', '/relying-parties', { ...runtimeRp(), name: 'Other', identifiers: ['urn:other', 'urn:idp-harness:sample-sp'] });
    expectError(sameId, 409, 'ERR_CONTROL_CONFLICT');
    expectError(await api('POST', '/relying-parties', { ...runtimeRp(), name: 'RUNTIME sp', identifiers: ['urn:x'] }), 409, 'ERR_CONTROL_CONFLICT');
    expectError(await api('PATCH', `/relying-parties/${encodeURIComponent('Runtime SP')}`, { identifiers: ['urn:idp-harness:sample-sp'] }), 409, 'ERR_CONTROL_CONFLICT');
    expectError(await api('PATCH', `/relying-parties/${encodeURIComponent('Runtime SP')}`, { name: SAMPLE_SP }), 409, 'ERR_CONTROL_CONFLICT');
    expect((await api('GET', '/relying-parties')).body.map((rp: { name: string; identifiers: string[] }) => [rp.name, rp.identifiers])).toEqual([
      [SAMPLE_SP, ['urn:idp-harness:sample-sp']],
      [IDS_RP, ['localhost']],
      [CXONE_RP, ['http://localhost:9445/5b2e8c4d-7f1a-4c3b-8e9d-0a1b2c3d4e51']],
      ['Runtime SP', ['urn:runtime:sp']],
    ]);
  });

  it('unknown relying parties are 404 ERR_CONTROL_NOT_FOUND', async () => {
    expectError(await api('GET', '/relying-parties/nope'), 404, 'ERR_CONTROL_NOT_FOUND');
    expectError(await api('PUT', '/relying-parties/nope', runtimeRp()), 404, 'ERR_CONTROL_NOT_FOUND');
    expectError(await api('PATCH', '/relying-parties/nope', { enabled: false }), 404, 'ERR_CONTROL_NOT_FOUND');
    expectError(await api('DELETE', '/relying-parties/nope'), 404, 'ERR_CONTROL_NOT_FOUND');
  });

  /** node-saml as the runtime RP: signed AuthnRequests, encrypted + signed responses. */
  function runtimeSp(): SAML {
    return new SAML({
      entryPoint: lab.state.adfs!.urls.ls,
      issuer: 'urn:runtime:sp',
      callbackUrl: 'https://sp.runtime.test/acs',
      audience: 'urn:runtime:sp',
      idpCert: lab.state.pki.systems.adfs.signing.certPem,
      idpIssuer: lab.state.adfs!.identifier,
      privateKey: signKeys.privateKeyPem,
      decryptionPvk: encKeys.privateKeyPem,
      signatureAlgorithm: 'sha256',
      identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
      validateInResponseTo: ValidateInResponseTo.never,
      acceptedClockSkewMs: 5000,
    });
  }

  async function signInAtRuntimeSp(ua: UserAgent): Promise<{ page: UaResponse; form: ReturnType<typeof readForm> }> {
    const url = await runtimeSp().getAuthorizeUrlAsync('', undefined, {});
    const login = await ua.get(url);
    const page = isLoginForm(login) ? await submitLogin(ua, login, 'supervisor1', 'Super1Pass!') : login;
    return { page, form: isAutoPost(page) ? readForm(page.body, page.url) : { action: '', fields: {} } };
  }

  it('an RP added at runtime is immediately usable for SSO (node-saml SP, encrypted, signed request)', async () => {
    const ua = new UserAgent();
    // before it exists: the MSIS error page for an unknown relying party
    const unknown = await ua.get(await runtimeSp().getAuthorizeUrlAsync('', undefined, {}));
    expect(unknown.headers['x-idp-harness-error']).toBe('ERR_SAML_UNKNOWN_RELYING_PARTY');

    expect((await api('POST', '/relying-parties', runtimeRp())).status).toBe(201);
    const { page, form } = await signInAtRuntimeSp(ua);
    expect(page.status).toBe(200);
    expect(form.action).toBe('https://sp.runtime.test/acs');
    const xml = Buffer.from(form.fields['SAMLResponse']!, 'base64').toString('utf8');
    expect(xml).toContain('EncryptedAssertion');
    const { profile } = await runtimeSp().validatePostResponseAsync({ SAMLResponse: form.fields['SAMLResponse']! });
    expect(profile?.nameID).toBe('supervisor1@lab.example');
    expect(profile?.['uid']).toBe('supervisor1');
    expect(profile?.['http://schemas.xmlsoap.org/claims/Group']).toEqual(['Supervisors', 'Team Sales', 'Team Support']);

    // disabled through PATCH: AD FS no longer knows it
    expect((await api('PATCH', `/relying-parties/${encodeURIComponent('Runtime SP')}`, { enabled: false })).status).toBe(200);
    const disabled = await ua.get(await runtimeSp().getAuthorizeUrlAsync('', undefined, {}));
    expect(disabled.headers['x-idp-harness-error']).toBe('ERR_SAML_UNKNOWN_RELYING_PARTY');
  });

  it('an RP requiring signed requests refuses a request signed with another key', async () => {
    const other = spTestKeys('someone else');
    expect((await api('POST', '/relying-parties', { ...runtimeRp(), requestSigningCertificates: [other.certPem] })).status).toBe(201);
    const r = await new UserAgent().get(await runtimeSp().getAuthorizeUrlAsync('', undefined, {}));
    expect(r.headers['x-idp-harness-error']).toBe('ERR_SAML_SIGNATURE_INVALID');
  });
});

describe('faults', () => {
  it('lists, enqueues and clears faults', async () => {
    expect((await api('GET', '/faults')).body).toEqual([]);
    const a = await api('POST', '/faults', { surface: 'adfs', kind: 'wrong-audience' });
    expect(a.status).toBe(201);
    expect(a.body).toEqual({ surface: 'adfs', kind: 'wrong-audience' });
    const b = await api('POST', '/faults', { surface: 'adfs', kind: 'unsigned', relyingParty: SAMPLE_SP });
    expect(b.status).toBe(201);
    expect((await api('GET', '/faults')).body).toEqual([
      { surface: 'adfs', kind: 'wrong-audience' },
      { surface: 'adfs', kind: 'unsigned', relyingParty: SAMPLE_SP },
    ]);
    const cleared = await api('DELETE', '/faults');
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual({ cleared: true });
    expect((await api('GET', '/faults')).body).toEqual([]);
  });

  it('invalid faults are 400 ERR_CONTROL_INVALID and are not queued', async () => {
    expect(expectError(await api('POST', '/faults', { surface: 'adfs', kind: 'explode' }), 400, 'ERR_CONTROL_INVALID')).toEqual(['kind']);
    expect(expectError(await api('POST', '/faults', { surface: 'ldap', kind: 'unsigned' }), 400, 'ERR_CONTROL_INVALID')).toEqual(['surface']);
    expectError(await api('POST', '/faults', { surface: 'adfs', kind: 'unsigned', when: 'now' }), 400, 'ERR_CONTROL_INVALID');
    expectError(await api('POST', '/faults', {}), 400, 'ERR_CONTROL_INVALID');
    expectError(await api('POST', '/faults', ['unsigned']), 400, 'ERR_CONTROL_INVALID');
    expect((await api('GET', '/faults')).body).toEqual([]);
  });

  it('a queued fault is taken by the next response only (one-shot)', async () => {
    expect((await api('POST', '/faults', { surface: 'adfs', kind: 'unsigned' })).status).toBe(201);
    const ua = new UserAgent();
    const bent = await signIn(ua, 'agent1', 'Agent1Pass!');
    expect(bent.status).toBe(400); // node-saml refuses an unsigned response
    expect(bent.body).toContain('id="signInError"');
    expect((await api('GET', '/faults')).body).toEqual([]);
    const ok = await postToAcs(ua, await startSampleSpLogin(ua)); // SSO session, no fault left
    expect(ok.status).toBe(200);
    expect(nameIdOf(ok)).toBe('agent1@lab.example');
  });
});

describe('clock', () => {
  it('starts at real time, advances, freezes, unfreezes and resets', async () => {
    const start = await api('GET', '/clock');
    expect(start.status).toBe(200);
    expect(start.body).toMatchObject({ offsetMs: 0, frozenAt: null });

    const advanced = await api('POST', '/clock', { advanceMs: 3_600_000 });
    expect(advanced.status).toBe(200);
    expect(advanced.body).toMatchObject({ offsetMs: 3_600_000, frozenAt: null });

    const frozen = await api('POST', '/clock', { freeze: '2030-01-01T00:00:00Z' });
    expect(frozen.body).toMatchObject({ frozenAt: Date.parse('2030-01-01T00:00:00Z'), now: '2030-01-01T00:00:00.000Z' });
    expect((await api('GET', '/clock')).body.now).toBe('2030-01-01T00:00:00.000Z'); // time stands still

    const moved = await api('POST', '/clock', { advanceMs: 1500 });
    expect(moved.body.now).toBe('2030-01-01T00:00:01.500Z');

    const unfrozen = await api('POST', '/clock', { unfreeze: true });
    expect(unfrozen.body.frozenAt).toBeNull();
    expect(Date.parse(unfrozen.body.now)).toBeGreaterThanOrEqual(Date.parse('2030-01-01T00:00:01.500Z'));

    const frozenHere = await api('POST', '/clock', { freeze: true });
    expect(typeof frozenHere.body.frozenAt).toBe('number');
    expect(frozenHere.body.now).toBe(new Date(frozenHere.body.frozenAt).toISOString());

    const reset = await api('POST', '/clock', { reset: true });
    expect(reset.body).toMatchObject({ offsetMs: 0, frozenAt: null });
  });

  it('an invalid clock command is 400 ERR_CONTROL_INVALID with its paths, and time is unchanged', async () => {
    await api('POST', '/clock', { freeze: '2031-05-05T05:05:05Z' });
    expect(expectError(await api('POST', '/clock', { advanceMs: 1.5 }), 400, 'ERR_CONTROL_INVALID')).toEqual(['advanceMs']);
    expect(expectError(await api('POST', '/clock', { freeze: 'yesterday' }), 400, 'ERR_CONTROL_INVALID')).toEqual(['freeze']);
    expect(expectError(await api('POST', '/clock', { unfreeze: false, advanceMs: '10' }), 400, 'ERR_CONTROL_INVALID')).toEqual([
      'advanceMs',
      'unfreeze',
    ]);
    expectError(await api('POST', '/clock', { warp: 9 }), 400, 'ERR_CONTROL_INVALID');
    expectError(await api('POST', '/clock', [1]), 400, 'ERR_CONTROL_INVALID');
    expect((await api('GET', '/clock')).body.now).toBe('2031-05-05T05:05:05.000Z');
  });

  it('is the clock AD FS checks requests against', async () => {
    const ua = new UserAgent();
    expect(nameIdOf(await signIn(ua, 'agent1', 'Agent1Pass!'))).toBe('agent1@lab.example');
    // node-saml stamps its AuthnRequest with real time: ten lab minutes later it is stale.
    await api('POST', '/clock', { advanceMs: 10 * 60_000 });
    const stale = await startSampleSpLogin(ua);
    expect(stale.headers['x-idp-harness-error']).toBe('ERR_SAML_REQUEST_EXPIRED');
    await api('POST', '/clock', { reset: true });
    const fresh = await startSampleSpLogin(ua);
    expect(fresh.headers['x-idp-harness-error']).toBeUndefined();
    expect(nameIdOf(await postToAcs(ua, fresh))).toBe('agent1@lab.example');
  });
});

describe('reset', () => {
  it('restores fixture users and RPs, clears faults, resets the clock and ends AD FS sessions', async () => {
    // a signed-in browser, on the SSO cookie
    const ua = new UserAgent();
    expect(nameIdOf(await signIn(ua, 'agent1', 'Agent1Pass!'))).toBe('agent1@lab.example');
    expect(isAutoPost(await startSampleSpLogin(ua))).toBe(true);

    // change everything the API can change
    expect((await api('POST', '/users', newUser)).status).toBe(201);
    expect((await api('PATCH', '/users/agent2', { givenName: 'Changed' })).status).toBe(200);
    expect((await api('DELETE', '/users/supervisor1')).status).toBe(200);
    expect((await api('PATCH', `/relying-parties/${encodeURIComponent(SAMPLE_SP)}`, { tokenLifetimeMinutes: 1 })).status).toBe(200);
    expect(
      (await api('POST', '/relying-parties', { name: 'Extra', identifiers: ['urn:extra'], endpoints: [{ kind: 'acs', binding: 'POST', url: 'https://x.test/acs' }] }))
        .status,
    ).toBe(201);
    expect((await api('POST', '/faults', { surface: 'adfs', kind: 'expired-assertion' })).status).toBe(201);
    expect((await api('POST', '/clock', { freeze: '2030-01-01T00:00:00Z' })).status).toBe(200);

    const r = await api('POST', '/reset');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ reset: true });

    const users = (await api('GET', '/users')).body;
    expect(users.map((u: { username: string }) => u.username)).toEqual(FIXTURE_USERS);
    expect(users[1].givenName).toBe('Bob');
    const rps = (await api('GET', '/relying-parties')).body;
    expect(rps.map((rp: { name: string }) => rp.name)).toEqual([SAMPLE_SP, IDS_RP, CXONE_RP]);
    expect(rps[0].tokenLifetimeMinutes).toBe(60);
    expect((await api('GET', '/faults')).body).toEqual([]);
    expect((await api('GET', '/clock')).body).toMatchObject({ offsetMs: 0, frozenAt: null });

    // the browser that was signed in sees the sign-in form again
    const after = await startSampleSpLogin(ua);
    expect(isLoginForm(after)).toBe(true);
    expect(isAutoPost(after)).toBe(false);
    // and a normal sign-in works after the reset (no leftover fault)
    expect(nameIdOf(await postToAcs(ua, await submitLogin(ua, after, 'agent1', 'Agent1Pass!')))).toBe('agent1@lab.example');
  });
});

describe('bad requests get JSON errors, never HTML, never 500', () => {
  const routes: [string, string][] = [
    ['POST', '/users'],
    ['PUT', '/users/agent1'],
    ['PATCH', '/users/agent1'],
    ['POST', '/relying-parties'],
    ['PATCH', `/relying-parties/${encodeURIComponent(SAMPLE_SP)}`],
    ['POST', '/faults'],
    ['POST', '/clock'],
  ];
  for (const [method, path] of routes) {
    it(`malformed JSON on ${method} ${path} is 400 ERR_HTTP_BAD_REQUEST`, async () => {
      expectError(await raw(method, path, '{"username": "x",', 'application/json'), 400, 'ERR_HTTP_BAD_REQUEST');
    });
  }

  it('a JSON scalar body is refused (strict JSON)', async () => {
    expectError(await raw('POST', '/users', '"agent9"', 'application/json'), 400, 'ERR_HTTP_BAD_REQUEST');
    expectError(await raw('POST', '/faults', 'null', 'application/json'), 400, 'ERR_HTTP_BAD_REQUEST');
  });

  it('a body over 1 MB is 413 ERR_HTTP_BODY_TOO_LARGE', async () => {
    const big = JSON.stringify({ ...newUser, attributes: { blob: 'x'.repeat(1_100_000) } });
    expectError(await raw('POST', '/users', big, 'application/json'), 413, 'ERR_HTTP_BODY_TOO_LARGE');
  });

  it('an unknown route or method is a JSON 404', async () => {
    expectError(await api('GET', '/nothing-here'), 404, 'ERR_HTTP_NOT_FOUND');
    expectError(await api('DELETE', '/reset'), 404, 'ERR_HTTP_NOT_FOUND');
    expectError(await api('PUT', '/clock', { reset: true }), 404, 'ERR_HTTP_NOT_FOUND');
  });

  it('a malformed percent-encoding in a path is a JSON 400', async () => {
    const r = await raw('GET', '/users/%E0%A4%A', undefined, '');
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/^application\/json/);
    expect(r.body.error.code).toBe('ERR_HTTP_BAD_REQUEST');
  });
});
