import { resolveFromRoot } from '../../../idp/src/config/load.js';
import { SERVICE_NAMES, type ServiceName } from '../../../idp/src/config/schema.js';
import { cxoneAccessKeyToken, cxoneCodeFlowToken } from '../tokens/cxone-token.js';
import { finesseToken } from '../tokens/finesse-token.js';
import {
  cxoneAccessKey,
  cxoneApplication,
  cxoneUser,
  idsClients,
  labUser,
  oidcClient,
  oidcClientPrivateJwk,
  type FixtureIdsClient,
  type FixtureLabUser,
  type FixtureOidcClient,
} from '../tokens/fixtures.js';
import { idsToken } from '../tokens/ids-token.js';
import type { MintedToken } from '../tokens/minted-token.js';
import { oidcToken, type ClientCredentials } from '../tokens/oidc-token.js';
import type { SignInCredentials } from '../tokens/sign-in-browser.js';
import type { LabTarget } from './lab-target.js';
import { fetchDocument } from './metadata/fetch-document.js';
import { explainNetworkError, networkCode } from './net-errors.js';
import { UsageError } from './usage-error.js';

/** What `idp-harness token` was given. */
export interface TokenArgs {
  target: LabTarget;
  user?: string | undefined;
  password?: string | undefined;
  client?: string | undefined;
  secret?: string | undefined;
  redirectUri?: string | undefined;
  issuer?: string | undefined;
  scope?: string | undefined;
  accessKey?: string | undefined;
  finesseUrl?: string | undefined;
}

/** The CXone applications the fixtures ship for each grant (fixtures/cxone/applications.json). */
const CXONE_CODE_APP = 'cxone-sample-web';
const CXONE_BACKEND_APP = 'cxone-backend';
const OIDC_DEFAULT_CLIENT = 'sample-web';

const fixtures = (a: TokenArgs) => resolveFromRoot(a.target.local.fixturesDir);

function requireUser(a: TokenArgs, why: string): string {
  if (!a.user) throw new UsageError(`--user is required ${why}`);
  return a.user;
}

/** A lab user: from the running lab with --lab (its users may have changed), else the fixtures. */
async function findLabUser(a: TokenArgs, name: string): Promise<FixtureLabUser | undefined> {
  if (a.target.control) {
    const n = name.toLowerCase();
    const users = (await a.target.control.users.list()) as unknown as FixtureLabUser[];
    const found = users.find((u) => u.username.toLowerCase() === n || u.upn?.toLowerCase() === n || u.email?.toLowerCase() === n || u.finesse?.loginId === name);
    if (found) return found;
  }
  return labUser(fixtures(a), name);
}

async function labPassword(a: TokenArgs, name: string): Promise<{ password: string; user: FixtureLabUser | undefined }> {
  const user = await findLabUser(a, name);
  const password = a.password ?? user?.password;
  if (password === undefined) throw new UsageError(`no user '${name}' in the lab's users: pass --password`);
  return { password, user };
}

/** Runs a request against a service, turning "nothing answers" and "untrusted" into one line. */
async function against<T>(what: string, url: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (networkCode(e) !== undefined) throw explainNetworkError(e, what, url);
    throw e;
  }
}

export async function mintFinesse(a: TokenArgs): Promise<MintedToken> {
  const user = requireUser(a, "(the agent's loginName or loginId)");
  const finesseUrl = a.finesseUrl ?? a.target.url('finesse');
  const { password, user: record } = await labPassword(a, user);
  // `--user 1001` (a loginId) is a fine cc_username, but the IdP's form wants the account name.
  const signInName = record && record.username.toLowerCase() !== user.toLowerCase() ? record.username : undefined;
  return against('Finesse', finesseUrl, () => finesseToken({ finesseUrl, username: user, password, signInName, ca: a.target.ca }));
}

