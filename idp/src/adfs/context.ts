import type { AdfsConfig } from '../config/schema.js';
import type { UserDirectory } from '../directory/users.js';
import type { Clock } from '../shared/clock.js';
import type { ExchangeLog } from '../shared/exchange-log.js';
import type { LabSsoStore } from '../shared/lab-sso.js';
import type { FaultQueue } from '../shared/faults.js';
import type { Logger } from '../shared/log.js';
import type { SigningKey } from '../shared/xml/sign.js';
import type { Pki } from '../pki/load.js';
import type { ReplayCache } from './inbound/replay-cache.js';
import type { PendingSignIns } from './pending.js';
import type { RelyingPartyStore } from './relying-parties.js';
import type { SessionStore } from './sessions.js';

/** Everything the AD FS emulation's handlers share; built once per lab start. */
export interface AdfsContext {
  config: AdfsConfig;
  /** The Federation Service identifier (Issuer of every message, metadata entityID). */
  identifier: string;
  urls: {
    /** Public base URL, no trailing slash. */
    base: string;
    /** `<base>/adfs/ls/`: SSO and SLO, every binding (reference §1.1). */
    ls: string;
    metadata: string;
    idpInitiated: string;
  };
  /** Whether the service runs over TLS (cookies get Secure + SameSite=None). */
  tls: boolean;
  signingKey: SigningKey;
  /** A key that is not AD FS's, for the `unknown-signing-key` fault: another system's key. */
  foreignSigningKey: SigningKey;
  pki: Pki;
  users: UserDirectory;
  relyingParties: RelyingPartyStore;
  sessions: SessionStore;
  /** The lab-wide SSO shared with the OpenID Providers (shared/lab-sso.ts). */
  labSso: LabSsoStore;
  pending: PendingSignIns;
  replay: ReplayCache;
  faults: FaultQueue;
  /** The last response sent to each relying party (by name), for the `replay` fault. */
  lastResponses: Map<string, string>;
  clock: Clock;
  /** Where the decoded messages go for the console (record-exchange.ts). */
  exchanges: ExchangeLog;
  log: Logger;
}
