/**
 * The reference of `npm run bench`'s OpenID Provider figures: a bare oidc-provider on plain
 * node:http, with what the lab's default issuer uses on the measured paths and nothing more —
 * the same signing JWKs (certs/oidc/default/, in the same order), the same fixture clients
 * without the lab's own fields, PKCE required, devInteractions off, and the headless auto-login
 * interaction of stack-notes §3 in place of the lab's sign-in pages. Where the library's default
 * would change what is exchanged (a consent round trip, no refresh token, no profile claims in the
 * ID token), the lab's setting is copied, so both servers answer the same requests with the same
 * kind of tokens; the difference measured is the lab's own machinery around the library.
 *
 *   node dist/scripts/bench-bare-oidc.js <port>     (serves http://localhost:<port>, 127.0.0.1 only)
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import Provider, { type Configuration } from 'oidc-provider';
import { UserSchema } from '../idp/src/directory/user-schema.js';
import { standardClaims } from '../idp/src/oidc/claims.js';
import { loadIssuerKeys } from '../idp/src/oidc/keys/signing-keys.js';
import { projectRoot } from '../idp/src/shared/paths.js';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error('usage: bench-bare-oidc <port>');
const issuer = `http://localhost:${port}`;

/** The lab's fields (clients/client-schema.ts LAB_CLIENT_FIELDS, `issuer`) are not metadata. */
const LAB_FIELDS = new Set(['issuer', 'first_party', 'require_pkce', 'profile', 'claim_mapping']);
const CLIENT_IDS = new Set(['sample-web', 'sample-jwt', 'sample-service']);
const clients = (JSON.parse(readFileSync(join(projectRoot, 'fixtures', 'oidc', 'clients.json'), 'utf8')) as Array<Record<string, unknown>>)
  .filter((c) => CLIENT_IDS.has(String(c['client_id'])))
  .map((c) => Object.fromEntries(Object.entries(c).filter(([k]) => !LAB_FIELDS.has(k))));

const users = new Map(
  (JSON.parse(readFileSync(join(projectRoot, 'fixtures', 'users.json'), 'utf8')) as unknown[]).map((u) => {
    const user = UserSchema.parse(u);
    return [user.username, user];
  }),
);

const configuration: Configuration = {
  clients: clients as unknown as Configuration['clients'],
  jwks: { keys: loadIssuerKeys(join(projectRoot, 'certs'), 'default').map((k) => k.privateJwk) as never },
  cookies: { keys: ['bench-bare-oidc-cookie-key-0123456789'] },
  acrValues: ['pwd'],
  // As the lab: acr and amr in every ID token, the scope claims in it too (Okta / Entra style).
  claims: {
    openid: ['sub', 'acr', 'amr'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username', 'upn'],
    email: ['email', 'email_verified'],
    groups: ['groups', 'roles'],
  },
  conformIdTokenClaims: false,
  scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
  },
  // As the lab: a client with the refresh_token grant gets one (the library would want offline_access).
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  // First-party clients are not asked for consent (stack-notes §3): find or create the grant.
  loadExistingGrant: async (ctx) => {
    const client = ctx.oidc.client!;
    const session = ctx.oidc.session!;
    const grantId = session.grantIdFor(client.clientId);
    const grant = (grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined) ?? new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId! });
    const scope = ctx.oidc.params?.['scope'];
    if (typeof scope === 'string') grant.addOIDCScope(scope);
    await grant.save();
    return grant;
  },
  findAccount: async (_ctx, sub) => {
    const u = users.get(sub);
    if (!u) return undefined;
    return {
      accountId: u.username,
      // The same claims as the lab's (an account's claims are data, not protocol work).
      claims: async () => standardClaims(u) as { sub: string },
    };
  },
  renderError: async (ctx, out) => {
    ctx.type = 'json';
    ctx.body = out;
  },
};

const provider = new Provider(issuer, configuration);
const callback = provider.callback();

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  if (req.method === 'GET' && req.url?.startsWith('/interaction/')) {
    // Headless auto-login (stack-notes §3): the login_hint user, else agent1, at acr `pwd`.
    void (async () => {
      const d = await provider.interactionDetails(req, res);
      if (d.prompt.name !== 'login') throw new Error(`unexpected prompt ${d.prompt.name}`);
      const hint = d.params['login_hint'];
      const accountId = typeof hint === 'string' && users.has(hint) ? hint : 'agent1';
      await provider.interactionFinished(req, res, { login: { accountId, acr: 'pwd', amr: ['pwd'] } }, { mergeWithLastSubmission: false });
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'server_error', error_description: String(e) }));
    });
    return;
  }
  void callback(req, res);
});
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