export async function mintIds(a: TokenArgs): Promise<MintedToken> {
  const user = requireUser(a, '(who signs in at the IdP IdS trusts)');
  const idsUrl = a.target.url('ids');
  const client = await findIdsClient(a);
  const redirects = client.redirectUrls.map((u) => resolvePlaceholders(u, a.target)).filter((u): u is string => u !== undefined);
  const redirectUri = a.redirectUri ?? redirects[0];
  if (redirectUri === undefined) throw new UsageError(`IdS client ${client.clientId} has no usable redirect URL: pass --redirect-uri`);
  const { password, user: record } = await labPassword(a, user);
  return against('Cisco IdS', idsUrl, () => idsToken({ idsUrl, clientId: client.clientId, redirectUri, username: record?.username ?? user, password, ca: a.target.ca }));
}

/** `--client` (id or name), else the first IdS client that is not Finesse's own; the lab's with --lab. */
async function findIdsClient(a: TokenArgs): Promise<FixtureIdsClient> {
  const list = a.target.control
    ? (JSON.parse((await fetchDocument('the control API', `${a.target.control.consoleUrl}/api/ids/clients`, a.target.ca, { accept: 'application/json' })).body) as FixtureIdsClient[])
    : idsClients(fixtures(a));
  const finesseId = a.target.config.finesse.idsClientId;
  const wanted = a.client?.toLowerCase();
  const found = wanted === undefined ? list.find((c) => c.clientId !== finesseId) : list.find((c) => c.clientId === a.client || c.name.toLowerCase() === wanted);
  if (!found) throw new UsageError(wanted === undefined ? 'no IdS client besides Finesse: pass --client' : `no IdS client '${a.client}'`);
  return found;
}

/** `${adfs}`-style placeholders of fixture files, with this lab's URLs; undefined when one is unknown. */
function resolvePlaceholders(url: string, target: LabTarget): string | undefined {
  let ok = true;
  const out = url.replace(/\$\{([a-z]+)\}/g, (_, name: string) => {
    if (!(SERVICE_NAMES as readonly string[]).includes(name)) return ((ok = false), '');
    try {
      return target.url(name as ServiceName);
    } catch {
      ok = false;
      return '';
    }
  });
  return ok ? out : undefined;
}

export async function mintOidc(a: TokenArgs): Promise<MintedToken> {
  const clientId = a.client ?? OIDC_DEFAULT_CLIENT;
  const client = await findOidcClient(a, clientId);
  // A client without an `issuer` belongs to the default one (fixtures/oidc/clients.json).
  const clientIssuer = client.issuer ?? 'default';
  const issuerId = a.issuer ?? clientIssuer;
  const issuerCfg = a.target.config.oidc.issuers.find((i) => i.id === issuerId);
  if (!issuerCfg) throw new UsageError(`--issuer ${issuerId}: the lab's issuers are ${a.target.config.oidc.issuers.map((i) => i.id).join(', ')}`);
  if (clientIssuer !== issuerId) throw new UsageError(`client ${clientId} belongs to issuer '${clientIssuer}', not '${issuerId}'`);
  const issuer = a.target.url('oidc') + (issuerCfg.path === '/' ? '' : issuerCfg.path);
  const grants = client.grant_types ?? ['authorization_code'];
  const code = grants.includes('authorization_code') && (a.user !== undefined || !grants.includes('client_credentials'));
  if (!code && !grants.includes('client_credentials')) throw new UsageError(`client ${clientId} has neither the authorization_code nor the client_credentials grant`);
  const credentials = oidcCredentials(a, client);
  let signIn: SignInCredentials | undefined;
  if (code) {
    const user = requireUser(a, `for the code flow of ${clientId} (or choose a client_credentials client, e.g. --client sample-service)`);
    const { password } = await labPassword(a, user);
    signIn = { idp: { username: user, password } };
  }
  return against('the OpenID provider', issuer, () =>
    oidcToken({
      issuer,
      clientId,
      client: credentials,
      grant: code ? 'code' : 'client_credentials',
      redirectUri: a.redirectUri ?? client.redirect_uris?.[0],
      signIn,
      scope: a.scope ?? (code ? 'openid' : undefined),
      ca: a.target.ca,
    }),
  );
}

