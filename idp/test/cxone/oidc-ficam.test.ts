import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { admin, clientFor, createOidcAuthenticator, createUser, enterUsername, browser, errorCode, jwtPayload, registerAtLabOp, signIn, startCxoneOidcLab } from './oidc-helpers.js';

const AAL2 = 'http://idmanagement.gov/ns/assurance/aal/2';
const LOA1 = 'http://idmanagement.gov/ns/assurance/loa/1';

/**
 * FICAM on and off. On: the lab's FICAM issuer (`${oidc}/ficam`, profile ficam: private_key_jwt,
 * PKCE S256, state and nonce of 22+ characters, acr always present) with `acr_values`; the acr the
 * IdP returns must be one CXone asked for. Off: the standard issuer, no acr requested or checked.
 */
describe('CXone OIDC authenticator: FICAM', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startCxoneOidcLab();
  });
  afterAll(() => lab?.stop());

  async function ficamAuthenticator(name: string, clientId: string, acrValues: string[]) {
    const a = await createOidcAuthenticator(lab, name, {
      discoveryUrl: `${lab.urls.oidc}/ficam/.well-known/openid-configuration`,
      clientId,
      clientAuthMethod: 'private_key_jwt',
      ficam: true,
      acrValues,
    });
    await registerAtLabOp(lab, clientFor(a, { issuer: 'ficam' }));
    return a;
  }

  it('FICAM on: the request carries PKCE S256, nonce and acr_values; the acr is checked and kept', async () => {
    const a = await ficamAuthenticator('FICAM lab', 'cxone-ficam', [AAL2]);
    expect(a.oidc).toMatchObject({ issuer: `${lab.urls.oidc}/ficam`, ficam: true, clientAuthMethod: 'private_key_jwt', acrValues: [AAL2] });
    const u = await createUser(lab, 'ficam.user@lab.example', a.id, 'claim(email):agent2@lab.example');

    // The authorization request CXone builds.
    const start = await enterUsername(lab, browser(lab), 'ficam.user@lab.example');
    expect(start.status).toBe(302);
    const q = new URL(start.location!).searchParams;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('nonce')!.length).toBeGreaterThanOrEqual(22);
    expect(q.get('state')!.length).toBeGreaterThanOrEqual(22);
    expect(q.get('acr_values')).toBe(AAL2);
    expect(q.get('redirect_uri')).toBe(a.oidc.loginRedirectUri);

    const r = await signIn(lab, 'ficam.user@lab.example', a.id);
    expect(r.response.status).toBe(303);
    const session = lab.state.cxone!.sessions.list().find((s) => s.userId === u.id)!;
    expect(session.acr).toBe(AAL2);
    expect(jwtPayload(session.external!.idToken!)['acr']).toBe(AAL2);
  });

  it('FICAM on: an acr CXone did not ask for is refused (ERR_CXONE_OIDC_ACR)', async () => {
    const a = await ficamAuthenticator('FICAM acr', 'cxone-ficam-acr', [AAL2]);
    await createUser(lab, 'ficam.acr@lab.example', a.id, 'claim(email):agent2@lab.example');
    lab.state.faults.enqueue({ surface: 'oidc', kind: 'claims', claims: { acr: LOA1 }, clientId: 'cxone-ficam-acr' });
    const r = await signIn(lab, 'ficam.acr@lab.example', a.id);
    expect(r.response.status).toBe(400);
    expect(errorCode(r.response)).toBe('ERR_CXONE_OIDC_ACR');
  });

  it('FICAM on: an ID token without acr is refused (ERR_CXONE_OIDC_ACR)', async () => {
    const a = await ficamAuthenticator('FICAM no acr', 'cxone-ficam-noacr', [AAL2]);
    await createUser(lab, 'ficam.noacr@lab.example', a.id, 'claim(email):agent2@lab.example');
    lab.state.faults.enqueue({ surface: 'oidc', kind: 'claims', claims: { acr: null }, clientId: 'cxone-ficam-noacr' });
    const r = await signIn(lab, 'ficam.noacr@lab.example', a.id);
    expect(errorCode(r.response)).toBe('ERR_CXONE_OIDC_ACR');
  });

  it('FICAM off: the standard issuer, no acr_values sent, any acr accepted', async () => {
    const a = await createOidcAuthenticator(lab, 'FICAM off', {
      discoveryUrl: `${lab.urls.oidc}/.well-known/openid-configuration`,
      clientId: 'cxone-no-ficam',
      clientAuthMethod: 'private_key_jwt',
    });
    expect(a.oidc.ficam).toBe(false);
    await registerAtLabOp(lab, clientFor(a));
    await createUser(lab, 'no.ficam@lab.example', a.id, 'claim(email):agent2@lab.example');
    const start = await enterUsername(lab, browser(lab), 'no.ficam@lab.example');
    expect(new URL(start.location!).searchParams.has('acr_values')).toBe(false);
    lab.state.faults.enqueue({ surface: 'oidc', kind: 'claims', claims: { acr: 'pwd' }, clientId: 'cxone-no-ficam' });
    const r = await signIn(lab, 'no.ficam@lab.example', a.id);
    expect(r.response.status).toBe(303);
  });

  it('FICAM off with acr_values configured: the acr is still checked (ERR_CXONE_OIDC_ACR)', async () => {
    const a = await createOidcAuthenticator(lab, 'acr without FICAM', {
      discoveryUrl: `${lab.urls.oidc}/.well-known/openid-configuration`,
      clientId: 'cxone-acr-only',
      clientSecret: 'cxone-acr-only-secret-0123',
      clientSecretConfirm: 'cxone-acr-only-secret-0123',
      acrValues: ['mfa'],
    });
    await registerAtLabOp(lab, clientFor(a, {}, { secret: 'cxone-acr-only-secret-0123' }));
    const u = await createUser(lab, 'acr.only@lab.example', a.id, 'claim(email):agent2@lab.example');
    const ok = await signIn(lab, 'acr.only@lab.example', a.id);
    expect(ok.response.status).toBe(303);
    expect(lab.state.cxone!.sessions.list().find((s) => s.userId === u.id)!.acr).toBe('mfa');

    lab.state.faults.enqueue({ surface: 'oidc', kind: 'claims', claims: { acr: 'pwd' }, clientId: 'cxone-acr-only' });
    const refused = await signIn(lab, 'acr.only@lab.example', a.id);
    expect(errorCode(refused.response)).toBe('ERR_CXONE_OIDC_ACR');
  });

  it('FICAM requires private_key_jwt and an acr value: refused as field errors, nothing created', async () => {
    const before = (await admin(lab, 'GET', '/login-authenticators')).body.loginAuthenticators.length;
    const r = await admin(lab, 'POST', '/login-authenticators', {
      name: 'FICAM with a secret',
      type: 'OIDC',
      oidc: {
        discoveryUrl: `${lab.urls.oidc}/ficam/.well-known/openid-configuration`,
        clientId: 'cxone-ficam-secret',
        clientAuthMethod: 'client_secret_basic',
        clientSecret: 'cxone-ficam-secret-0123456',
        clientSecretConfirm: 'cxone-ficam-secret-0123456',
        ficam: true,
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('ERR_CXONE_VALIDATION');
    const fields = r.body.fieldErrors.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['oidc.clientAuthMethod', 'oidc.acrValues']));
    expect((await admin(lab, 'GET', '/login-authenticators')).body.loginAuthenticators).toHaveLength(before);
  });
});
