import type Provider from 'oidc-provider';
import type { OidcConfig, OidcIssuerConfig } from '../config/schema.js';
import type { UserDirectory } from '../directory/users.js';
import type { Clock } from '../shared/clock.js';
import type { ExchangeLog } from '../shared/exchange-log.js';
import type { FaultQueue } from '../shared/faults.js';
import type { LabSsoStore } from '../shared/lab-sso.js';
import type { Logger } from '../shared/log.js';
import type { IssuerStore } from './adapter.js';
import type { OidcClientStore } from './clients/client-store.js';
import type { SigningKey } from './keys/signing-keys.js';

/** What the OpenID Providers share with the rest of the lab. */
export interface OidcDeps {
  config: OidcConfig;
  /** The service's public URL (no trailing slash); issuers add their path. */
  publicUrl: string;
  tls: boolean;
  certsDir: string;
  users: UserDirectory;
  clients: OidcClientStore;
  faults: FaultQueue;
  clock: Clock;
  labSso: LabSsoStore;
  /** The console's exchange list (record-exchange.ts). */
  exchanges: ExchangeLog;
  log: Logger;
}

/** One issuer at runtime: its Provider is rebuilt (same store) when its keys or claims change. */
export interface IssuerRuntime {
  config: OidcIssuerConfig;
  /** The issuer identifier: public URL + path. */
  issuer: string;
  /** The path prefix of its endpoints on the service ('' for the root issuer). */
  prefix: string;
  /** Signing keys, the active one of each algorithm first. */
  keys: SigningKey[];
  store: IssuerStore;
  provider: Provider;
  /** Claim names the current Provider releases (`claims_supported`). */
  claimNames: ReadonlySet<string>;
  /**
   * Clients that registered themselves (RFC 7591): served through the adapter, so the library
   * can manage them. Every other client of the issuer is a static client of its Provider.
   */
  registered: Set<string>;
}
