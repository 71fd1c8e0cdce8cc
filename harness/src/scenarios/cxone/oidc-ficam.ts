import { redirectTarget } from '../../clients/cxone/cxone-sign-in.js';
import { authorizationRequest, codeFromCallback, fetchUserinfo, redeemCode, verifyCxoneJwt, type CxoneApp } from '../../clients/cxone/op-client.js';
import { expectThat, type Scenario } from '../scenario.js';
import { AAL2, AGENT2, SAMPLE_SPA } from './fixtures.js';
import { withCxoneLab, type CxoneLab } from './kit.js';
import { oidcAuthenticatorOf, signInThroughOp, type OidcAuthenticator } from './oidc-steps.js';

/**
 * F5 with FICAM on: an admin creates an OIDC authenticator from the lab OP's FICAM issuer's
 * discovery document (`<oidc>/ficam`: private_key_jwt, PKCE, acr always present) with
 * `acr_values`; registers CXone's generated redirect URI and client-assertion key at the OP
 * (control API); assigns a user linked by `claim(email):`. An application's sign-in then goes
 * CXone → lab OP → CXone → app, and CXone's own ID token carries the IdP's `acr`.
 */
async function createFicamAuthenticator(lab: CxoneLab): Promise<OidcAuthenticator> {
  const clientId = `cxone-ficam-${lab.tag}`;
  const created = await lab.admin.authenticators.create({
    name: `Scenario FICAM OIDC ${lab.tag}`,
    type: 'OIDC',
    oidc: { discoveryUrl: `${lab.url('oidc')}/ficam/.well-known/openid-configuration`, clientId, clientAuthMethod: 'private_key_jwt', ficam: true, acrValues: [AAL2] },
  });
  lab.defer('delete the FICAM authenticator', () => lab.admin.authenticators.remove(created['id'] as string));
  const a = oidcAuthenticatorOf(created);
  expectThat(a.ficam && a.issuer === `${lab.url('oidc')}/ficam`, `the authenticator is not FICAM against ${lab.url('oidc')}/ficam (issuer ${a.issuer})`);
  return a;
}

/** The lab OP's client for it, from what CXone shows after creation (docs/cxone.md "The lab's OP as the IdP"). */
async function registerAtOp(lab: CxoneLab, a: OidcAuthenticator): Promise<void> {
  const o = a.raw['oidc'] as Record<string, any>;
  await lab.control.oidcClients.add({
    client_id: o['clientId'],
    client_name: a.name,
    issuer: 'ficam',
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS256',
    jwks: { keys: [o['clientAssertionKey']['jwk']] },
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [o['loginRedirectUri']],
    post_logout_redirect_uris: [o['logoutRedirectUri']],
  });
  lab.defer('remove the OP client', () => lab.control.oidcClients.remove(o['clientId']));
}

export const oidcFicam: Scenario = {
  id: 'cxone-oidc-ficam',
  title: 'CXone OIDC with FICAM on: private_key_jwt at the FICAM issuer, acr_values, the acr reaches the app',
  flow: 'F5',
  tags: ['cxone', 'oidc', 'ficam'],
  needs: ['oidc', 'cxone', 'console'],
  run: (ctx) =>
    withCxoneLab(ctx, async (lab) => {
      const a = await ctx.step('create a FICAM OIDC authenticator from the FICAM issuer discovery', () => createFicamAuthenticator(lab));
      await ctx.step('register its redirect URI and client-assertion key at the lab OP', () => registerAtOp(lab, a));
      const username = `ficam.${lab.tag}@scenario.example`;
      await ctx.step(`assign ${username}, linked by claim(email):${AGENT2.email}`, async () => {
        const u = await lab.admin.users.create({ username, email: username, firstName: 'Ficam', lastName: 'Scenario', active: true, loginAuthenticatorId: a.id, externalIdentity: `claim(email):${AGENT2.email}` });
        lab.defer('delete the FICAM user', () => lab.admin.users.remove(u['id'] as string));
      });
      const app: CxoneApp = { cxoneUrl: lab.cxone, clientId: SAMPLE_SPA.clientId, redirectUri: SAMPLE_SPA.redirectUri, ...(lab.ca && { ca: lab.ca }) };
      const request = authorizationRequest(app);
      const ua = lab.browser();
      const signIn = await ctx.step(`${SAMPLE_SPA.clientId} → CXone → lab OP (FICAM issuer) as ${AGENT2.idpUser} → CXone`, () =>
        signInThroughOp(lab, ua, a, { username, idpUser: AGENT2.idpUser }, request.url),
      );
      await ctx.step(`CXone asked for acr_values=${AAL2}`, async () => {
        expectThat(signIn.authorizationRequest.searchParams.get('acr_values') === AAL2, `acr_values is ${signIn.authorizationRequest.searchParams.get('acr_values')}`);
      });
      const code = await ctx.step('CXone accepts the ID token and returns a code to the app', async () => {
        const back = redirectTarget(signIn.answer);
        expectThat(back.toString().startsWith(SAMPLE_SPA.redirectUri), `CXone sent the browser to ${back.origin}${back.pathname}, not the app's redirect URI`);
        return codeFromCallback(back, request.state);
      });
      const tokens = await ctx.step('redeem the code with the PKCE verifier at /auth/token', () => redeemCode(app, code, request.codeVerifier));
      await ctx.step(`CXone's ID token carries acr ${AAL2} and amr fed`, async () => {
        const claims = await verifyCxoneJwt(app, tokens.id_token, await lab.now());
        expectThat(claims['acr'] === AAL2, `the ID token's acr is ${String(claims['acr'])}`);
        expectThat(Array.isArray(claims['amr']) && (claims['amr'] as unknown[]).includes('fed'), `the ID token's amr is ${JSON.stringify(claims['amr'])}`);
      });
      await ctx.step(`/auth/userinfo names ${username}`, async () => {
        const info = await fetchUserinfo(app, tokens.access_token);
        expectThat(info['preferred_username'] === username, `userinfo preferred_username is ${String(info['preferred_username'])}`);
      });
    }),
};
