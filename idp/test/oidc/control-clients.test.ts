import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { addClient, codeFlow, control, discover, issuerUrl, oidc, startOidcLab } from '../helpers/oidc-rp.js';

/**
 * OIDC clients through the control API (`/api/oidc/clients`): the same fields as
 * fixtures/oidc/clients.json, checked by the issuer's oidc-provider when written, and live at
 * once: a client added at runtime signs in, a deleted one can no longer authenticate.
 */
describe('control API: OIDC clients', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startOidcLab();
  });
  afterAll(() => lab.stop());

  const base = {
    client_id: 'crud-app',
    client_name: 'CRUD app',
    client_secret: 'crud-app-secret-0123456789',
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: ['http://localhost:8080/crud/callback'],
    response_types: ['code'],
    grant_types: ['authorization_code'],
  };

  it('adds, reads, replaces, patches and deletes a client', async () => {
    const added = await control(lab, 'POST', '/oidc/clients', base);
    expect(added.status).toBe(201);
    // The lab's defaults are filled in: a first-party client of the default issuer, PKCE on.
    expect(added.body).toMatchObject({ ...base, issuer: 'default', first_party: true, require_pkce: true });

    const read = await control(lab, 'GET', '/oidc/clients/crud-app');
    expect(read).toMatchObject({ status: 200, body: added.body });
    const listed = (await control(lab, 'GET', '/oidc/clients')).body as Array<{ client_id: string }>;
    expect(listed.map((c) => c.client_id)).toContain('crud-app');

    const replaced = await control(lab, 'PUT', '/oidc/clients/crud-app', { ...base, client_name: 'Renamed', first_party: false });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ client_name: 'Renamed', first_party: false });
    // PUT replaces: a field left out goes back to its default.
    const replacedAgain = await control(lab, 'PUT', '/oidc/clients/crud-app', base);
    expect(replacedAgain.body).toMatchObject({ client_name: 'CRUD app', first_party: true });

    const patched = await control(lab, 'PATCH', '/oidc/clients/crud-app', { client_name: 'Patched' });
    expect(patched.status).toBe(200);
    // PATCH merges: the rest is kept.
    expect(patched.body).toMatchObject({ ...base, client_name: 'Patched' });
    expect((await control(lab, 'GET', '/oidc/clients/crud-app')).body.client_name).toBe('Patched');

    const deleted = await control(lab, 'DELETE', '/oidc/clients/crud-app');
    expect(deleted.status).toBe(200);
    expect(deleted.body.client_id).toBe('crud-app');
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const r = await control(lab, method, '/oidc/clients/crud-app', method === 'PUT' || method === 'PATCH' ? base : undefined);
      expect(r.status, method).toBe(404);
      expect(r.body.error.code).toBe('ERR_CONTROL_NOT_FOUND');
    }
  });

  it('refuses a duplicate client_id (409), also one differing only in case', async () => {
    for (const client_id of ['sample-web', 'SAMPLE-WEB']) {
      const r = await control(lab, 'POST', '/oidc/clients', { ...base, client_id });
      expect(r.status, client_id).toBe(409);
      expect(r.body.error.code).toBe('ERR_CONTROL_CONFLICT');
    }
    // The fixture client is untouched.
    expect((await control(lab, 'GET', '/oidc/clients/sample-web')).body.client_name).toMatch(/^Sample web app/);
  });

  it('refuses an unknown issuer and invalid metadata (400 ERR_CONTROL_INVALID), changing nothing', async () => {
    const unknownIssuer = await control(lab, 'POST', '/oidc/clients', { ...base, client_id: 'lost', issuer: 'nope' });
    expect(unknownIssuer.status).toBe(400);
    expect(unknownIssuer.body.error.code).toBe('ERR_CONTROL_INVALID');
    expect(unknownIssuer.body.error.details.issues[0].path).toBe('issuer');
    expect((await control(lab, 'GET', '/oidc/clients/lost')).status).toBe(404);

    const badMetadata = await control(lab, 'POST', '/oidc/clients', { ...base, client_id: 'bad-uri', redirect_uris: ['not a url'] });
    expect(badMetadata.status).toBe(400);
    expect(badMetadata.body.error.code).toBe('ERR_CONTROL_INVALID');
    expect(badMetadata.body.error.details.error).toMatch(/^invalid_(client_metadata|redirect_uri)$/);

    const patch = await control(lab, 'PATCH', '/oidc/clients/sample-web', { token_endpoint_auth_method: 'no-such-method' });
    expect(patch.status).toBe(400);
    expect(patch.body.error.details.error).toBe('invalid_client_metadata');
    expect((await control(lab, 'GET', '/oidc/clients/sample-web')).body.token_endpoint_auth_method).toBe('client_secret_basic');
  });

  it('a client deleted at runtime can no longer authenticate (invalid_client)', async () => {
    await addClient(lab, {
      client_id: 'doomed-service',
      client_secret: 'doomed-service-secret-0123456789',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });
    const cfg = await discover(lab, 'doomed-service', oidc.ClientSecretBasic('doomed-service-secret-0123456789'));
    expect((await oidc.clientCredentialsGrant(cfg)).access_token).toBeTruthy();
    expect((await control(lab, 'DELETE', '/oidc/clients/doomed-service')).status).toBe(200);
    let err: unknown;
    try {
      await oidc.clientCredentialsGrant(cfg);
    } catch (e) {
      err = e;
    }
    // RFC 6749 §5.2: a 401 with a WWW-Authenticate challenge for the client's scheme, which
    // openid-client reports as a challenge error; the body is the OAuth error.
    expect(err).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    const challenge = err as oidc.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(((await challenge.response.json()) as { error: string }).error).toBe('invalid_client');
  });

  it('a client added at runtime with a new claim name in claim_mapping gets that claim (claims_supported resynced)', async () => {
    const claim = 'runtime_cost_center';
    const before = (await (await fetch(`${issuerUrl(lab)}/.well-known/openid-configuration`)).json()) as { claims_supported: string[] };
    expect(before.claims_supported).not.toContain(claim);
    const redirect = 'http://localhost:8080/mapped/callback';
    await addClient(lab, {
      client_id: 'mapped-app',
      client_secret: 'mapped-app-secret-0123456789',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [redirect],
      claim_mapping: { [claim]: 'cc-{attributes.department}' },
    });
    const after = (await (await fetch(`${issuerUrl(lab)}/.well-known/openid-configuration`)).json()) as { claims_supported: string[] };
    expect(after.claims_supported).toContain(claim);
    const cfg = await discover(lab, 'mapped-app', oidc.ClientSecretBasic('mapped-app-secret-0123456789'));
    const { tokens } = await codeFlow(cfg, { redirectUri: redirect });
    // agent1's department in fixtures/users.json is Sales.
    expect(tokens.claims()![claim]).toBe('cc-Sales');
    const info = await oidc.fetchUserInfo(cfg, tokens.access_token, 'agent1');
    expect(info[claim]).toBe('cc-Sales');
  });
});