/** The client as the running lab has it (with --lab), else as the fixtures do. */
async function findOidcClient(a: TokenArgs, clientId: string): Promise<FixtureOidcClient> {
  if (a.target.control) {
    try {
      return (await a.target.control.oidcClients.get(clientId)) as unknown as FixtureOidcClient;
    } catch (e) {
      if ((e as { status?: number }).status !== 404) throw e;
    }
  }
  const c = oidcClient(fixtures(a), clientId);
  if (!c) throw new UsageError(`no OIDC client '${clientId}' in the lab's clients`);
  return c;
}

function oidcCredentials(a: TokenArgs, c: FixtureOidcClient): ClientCredentials {
  const method = c.token_endpoint_auth_method ?? 'client_secret_basic';
  switch (method) {
    case 'none':
      return { method: 'none' };
    case 'private_key_jwt': {
      const jwk = oidcClientPrivateJwk(fixtures(a), c.client_id);
      if (!jwk) throw new UsageError(`client ${c.client_id} uses private_key_jwt and there is no fixtures/oidc/keys/${c.client_id}.private.jwk.json`);
      return { method, privateJwk: jwk };
    }
    case 'client_secret_basic':
    case 'client_secret_post':
    case 'client_secret_jwt': {
      const secret = a.secret ?? c.client_secret;
      if (!secret) throw new UsageError(`client ${c.client_id} needs its secret: pass --secret`);
      return { method, secret };
    }
    default:
      throw new UsageError(`client ${c.client_id}: token_endpoint_auth_method ${method} is not supported here`);
  }
}

export async function mintCxone(a: TokenArgs): Promise<MintedToken> {
  const cxoneUrl = a.target.url('cxone');
  const dir = fixtures(a);
  const user = a.user === undefined ? undefined : cxoneUser(dir, a.user);
  // A user whose only credential is an access key (an integration user): the password grant.
  const keyId = a.accessKey ?? (user && user.password === undefined && a.password === undefined ? user.accessKeys?.[0]?.accessKeyId : undefined);
  if (keyId !== undefined) {
    const secret = a.password ?? cxoneAccessKey(dir, keyId)?.accessKeySecret;
    if (secret === undefined) throw new UsageError(`no secret for access key ${keyId}: pass it as --password`);
    const app = appWithSecret(a, a.client ?? CXONE_BACKEND_APP);
    return against('CXone', cxoneUrl, () =>
      cxoneAccessKeyToken({ cxoneUrl, clientId: app.clientId, clientSecret: app.secret!, accessKeyId: keyId, accessKeySecret: secret, scope: a.scope, ca: a.target.ca }),
    );
  }
  const name = requireUser(a, '(a CXone user name), or --access-key');
  const app = appWithSecret(a, a.client ?? CXONE_CODE_APP);
  const redirectUri = a.redirectUri ?? cxoneApplication(dir, app.clientId)?.redirectUris?.[0];
  if (redirectUri === undefined) throw new UsageError(`application ${app.clientId} has no redirect URI: pass --redirect-uri`);
  // The password the sign-in asks for: CXone's own (System), or the IdP's for a federated user.
  const idpUser = await findLabUser(a, user?.email ?? name);
  const cxonePassword = a.password ?? user?.password;
  const idpPassword = a.password ?? idpUser?.password;
  return against('CXone', cxoneUrl, () =>
    cxoneCodeFlowToken({
      cxoneUrl,
      clientId: app.clientId,
      clientSecret: app.secret,
      redirectUri,
      signIn: {
        cxone: { username: name, ...(cxonePassword === undefined ? {} : { password: cxonePassword }) },
        ...(idpPassword === undefined ? {} : { idp: { username: user?.email ?? name, password: idpPassword } }),
      },
      scope: a.scope,
      ca: a.target.ca,
    }),
  );
}

/** A CXone application and its secret (none for a public one). */
function appWithSecret(a: TokenArgs, clientId: string): { clientId: string; secret: string | undefined } {
  const app = cxoneApplication(fixtures(a), clientId);
  const secret = a.secret ?? app?.clientSecret;
  if (!app && a.secret === undefined) throw new UsageError(`no CXone application '${clientId}' in the fixtures: pass --secret (or --client)`);
  if (app?.type !== 'public' && secret === undefined) throw new UsageError(`application ${clientId} needs its secret: pass --secret`);
  return { clientId, secret: app?.type === 'public' ? undefined : secret };
}
