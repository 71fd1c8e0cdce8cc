import * as oidc from 'openid-client';
import { fetchWithCa } from '../../tokens/fetch-with-ca.js';
import { authorize, type AuthorizeResult } from '../../clients/oidc-browser.js';
import { UserAgent } from '../../clients/user-agent.js';
import { expectThat, ScenarioFailure, type ScenarioContext } from '../scenario.js';

/**
 * openid-client 6 (an RP independent of the lab) wired to the target lab: the issuer URL from the
 * lab's configuration, the lab CA for TLS (or plain HTTP allowed for a plain lab), and the code
 * flow's browser half driven by the scripted UserAgent (harness/src/clients/oidc-browser.ts).
 */

/** The issuer URL of `oidc.issuers[id]`: the oidc service's URL plus the issuer's path. */
export function issuerUrl(ctx: ScenarioContext, issuerId = 'default'): string {
  const base = ctx.target.urls.oidc;
  expectThat(base, 'the oidc service is not running');
  const issuer = ctx.target.config.oidc.issuers.find((i) => i.id === issuerId);
  expectThat(issuer, `the lab has no OIDC issuer '${issuerId}'`);
  return issuer.path === '/' ? base : `${base}${issuer.path}`;
}

/**
 * Discovery (OIDC Discovery §4) as `clientId` with its authentication method. The RP is strict:
 * OIDC Core §3.1.3.7 lets a client skip the signature of an ID token it got from the token
 * endpoint over TLS, and openid-client does unless non-repudiation checks are on — they are, so
 * the ID token is verified against the issuer's JWKS like any other.
 */
export async function discoverAs(ctx: ScenarioContext, clientId: string, auth: oidc.ClientAuth, opts: { issuerId?: string; metadata?: Partial<oidc.ClientMetadata> } = {}): Promise<oidc.Configuration> {
  const issuer = new URL(issuerUrl(ctx, opts.issuerId));
  const transport: oidc.DiscoveryRequestOptions =
    issuer.protocol === 'http:'
      ? { execute: [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks] }
      : { execute: [oidc.enableNonRepudiationChecks], ...(ctx.target.ca === undefined ? {} : { [oidc.customFetch]: fetchWithCa(ctx.target.ca) }) };
  return oidc.discovery(issuer, clientId, opts.metadata ?? {}, auth, transport);
}

export interface CodeFlow {
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  auth: AuthorizeResult;
  ua: UserAgent;
}

export interface Browse {
  ua: UserAgent;
  auth: AuthorizeResult;
  /** Redeems the code with PKCE, checking state and nonce (openid-client). */
  redeem(): Promise<CodeFlow['tokens']>;
}

/**
 * The browser half of the authorization code flow with PKCE S256 (RFC 7636 §4), state and nonce:
 * the lab's sign-in page answered as `user`, stopped at the redirect URI.
 */
export async function browse(ctx: ScenarioContext, cfg: oidc.Configuration, o: { redirectUri: string; user: { username: string; password: string }; scope?: string; ua?: UserAgent }): Promise<Browse> {
  const ua = o.ua ?? new UserAgent(ctx.target.ca === undefined ? {} : { ca: ctx.target.ca });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(cfg, {
    redirect_uri: o.redirectUri,
    scope: o.scope ?? 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const auth = await authorize(ua, url, o.redirectUri, { username: o.user.username, password: o.user.password });
  if (auth.params['error']) throw new ScenarioFailure(`the authorization request was refused: ${auth.params['error']} ${auth.params['error_description'] ?? ''}`);
  return {
    ua,
    auth,
    redeem: () => oidc.authorizationCodeGrant(cfg, auth.formPost ?? auth.callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }),
  };
}

/** The whole code flow: browse, then redeem. */
export async function codeFlow(ctx: ScenarioContext, cfg: oidc.Configuration, o: Parameters<typeof browse>[2]): Promise<CodeFlow> {
  const b = await browse(ctx, cfg, o);
  return { tokens: await b.redeem(), auth: b.auth, ua: b.ua };
}

/** The OAuth error code of a call that must fail (RFC 6749 §5.2 `error`), or the client's own code. */
export async function refusalOf(call: Promise<unknown>): Promise<{ error: string; code: string; message: string }> {
  try {
    await call;
  } catch (e) {
    if (e instanceof oidc.ResponseBodyError) return { error: e.error, code: e.code, message: e.error_description ?? e.message };
    if (e instanceof oidc.ClientError) return { error: '', code: e.code ?? '', message: `${e.message}${e.cause instanceof Error ? `: ${e.cause.message}` : ''}` };
    throw e;
  }
  throw new ScenarioFailure('openid-client accepted it');
}

/** The fields of a lab client (fixtures/oidc/clients.json) a scenario relies on. */
export interface LabClient {
  client_id: string;
  client_secret: string | undefined;
  token_endpoint_auth_method: string;
  redirect_uris: string[];
  grant_types: string[];
}

/**
 * A client as the running lab knows it, through the control API (secret included: the lab is a
 * test tool). The client record is open-ended (oidc-provider metadata), so its fields are checked.
 */
export async function labClient(ctx: ScenarioContext, clientId: string): Promise<LabClient> {
  const c = (await ctx.target.control.oidcClients.get(clientId)) as Record<string, unknown>;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const client: LabClient = {
    client_id: String(c['client_id']),
    client_secret: typeof c['client_secret'] === 'string' ? c['client_secret'] : undefined,
    token_endpoint_auth_method: typeof c['token_endpoint_auth_method'] === 'string' ? c['token_endpoint_auth_method'] : 'client_secret_basic',
    redirect_uris: strings(c['redirect_uris']),
    grant_types: strings(c['grant_types']),
  };
  expectThat(client.redirect_uris.length > 0, `${clientId} has no redirect URI`);
  return client;
}
