import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverOidcSettings } from '../../src/cxone/oidc-rp/discovery.js';
import type { Lab } from '../../src/lab.js';
import { admin, startCxoneOidcLab } from './oidc-helpers.js';

/**
 * "Discover settings" (issue 6: fills issuer, JWKS, authorization, token, userinfo, revocation and
 * end-session endpoints) against the lab OP's two issuers, and its failures as admin field errors:
 * an unreachable URL, an issuer that is not the URL's prefix (OIDC Discovery §4.3), a document
 * that is not JSON or lacks required members, one too large. Plus the secret confirmation.
 */
describe('CXone OIDC authenticator: discovery and the admin form', () => {
  let lab: Lab;
  let fake: Server;
  let fakeOrigin: string;
  /** What the fake provider answers at its discovery path, per test. */
  let answer: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '{}' };

  beforeAll(async () => {
    lab = await startCxoneOidcLab();
    fake = createServer((_req, res) => {
      res.writeHead(answer.status, { 'content-type': answer.type });
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeOrigin = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => fake?.close(resolve));
    await lab?.stop();
  });

  const discoverApi = (discoveryUrl: string) => admin(lab, 'POST', '/login-authenticators/discover', { discoveryUrl });
  const expectDiscoveryFailure = async (discoveryUrl: string) => {
    const r = await discoverApi(discoveryUrl);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('ERR_CXONE_DISCOVERY_FAILED');
    expect(r.body.fieldErrors).toEqual([expect.objectContaining({ field: 'discoveryUrl', code: 'ERR_CXONE_DISCOVERY_FAILED' })]);
    return r.body.fieldErrors[0].message as string;
  };

  it('maps both lab issuers, from the discovery URL or the issuer URL', async () => {
    for (const issuer of [lab.urls.oidc!, `${lab.urls.oidc}/ficam`]) {
      const expected = {
        issuer,
        jwksUri: `${issuer}/jwks`,
        authorizationEndpoint: `${issuer}/auth`,
        tokenEndpoint: `${issuer}/token`,
        userinfoEndpoint: `${issuer}/me`,
        revocationEndpoint: `${issuer}/token/revocation`,
        endSessionEndpoint: `${issuer}/session/end`,
      };
      expect(await discoverOidcSettings(`${issuer}/.well-known/openid-configuration`, [])).toEqual(expected);
      expect(await discoverOidcSettings(`${issuer}/`, [])).toEqual(expected);
      const r = await discoverApi(`${issuer}/.well-known/openid-configuration`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual(expected);
    }
  });

  it('an issuer that is not the prefix of the discovery URL is refused (OIDC Discovery §4.3)', async () => {
    // Same provider reached as 127.0.0.1: the document says its issuer is http://localhost:<port>.
    const viaIp = lab.urls.oidc!.replace('//localhost:', '//127.0.0.1:');
    expect(await expectDiscoveryFailure(`${viaIp}/.well-known/openid-configuration`)).toMatch(/identical/);
    answer = { status: 200, type: 'application/json', body: JSON.stringify({ issuer: 'https://login.example.com', authorization_endpoint: 'https://x/a', token_endpoint: 'https://x/t', jwks_uri: 'https://x/j' }) };
    await expectDiscoveryFailure(`${fakeOrigin}/.well-known/openid-configuration`);
  });

  it('a document that is not JSON, lacks required members, or is too large is refused', async () => {
    answer = { status: 200, type: 'text/html', body: '<!DOCTYPE html><html><body>Sign in</body></html>' };
    expect(await expectDiscoveryFailure(`${fakeOrigin}/.well-known/openid-configuration`)).toMatch(/JSON/);
    answer = { status: 200, type: 'application/json', body: JSON.stringify({ issuer: fakeOrigin, authorization_endpoint: `${fakeOrigin}/auth` }) };
    expect(await expectDiscoveryFailure(`${fakeOrigin}/.well-known/openid-configuration`)).toMatch(/token_endpoint, jwks_uri/);
    answer = { status: 200, type: 'application/json', body: JSON.stringify({ issuer: fakeOrigin, padding: 'x'.repeat(300 * 1024) }) };
    expect(await expectDiscoveryFailure(`${fakeOrigin}/.well-known/openid-configuration`)).toMatch(/larger than/);
    answer = { status: 404, type: 'application/json', body: '{"error":"not found"}' };
    expect(await expectDiscoveryFailure(`${fakeOrigin}/.well-known/openid-configuration`)).toMatch(/HTTP 404/);
  });

  it('an unreachable URL is refused; a string that is no URL is a validation error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await expectDiscoveryFailure(`http://127.0.0.1:${port}/.well-known/openid-configuration`)).toMatch(/cannot reach/);
    const notUrl = await discoverApi('not a url');
    expect(notUrl.status).toBe(400);
    expect(notUrl.body.code).toBe('ERR_CXONE_VALIDATION');
    expect(notUrl.body.fieldErrors[0].field).toBe('discoveryUrl');
  });

  it('creating with a failing discovery URL: a field error on oidc.discoveryUrl, nothing created', async () => {
    const before = (await admin(lab, 'GET', '/login-authenticators')).body.loginAuthenticators.length;
    answer = { status: 200, type: 'text/plain', body: 'hello' };
    const r = await admin(lab, 'POST', '/login-authenticators', {
      name: 'Broken discovery',
      type: 'OIDC',
      oidc: { discoveryUrl: `${fakeOrigin}/.well-known/openid-configuration`, clientId: 'x', clientSecret: 'secret-0123456789', clientSecretConfirm: 'secret-0123456789' },
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('ERR_CXONE_DISCOVERY_FAILED');
    expect(r.body.fieldErrors).toEqual([expect.objectContaining({ field: 'oidc.discoveryUrl', code: 'ERR_CXONE_DISCOVERY_FAILED' })]);
    expect((await admin(lab, 'GET', '/login-authenticators')).body.loginAuthenticators).toHaveLength(before);
  });

  it('the client secret and its confirmation must agree (ERR_CXONE_SECRET_MISMATCH)', async () => {
    const r = await admin(lab, 'POST', '/login-authenticators', {
      name: 'Secret typo',
      type: 'OIDC',
      oidc: { discoveryUrl: `${lab.urls.oidc}/.well-known/openid-configuration`, clientId: 'x', clientSecret: 'secret-0123456789', clientSecretConfirm: 'secret-0123456788' },
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('ERR_CXONE_SECRET_MISMATCH');
    expect(r.body.fieldErrors).toEqual([expect.objectContaining({ field: 'oidc.clientSecretConfirm', code: 'ERR_CXONE_SECRET_MISMATCH' })]);
  });

  it('endpoints entered by hand (no discovery) are kept as entered, with the generated URIs shown', async () => {
    const r = await admin(lab, 'POST', '/login-authenticators', {
      name: 'By hand',
      type: 'OIDC',
      oidc: {
        issuer: 'https://idp.partner.example',
        jwksUri: 'https://idp.partner.example/keys',
        authorizationEndpoint: 'https://idp.partner.example/authorize',
        tokenEndpoint: 'https://idp.partner.example/token',
        userinfoEndpoint: 'https://idp.partner.example/userinfo',
        revocationEndpoint: 'https://idp.partner.example/revoke',
        endSessionEndpoint: 'https://idp.partner.example/logout',
        clientId: 'cxone',
        clientAuthMethod: 'client_secret_post',
        clientSecret: 'secret-0123456789',
        clientSecretConfirm: 'secret-0123456789',
      },
    });
    expect(r.status).toBe(201);
    expect(r.body.oidc).toMatchObject({
      issuer: 'https://idp.partner.example',
      endSessionEndpoint: 'https://idp.partner.example/logout',
      clientSecretSet: true,
      loginRedirectUri: `${lab.urls.cxone}/auth/oidc/callback/${r.body.id}`,
      logoutRedirectUri: `${lab.urls.cxone}/auth/oidc/logout/${r.body.id}`,
    });
    expect(JSON.stringify(r.body)).not.toContain('secret-0123456789');
  });
});
