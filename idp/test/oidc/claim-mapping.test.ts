import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { addClient, codeFlow, control, discover, fixturePrivateJwk, issuerUrl, oidc, signingKey, startOidcLab } from '../helpers/oidc-rp.js';

/**
 * Claim mapping as data (docs/oidc.md, issue "per-client and per-user claim mapping"): a client's
 * `claim_mapping` turns the directory into claims (a whole-placeholder template keeps the value's
 * type, a template with text around it is a string, a missing field drops the claim, anything not
 * a string is a static value) in the ID token, at userinfo (OIDC Core §5.3) and in RFC 9068 JWT
 * access tokens; a user's own `oidcClaims` reach every client. The expected values are read from
 * the lab's directory, not repeated here.
 */
describe('claim mapping (client claim_mapping, user oidcClaims)', () => {
  let lab: Lab;
  let mapped: oidc.Configuration;
  let web: oidc.Configuration;
  let spa: oidc.Configuration;
  let jwt: oidc.Configuration;
  const mappedRedirect = 'http://localhost:8080/mapped/callback';
  const MAPPING = { g: '{groups}', x: '{attributes.nope}', cc: 'cc-{attributes.costCenter}', static_obj: { a: 1 }, n: 7 };

  beforeAll(async () => {
    lab = await startOidcLab();
    await addClient(lab, {
      client_id: 'claim-mapped',
      client_secret: 'claim-mapped-secret-0123456789abcdef',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [mappedRedirect],
      claim_mapping: MAPPING,
    });
    mapped = await discover(lab, 'claim-mapped', oidc.ClientSecretBasic('claim-mapped-secret-0123456789abcdef'));
    web = await discover(lab, 'sample-web', oidc.ClientSecretBasic('sample-web-secret-0123456789'));
    spa = await discover(lab, 'sample-spa', oidc.None());
    const key = fixturePrivateJwk('sample-jwt');
    jwt = await discover(lab, 'sample-jwt', oidc.PrivateKeyJwt({ key: await signingKey(key), kid: key.kid }));
  });
  afterAll(() => lab.stop());

  const user = (name: string) => {
    const u = lab.state.users.get(name);
    if (!u) throw new Error(`no user ${name}`);
    return u;
  };

  /** What MAPPING must release for `name`, from the directory: `x` has no source, so it is absent. */
  const expectedMapped = (name: string) => {
    const u = user(name);
    return { g: [...u.groups], cc: `cc-${String(u.attributes['costCenter'])}`, static_obj: { a: 1 }, n: 7 };
  };

  it('the ID token and userinfo carry the mapped claims with their types; a template over a missing field is no claim', async () => {
    const want = expectedMapped('agent1');
    // The fixture's shape, so the cases below are the interesting ones (an array, a prefix).
    expect(want.g.length).toBeGreaterThan(1);
    expect(want.cc).toBe('cc-CC-100');

    const { tokens } = await codeFlow(mapped, { redirectUri: mappedRedirect, scope: 'openid profile' });
    const id = tokens.claims()!;
    expect(id.sub).toBe('agent1');
    expect(id).toMatchObject(want);
    expect(id['g']).toEqual(want.g); // the array itself, not "a,b"
    expect(id).not.toHaveProperty('x');

    const info = await oidc.fetchUserInfo(mapped, tokens.access_token, 'agent1');
    expect(info).toMatchObject(want);
    expect(info['g']).toEqual(want.g);
    expect(info).not.toHaveProperty('x');
  });

  it('the mapping is per client: sample-web, signed in as the same user, gets none of those claims', async () => {
    const { tokens } = await codeFlow(web, { redirectUri: 'http://localhost:8080/callback', scope: 'openid profile' });
    const id = tokens.claims()!;
    expect(id.sub).toBe('agent1');
    for (const name of Object.keys(MAPPING)) expect(id).not.toHaveProperty(name);
  });

  it('a code flow with resource= (RFC 8707) for sample-jwt: a JWT access token (RFC 9068) with sub and the client’s mapped claims', async () => {
    const resource = 'https://api.lab.example/';
    const { tokens } = await codeFlow(jwt, { redirectUri: 'http://localhost:8080/jwt/callback', scope: 'openid profile', params: { resource } });
    const jwks = (await (await fetch(jwt.serverMetadata().jwks_uri!)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(tokens.access_token, createLocalJWKSet(jwks), {
      issuer: issuerUrl(lab),
      audience: resource,
      typ: 'at+jwt', // RFC 9068 §2.1
    });
    expect(payload.aud).toBe(resource);
    expect(payload.sub).toBe('agent1');
    expect(payload['client_id']).toBe('sample-jwt');
    // The fixture client's claim_mapping (read back through the control API), evaluated for the
    // signed-in user from the directory.
    const mapping = (await control(lab, 'GET', '/oidc/clients/sample-jwt')).body.claim_mapping as Record<string, unknown>;
    expect(mapping).toMatchObject({ department: '{attributes.department}', display: '{givenName} {surname}' });
    expect(typeof mapping['tenant']).toBe('string');
    expect(mapping['tenant']).not.toMatch(/[{}]/); // a static value
    const u = user('agent1');
    expect(payload).toMatchObject({ department: u.attributes['department'], tenant: mapping['tenant'], display: `${u.givenName} ${u.surname}` });
    // And the ID token of the same response agrees.
    expect(tokens.claims()).toMatchObject({ department: payload['department'], tenant: payload['tenant'], display: payload['display'] });
  });

  it('a user’s own oidcClaims (supervisor1: employee_type) are in the ID token for every client', async () => {
    const own = user('supervisor1').oidcClaims;
    expect(Object.keys(own).length).toBeGreaterThan(0);
    const flows: Array<[string, oidc.Configuration, string]> = [
      ['claim-mapped', mapped, mappedRedirect],
      ['sample-web', web, 'http://localhost:8080/callback'],
      ['sample-spa', spa, 'http://localhost:8080/spa/callback'],
      ['sample-jwt', jwt, 'http://localhost:8080/jwt/callback'],
    ];
    for (const [clientId, cfg, redirectUri] of flows) {
      // Only `openid`: the user's claims do not hang on the profile scope.
      const { tokens } = await codeFlow(cfg, { redirectUri, scope: 'openid', username: 'supervisor1', password: 'Super1Pass!' });
      const id = tokens.claims()!;
      expect(id.aud, clientId).toBe(clientId);
      expect(id.sub, clientId).toBe('supervisor1');
      expect(id, clientId).toMatchObject(own);
    }
    // agent1 has no such claim: it is supervisor1's, not everybody's.
    const other = (await codeFlow(web, { redirectUri: 'http://localhost:8080/callback', scope: 'openid' })).tokens.claims()!;
    for (const name of Object.keys(own)) expect(other).not.toHaveProperty(name);
  });
});
