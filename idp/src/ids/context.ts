import type { IdsConfig } from '../config/schema.js';
import type { Pki } from '../pki/load.js';
import type { Clock } from '../shared/clock.js';
import type { ExchangeLog } from '../shared/exchange-log.js';
import type { Logger } from '../shared/log.js';
import type { SingleUseStore } from '../shared/single-use-store.js';
import type { ReplayCache } from '../adfs/inbound/replay-cache.js';
import type { IdsClientStore } from './clients.js';
import type { IdpTrust } from './saml/idp-trust.js';
import type { IdsTokenService, TokenGrant, TokenSettings } from './tokens/token-service.js';

/** An authorize request waiting for the IdP's answer, keyed by the AuthnRequest ID. */
export interface PendingAuthorization {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  /** The request omitted redirect_uri (one registered URL): RFC 6749 §4.1.3, the token request may too. */
  redirectUriOmitted?: boolean;
}

/** A validated sign-in waiting for the `/ids/relay` step, keyed by its `uniqueId`. */
export interface RelayEntry {
  grant: Omit<TokenGrant, 'clientId'>;
  authorization: PendingAuthorization;
}

/** An authorization code waiting to be redeemed. */
export interface CodeEntry {
  grant: TokenGrant;
  redirectUri: string;
  redirectUriOmitted?: boolean;
  /** Set once redeemed: RFC 6749 §4.1.2, a second use revokes what the first one got. */
  refreshToken?: string;
}

/** Everything the Cisco IdS emulation shares between its handlers, the control API and Finesse. */
export interface IdsContext {
  config: IdsConfig;
  /** SAML entity ID and token issuer: the host name (reference A.1.7). */
  entityId: string;
  urls: { base: string; acs: string; acsMetaAlias: string; relay: string; authorize: string; token: string; metadata: string };
  /** The token settings in force (admin-editable within Cisco's ranges). */
  settings: TokenSettings;
  clients: IdsClientStore;
  /** The trusted IdP; replaced by an upload. */
  trust: IdpTrust;
  /** The trust of a fresh lab (the lab's AD FS or the configured metadata file). */
  defaultTrust: () => IdpTrust;
  tokens: IdsTokenService;
  pending: SingleUseStore<PendingAuthorization>;
  relay: SingleUseStore<RelayEntry>;
  codes: SingleUseStore<CodeEntry>;
  replay: ReplayCache;
  pki: Pki;
  clock: Clock;
  /** The console's exchange list (record-exchange.ts). */
  exchanges: ExchangeLog;
  log: Logger;
}
