import Provider, { errors } from 'oidc-provider';
import type { OidcIssuerConfig } from '../config/schema.js';
import { IdpError } from '../shared/errors.js';
import { IssuerStore } from './adapter.js';
import { FICAM_DEFAULT_ACR_VALUES } from './assurance.js';
import { SCOPE_CLAIMS } from './claims.js';
import { providerMetadata, type OidcClient } from './clients/client-schema.js';
import { findClient } from './clients/client-store.js';
import type { IssuerRuntime, OidcDeps } from './context.js';
import { afterResponse, idTokenFaults, jsonNotFound, userinfoClaimsFault } from './koa-middleware.js';
import type { SigningKey } from './keys/signing-keys.js';
import { isFicam } from './profile/ficam.js';
import { ficamErrorDescriptions } from './profile/ficam-error-descriptions.js';
import { providerConfiguration } from './provider-config.js';
import { recordTokenExchanges } from './record-exchange.js';

export type RuntimeWithHandler = IssuerRuntime & {
  /** The current Provider's Node request handler (rebuilt with it). */
  handler: ReturnType<Provider['callback']>;
};

/** The issuer identifier: the service's public URL plus the issuer's path. */
export function issuerUrl(publicUrl: string, path: string): string {
  return path === '/' ? publicUrl : `${publicUrl}${path}`;
}

const metadataCache = new WeakMap<OidcClient, Record<string, unknown>>();

/**
 * What oidc-provider sees of a lab client: FICAM clients always ask for an acr (iGov OIDC §3.1).
 * Built once per stored client (a write to the store makes a new object): client lookups are on
 * every token request.
 */
export function clientMetadataFor(issuer: OidcIssuerConfig, c: OidcClient): Record<string, unknown> {
  const cached = metadataCache.get(c);
  if (cached) return cached;
  const m = buildClientMetadata(issuer, c);
  metadataCache.set(c, m);
  return m;
}

function buildClientMetadata(issuer: OidcIssuerConfig, c: OidcClient): Record<string, unknown> {
  const m = providerMetadata(c);
  if (isFicam(issuer, c) && m['default_acr_values'] === undefined) m['default_acr_values'] = [...FICAM_DEFAULT_ACR_VALUES];
  return m;
}

/** Claim names beyond the standard scopes that users and clients use (`claims_supported`). */
export function extraClaimNames(deps: OidcDeps): string[] {
  const standard = new Set(Object.values(SCOPE_CLAIMS).flat());
  const names = new Set<string>();
  for (const u of deps.users.list()) for (const n of Object.keys(u.oidcClaims)) names.add(n);
  for (const c of deps.clients.list()) for (const n of Object.keys(c.claim_mapping ?? {})) names.add(n);
  return [...names].filter((n) => !standard.has(n)).sort();
}

export function createIssuerRuntime(deps: OidcDeps, config: OidcIssuerConfig, keys: SigningKey[], onRegistered: () => void): RuntimeWithHandler {
  const prefix = config.path === '/' ? '' : config.path;
  const store = new IssuerStore(
    (id) => {
      if (!rt.registered.has(id)) return undefined;
      const c = findClient(deps.clients, id);
      return c && c.issuer === config.id ? (clientMetadataFor(config, c) as never) : undefined;
    },
    {
      // Dynamic client registration (RFC 7591) writes into the lab's client store: the client is
      // then listed by the control API like any other. Registered clients are third-party: a client
      // cannot make itself trusted (only the control API can mark it first-party).
      upsert(id, metadata) {
        const record = { ...metadata, first_party: false, client_id: id, issuer: config.id };
        rt.registered.add(id);
        if (findClient(deps.clients, id)) deps.clients.replace(id, record);
        else deps.clients.add(record);
        onRegistered();
      },
      destroy(id) {
        if (findClient(deps.clients, id)) deps.clients.remove(id);
        rt.registered.delete(id);
      },
    },
  );
  const rt = { config, issuer: issuerUrl(deps.publicUrl, config.path), prefix, keys, store, registered: new Set<string>() } as RuntimeWithHandler;
  buildProvider(deps, rt);
  return rt;
}

/** (Re)builds the issuer's Provider on its store: after key rotation, client changes or new claim names. */
export function buildProvider(deps: OidcDeps, rt: RuntimeWithHandler): void {
  const extra = extraClaimNames(deps);
  // Static clients: oidc-provider finds them in a Map, where a client from the adapter costs a
  // JSON serialization and a SHA-256 of its metadata on every request. The Provider is rebuilt
  // (about a millisecond) whenever the client store changes.
  const clients = deps.clients
    .list()
    .filter((c) => c.issuer === rt.config.id && !rt.registered.has(c.client_id))
    .map((c) => clientMetadataFor(rt.config, c));
  const provider = new Provider(rt.issuer, {
    ...providerConfiguration({ deps, issuer: rt.config, prefix: rt.prefix, keys: rt.keys, store: rt.store, extraClaimNames: extra }),
    clients: clients as never,
  });
  // The public URL is the truth: urls in discovery and redirects derive from the forwarded
  // headers the service pins to it (create-oidc.ts), whatever Host the request came with.
  provider.proxy = true;
  provider.use(afterResponse(ficamErrorDescriptions(rt.config), userinfoClaimsFault(deps, rt), idTokenFaults(deps, rt), jsonNotFound(), recordTokenExchanges(deps, rt)));
  // Emitted whether the user confirmed or declined ("No, stay signed in": only the client's grant
  // ends); the lab-wide SSO session ends only with a confirmed logout (`logout=yes`).
  provider.on('end_session.success', (ctx) => {
    if ((ctx.oidc.params as { logout?: unknown } | undefined)?.logout) deps.labSso.signOut(ctx.req, ctx.res, deps.tls);
  });
  provider.on('server_error', (_ctx, err) => deps.log.error({ svc: 'oidc', event: 'server_error', issuer: rt.config.id, err }, 'oidc-provider server error'));
  rt.provider = provider;
  rt.handler = provider.callback();
  rt.claimNames = new Set([...Object.values(SCOPE_CLAIMS).flat(), ...extra]);
}

/**
 * Checks a client against its issuer as oidc-provider will (its metadata validation, then the
 * FICAM rules), so that a bad fixture or control-API write fails at once, with the library's
 * `invalid_client_metadata` description.
 */
export function validateClient(rt: IssuerRuntime | undefined, c: OidcClient, issuers: readonly string[]): OidcClient {
  if (!rt) {
    throw new IdpError('ERR_CONTROL_INVALID', `client '${c.client_id}': unknown issuer '${c.issuer}' (known: ${issuers.join(', ')})`, {
      details: { issues: [{ path: 'issuer', message: `unknown issuer '${c.issuer}'` }] },
    });
  }
  try {
    // (the typings omit the constructor's metadata argument)
    new (rt.provider.Client as unknown as new (metadata: unknown) => unknown)(structuredClone(clientMetadataFor(rt.config, c)));
  } catch (e) {
    if (e instanceof errors.OIDCProviderError) {
      const description = (e as { error_description?: string }).error_description ?? e.message;
      throw new IdpError('ERR_CONTROL_INVALID', `client '${c.client_id}': ${e.message}: ${description}`, {
        details: { error: e.message, error_description: description, issues: [{ path: '', message: description }] },
      });
    }
    throw e;
  }
  return c;
}
