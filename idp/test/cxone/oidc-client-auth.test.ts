import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { clientFor, createOidcAuthenticator, createUser, errorCode, jwtPayload, registerAtLabOp, signIn, startCxoneOidcLab } from './oidc-helpers.js';

const SECRET = 'cxone-test-secret-0123456789';

/**
 * F5 with each client authentication method: the admin creates the authenticator with "Discover
 * settings", reads back the generated redirect URIs and public keys, registers the client at the
 * lab OP with them, and a user linked by `claim(email)` signs in. Encryption variants: the lab OP
 * encrypts ID tokens to the generated key, given inline or fetched from the authenticator's
 * public-keys URL.
 */
describe('CXone OIDC authenticator: client authentication methods and encryption', () => {
  let lab: Lab;
  let discoveryUrl: string;

  beforeAll(async () => {
    lab = await startCxoneOidcLab();
    discoveryUrl = `${lab.urls.oidc}/.well-known/openid-configuration`;
  });
  afterAll(() => lab?.stop());

  const cases: Array<{ method: string; useEncryption: boolean; byUri?: boolean }> = [
    { method: 'client_secret_basic', useEncryption: false },
    { method: 'client_secret_post', useEncryption: false },
    { method: 'private_key_jwt', useEncryption: false },
    { method: 'client_secret_basic', useEncryption: true },
    { method: 'private_key_jwt', useEncryption: true, byUri: true },
  ];

  for (const c of cases) {
    const title = `${c.method}${c.useEncryption ? ` with encrypted ID tokens (key ${c.byUri ? 'fetched from the public-keys URL' : 'registered inline'})` : ''}`;
    it(`${title}: created by discovery, registered at the IdP, signs in`, async () => {
      const tag = `${c.method}${c.useEncryption ? '-enc' : ''}`;
      const clientId = `cxone-${tag}`;
      const secret = c.method === 'private_key_jwt' ? {} : { clientSecret: SECRET, clientSecretConfirm: SECRET };
      const a = await createOidcAuthenticator(lab, `OIDC ${tag}`, { discoveryUrl, clientId, clientAuthMethod: c.method, useEncryption: c.useEncryption, ...secret });
      expect(a.oidc).toMatchObject({
        issuer: lab.urls.oidc,
        tokenEndpoint: `${lab.urls.oidc}/token`,
        loginRedirectUri: `${lab.urls.cxone}/auth/oidc/callback/${a.id}`,
        logoutRedirectUri: `${lab.urls.cxone}/auth/oidc/logout/${a.id}`,
      });
      expect(a.oidc.clientAssertionKey !== undefined).toBe(c.method === 'private_key_jwt');
      expect(a.oidc.encryptionKey !== undefined).toBe(c.useEncryption);
      // The public keys are also served at the authenticator's JWKS URL (for jwks_uri registration).
      const jwks = (await (await fetch(a.oidc.publicKeysUri)).json()) as { keys: Array<Record<string, unknown>> };
      expect(jwks.keys.map((k) => k['use']).sort()).toEqual([...(c.method === 'private_key_jwt' ? ['sig'] : []), ...(c.useEncryption ? ['enc'] : [])].sort());
      expect(jwks.keys.every((k) => k['d'] === undefined && k['p'] === undefined)).toBe(true);

      await registerAtLabOp(lab, clientFor(a, {}, { secret: SECRET, byUri: c.byUri ?? false }));
      const username = `${tag}@lab.example`;
      const u = await createUser(lab, username, a.id, 'claim(email):agent2@lab.example');

      const r = await signIn(lab, username, a.id);
      expect(r.response.status).toBe(303);
      const session = lab.state.cxone!.sessions.list().find((s) => s.userId === u.id)!;
      // The kept ID token is the signed one (decrypted when it came as a JWE).
      const idToken = session.external!.idToken!;
      expect(idToken.split('.')).toHaveLength(3);
      expect(jwtPayload(idToken)['aud']).toBe(clientId);
      expect(lab.state.cxone!.store.users.get(u.id)!.externalIdentity).toBe(jwtPayload(idToken)['sub']);
    });
  }

  it('the wrong client secret: the IdP refuses the token request (ERR_CXONE_OIDC_TOKEN_REQUEST)', async () => {
    const a = await createOidcAuthenticator(lab, 'OIDC wrong secret', {
      discoveryUrl,
      clientId: 'cxone-wrong-secret',
      clientAuthMethod: 'client_secret_post',
      clientSecret: 'not-the-registered-one-0123',
      clientSecretConfirm: 'not-the-registered-one-0123',
    });
    await registerAtLabOp(lab, clientFor(a, {}, { secret: SECRET }));
    await createUser(lab, 'wrong.secret@lab.example', a.id, 'claim(email):agent2@lab.example');
    const r = await signIn(lab, 'wrong.secret@lab.example', a.id);
    expect(r.response.status).toBe(400);
    expect(errorCode(r.response)).toBe('ERR_CXONE_OIDC_TOKEN_REQUEST');
  });

  it('encryption configured at CXone but not at the IdP: the plain ID token is refused (ERR_CXONE_OIDC_DECRYPT)', async () => {
    const a = await createOidcAuthenticator(lab, 'OIDC expects encryption', {
      discoveryUrl,
      clientId: 'cxone-expects-enc',
      clientSecret: SECRET,
      clientSecretConfirm: SECRET,
      useEncryption: true,
    });
    const client = clientFor(a, {}, { secret: SECRET });
    delete client['id_token_encrypted_response_alg'];
    delete client['id_token_encrypted_response_enc'];
    await registerAtLabOp(lab, client);
    await createUser(lab, 'expects.enc@lab.example', a.id, 'claim(email):agent2@lab.example');
    const r = await signIn(lab, 'expects.enc@lab.example', a.id);
    expect(errorCode(r.response)).toBe('ERR_CXONE_OIDC_DECRYPT');
  });
});
