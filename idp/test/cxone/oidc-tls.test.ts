import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { admin, AGENT2_EMAIL, AGENT2_ID, clientFor, createOidcAuthenticator, createUser, errorCode, home, jwtPayload, LAB_OIDC_ID, registerAtLabOp, signIn, startCxoneOidcLab } from './oidc-helpers.js';

/**
 * F5 over TLS: CXone and the lab OP on HTTPS with certificates from the lab CA. CXone's outbound
 * calls (discovery, token, JWKS, userinfo) trust the lab CA beside the system roots; the browser
 * trusts it too.
 */
describe('CXone OIDC authenticator over TLS', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startCxoneOidcLab({ tls: true });
  });
  afterAll(() => lab?.stop());

  it('discovers over HTTPS and the fixture Lab OIDC signs agent2 in, linked to sub', async () => {
    expect(lab.urls.cxone!.startsWith('https://')).toBe(true);
    expect(lab.urls.oidc!.startsWith('https://')).toBe(true);
    const found = await admin(lab, 'POST', '/login-authenticators/discover', { discoveryUrl: `${lab.urls.oidc}/.well-known/openid-configuration` });
    expect(found.status).toBe(200);
    expect(found.body.tokenEndpoint).toBe(`${lab.urls.oidc}/token`);

    const r = await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID);
    expect(r.response.status).toBe(303);
    expect((await home(lab, r.ua)).body).toContain(`id="signedInUser">${AGENT2_EMAIL}<`);
    const session = lab.state.cxone!.sessions.list().find((s) => s.userId === AGENT2_ID)!;
    expect(lab.state.cxone!.store.users.get(AGENT2_ID)!.externalIdentity).toBe(jwtPayload(session.external!.idToken!)['sub']);
  });

  it('private_key_jwt with encrypted ID tokens over HTTPS', async () => {
    const a = await createOidcAuthenticator(lab, 'TLS private_key_jwt', {
      discoveryUrl: `${lab.urls.oidc}/.well-known/openid-configuration`,
      clientId: 'cxone-tls-jwt',
      clientAuthMethod: 'private_key_jwt',
      useEncryption: true,
    });
    await registerAtLabOp(lab, clientFor(a));
    await createUser(lab, 'tls.jwt@lab.example', a.id, 'claim(email):agent2@lab.example');
    const r = await signIn(lab, 'tls.jwt@lab.example', a.id);
    expect(r.response.status).toBe(303);
  });

  it('a bad signature is refused over HTTPS too (ERR_CXONE_OIDC_SIGNATURE)', async () => {
    lab.state.faults.enqueue({ surface: 'oidc', kind: 'id-token-bad-signature', clientId: 'cxone-lab' });
    const r = await signIn(lab, AGENT2_EMAIL, LAB_OIDC_ID);
    expect(errorCode(r.response)).toBe('ERR_CXONE_OIDC_SIGNATURE');
  });
});
