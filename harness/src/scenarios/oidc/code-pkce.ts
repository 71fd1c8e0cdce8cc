import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { labUser } from '../lab-user.js';
import { expectThat, type Scenario, type ScenarioContext } from '../scenario.js';
import { fixtureClientKey } from './fixture-client-key.js';
import { codeFlow, discoverAs, labClient, type LabClient } from './oidc-rp.js';

type Method = 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'private_key_jwt' | 'none';

interface PreparedClient {
  clientId: string;
  redirectUri: string;
  auth: oidc.ClientAuth;
}

interface MethodCase {
  method: Method;
  /** Whose client: a fixture one, or one the scenario registers through the control API. */
  source: string;
  prepare(ctx: ScenarioContext): Promise<PreparedClient>;
}

/** A fixture client as the running lab knows it, checked to use `method`. */
async function fixtureClient(ctx: ScenarioContext, clientId: string, method: Method): Promise<LabClient> {
  const c = await labClient(ctx, clientId);
  expectThat(c.token_endpoint_auth_method === method, `${clientId} authenticates with ${c.token_endpoint_auth_method}, not ${method}`);
  return c;
}

/** A client registered for this run only (the next reset removes it). */
async function registeredClient(ctx: ScenarioContext, method: Method, extra: Record<string, unknown>): Promise<{ clientId: string; redirectUri: string }> {
  const clientId = `scenario-${method.replaceAll('_', '-')}`;
  const redirectUri = `http://localhost:8080/${clientId}/callback`;
  await ctx.target.control.oidcClients.add({
    client_id: clientId,
    client_name: `idp-harness scenario (${method})`,
    token_endpoint_auth_method: method,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    ...extra,
  } as never);
  return { clientId, redirectUri };
}

const CASES: MethodCase[] = [
  {
    method: 'client_secret_basic',
    source: 'fixture client sample-web',
    async prepare(ctx) {
      const c = await fixtureClient(ctx, 'sample-web', 'client_secret_basic');
      return { clientId: c.client_id, redirectUri: c.redirect_uris[0]!, auth: oidc.ClientSecretBasic(String(c.client_secret)) };
    },
  },
  {
    method: 'client_secret_post',
    source: 'a client registered through the control API',
    async prepare(ctx) {
      const secret = randomBytes(24).toString('base64url');
      return { ...(await registeredClient(ctx, 'client_secret_post', { client_secret: secret })), auth: oidc.ClientSecretPost(secret) };
    },
  },
  {
    method: 'client_secret_jwt',
    source: 'a client registered through the control API',
    async prepare(ctx) {
      // HS256 wants a key at least as long as its hash (RFC 7518 §3.2): 32 random bytes.
      const secret = randomBytes(32).toString('base64url');
      return { ...(await registeredClient(ctx, 'client_secret_jwt', { client_secret: secret, token_endpoint_auth_signing_alg: 'HS256' })), auth: oidc.ClientSecretJwt(secret) };
    },
  },
  {
    method: 'private_key_jwt',
    source: 'fixture client sample-jwt and its key in fixtures/oidc/keys',
    async prepare(ctx) {
      const c = await fixtureClient(ctx, 'sample-jwt', 'private_key_jwt');
      return { clientId: c.client_id, redirectUri: c.redirect_uris[0]!, auth: oidc.PrivateKeyJwt(await fixtureClientKey(ctx, c.client_id)) };
    },
  },
  {
    method: 'none',
    source: 'fixture public client sample-spa',
    async prepare(ctx) {
      const c = await fixtureClient(ctx, 'sample-spa', 'none');
      return { clientId: c.client_id, redirectUri: c.redirect_uris[0]!, auth: oidc.None() };
    },
  },
];

/**
 * DESIGN F7: authorization code + PKCE S256 with each token endpoint authentication method (OIDC
 * Core §9), driven by openid-client — discovery advertises the method, the code is redeemed with
 * it, the ID token and userinfo are verified, and introspection (RFC 7662) and revocation
 * (RFC 7009) authenticate the client the same way.
 */
export const CODE_PKCE_SCENARIOS: Scenario[] = CASES.map((c) => ({
  id: `oidc-code-pkce-${c.method.replaceAll('_', '-')}`,
  title: `OIDC code + PKCE with ${c.method === 'none' ? 'a public client (none)' : c.method} (${c.source}), introspection and revocation`,
  flow: 'F7',
  tags: ['oidc', c.method === 'none' ? 'public-client' : 'client-auth'],
  needs: ['oidc', 'console'],
  async run(ctx) {
    const user = await labUser(ctx, 'agent1');
    const client = await ctx.step(`the ${c.method} client: ${c.source}`, () => c.prepare(ctx));
    const cfg = await ctx.step('discovery advertises the method (openid-client)', async () => {
      const cfg = await discoverAs(ctx, client.clientId, client.auth);
      const methods = cfg.serverMetadata().token_endpoint_auth_methods_supported ?? [];
      expectThat(methods.includes(c.method), `token_endpoint_auth_methods_supported: ${methods.join(', ')}`);
      return cfg;
    });
    const { tokens } = await ctx.step(`sign in as ${user.username}, redeem the code with PKCE and ${c.method}`, () => codeFlow(ctx, cfg, { redirectUri: client.redirectUri, user }));
    const sub = await ctx.step('the ID token names the user, for this client, from this issuer', async () => {
      const claims = tokens.claims();
      expectThat(claims, 'no ID token');
      expectThat(claims.sub === user.username, `sub ${claims.sub}, expected ${user.username}`);
      expectThat(claims.aud === client.clientId || (Array.isArray(claims.aud) && claims.aud.includes(client.clientId)), `aud ${String(claims.aud)}`);
      ctx.note(`id_token sub ${claims.sub}, iss ${claims.iss}`);
      return claims.sub;
    });
    await ctx.step('userinfo answers for the same subject', async () => {
      const info = await oidc.fetchUserInfo(cfg, tokens.access_token, sub);
      expectThat(info.sub === sub, `userinfo sub ${info.sub}`);
    });
    await ctx.step('introspection: the access token is active, for this client', async () => {
      const intro = await oidc.tokenIntrospection(cfg, tokens.access_token);
      expectThat(intro.active === true && intro.client_id === client.clientId, `introspection: ${JSON.stringify(intro)}`);
    });
    await ctx.step('revocation, then introspection says inactive', async () => {
      await oidc.tokenRevocation(cfg, tokens.access_token);
      const intro = await oidc.tokenIntrospection(cfg, tokens.access_token);
      expectThat(intro.active === false, `after revocation: ${JSON.stringify(intro)}`);
    });
  },
}));
