import type { CxoneConfig } from '../config/schema.js';
import type { Pki } from '../pki/load.js';
import type { Clock } from '../shared/clock.js';
import type { ExchangeLog } from '../shared/exchange-log.js';
import type { Logger } from '../shared/log.js';
import type { SingleUseStore } from '../shared/single-use-store.js';
import type { ReplayCache } from '../adfs/inbound/replay-cache.js';
import type { DiscoveredEndpoints } from './admin/authenticator-input.js';
import type { LoginTransactions } from './login/transactions.js';
import type { SessionStore } from './login/sessions.js';
import type { CxoneUser } from './model.js';
import type { OpState } from './op/op-state.js';
import type { CxoneStore } from './store/cxone-store.js';

/** An AuthnRequest CXone sent to a SAML authenticator's IdP, keyed by its ID. */
export interface PendingSamlRequest {
  authenticatorId: string;
  transactionId: string;
  /** The user who typed the username (SP-initiated): the asserted identity must be theirs. */
  userId: string;
}

/** An OIDC authorization request CXone sent to an external IdP, keyed by `state`. */
export interface PendingOidcRequest {
  authenticatorId: string;
  transactionId: string;
  userId: string;
  nonce: string;
  codeVerifier: string;
  acrValues: string[];
}

/** Everything the CXone emulation's handlers, admin API and the lab's console share. */
export interface CxoneContext {
  config: CxoneConfig;
  tenant: CxoneConfig['tenant'];
  urls: {
    base: string;
    login: string;
    home: string;
    authorize: string;
    token: string;
    userinfo: string;
    jwks: string;
    endSession: string;
    discovery: string;
    api: string;
    admin: string;
  };
  store: CxoneStore;
  sessions: SessionStore;
  logins: LoginTransactions;
  samlRequests: SingleUseStore<PendingSamlRequest>;
  samlReplay: ReplayCache;
  oidcRequests: SingleUseStore<PendingOidcRequest>;
  op: OpState;
  /** Fetches and reads an OpenID Provider's discovery document ("Discover settings"). */
  discover(url: string): Promise<DiscoveredEndpoints>;
  /** Trust anchors for outbound HTTPS (system roots plus the lab CA). */
  outboundCa: string[];
  pki: Pki;
  clock: Clock;
  /** The console's exchange list (record-exchange.ts). */
  exchanges: ExchangeLog;
  log: Logger;
}

/** The user's data that a password may not contain (seed 002 step 7). */
export function personalDataOf(ctx: CxoneContext, u: Pick<CxoneUser, 'email' | 'username' | 'firstName' | 'lastName'>) {
  return { email: u.email, username: u.username, firstName: u.firstName, lastName: u.lastName, systemName: ctx.tenant.systemName };
}
