import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { codeFlow, discover, fixturePrivateJwk, oidc, signingKey, startOidcLab } from '../helpers/oidc-rp.js';

/**
 * The baseline: openid-client completes code + PKCE with the fixture `sample-jwt` client
 * (private_key_jwt), gets the acr/amr the directory allows, refreshes with rotation and reads
 * userinfo and introspection that reflect the grant.
 */
describe('authorization code flow with PKCE (openid-client, private_key_jwt)', () => {
  let lab: Lab;
  let cfg: oidc.Configuration;
  const redirectUri = 'http://localhost:8080/jwt/callback';

  beforeAll(async () => {
    lab = await startOidcLab();
    const jwk = fixturePrivateJwk('sample-jwt');
    cfg = await discover(lab, 'sample-jwt', oidc.PrivateKeyJwt({ key: await signingKey(jwk), kid: jwk.kid }));
  });
  afterAll(() => lab.stop());

  it('signs agent1 in through the page and returns a verified ID token with acr, amr and mapped claims', async () => {
    const { tokens, auth } = await codeFlow(cfg, { redirectUri, params: { acr_values: 'mfa pwd' } });
    expect(auth.pages).toEqual(['login']);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      sub: 'agent1',
      aud: 'sample-jwt',
      iss: lab.urls.oidc,
      acr: 'pwd', // agent1 has no second factor: the first requested value reached
      amr: ['pwd'],
      email: 'agent1@lab.example',
      department: 'Sales',
      tenant: 'lab',
      display: 'Alice Agent',
    });
  });

  it('rotates the refresh token, and userinfo and introspection reflect the grant', async () => {
    const { tokens } = await codeFlow(cfg, { redirectUri, scope: 'openid profile offline_access' });
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await oidc.refreshTokenGrant(cfg, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    const info = await oidc.fetchUserInfo(cfg, refreshed.access_token, 'agent1');
    expect(info).toMatchObject({ sub: 'agent1', name: 'Alice Agent', department: 'Sales' });
    const intro = await oidc.tokenIntrospection(cfg, refreshed.access_token);
    expect(intro).toMatchObject({ active: true, sub: 'agent1', client_id: 'sample-jwt' });
  });
});
