import type { FinesseConfig } from '../config/schema.js';
import type { UserDirectory } from '../directory/users.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/log.js';
import type { SingleUseStore } from '../shared/single-use-store.js';
import type { IdsContext } from '../ids/context.js';
import type { LockoutTracker } from './lockout.js';
import type { FinesseRuntime } from './api/runtime.js';
import type { NotificationService } from './xmpp/notification-service.js';

/** A `/desktop/sso/token` fetch waiting for IdS's authorization code, keyed by the state sent to IdS. */
export interface SsoRequest {
  ccUsername: string;
  returnRefreshToken: boolean;
  returnUser: boolean;
  /** Binds the callback to the browser that started the fetch (the `finesse_sso` cookie). */
  browser: string;
}

/** What a browser's Finesse SSO session holds after a fetch (read by `/desktop/sso/test`). */
export interface SsoSession {
  userId: string;
  accessToken: string;
}

/** Everything the Finesse emulation shares between its handlers and the control API. */
export interface FinesseContext {
  config: FinesseConfig;
  urls: { base: string; authcode: string };
  /** The XMPP domain SystemInfo reports (default: the host name). */
  xmppDomain: string;
  users: UserDirectory;
  /** The Identity Service Finesse trusts for SSO (in-process); undefined when IdS is not running. */
  ids: IdsContext | undefined;
  ssoRequests: SingleUseStore<SsoRequest>;
  ssoSessions: Map<string, SsoSession>;
  lockout: LockoutTracker;
  /** Agent states, dialogs, reason codes, teams: the REST API's live state. */
  runtime: FinesseRuntime;
  /** The XMPP notification service (WebSocket `/ws`, BOSH `/http-bind`): sessions, pub-sub, presence. */
  notifications: NotificationService;
  clock: Clock;
  log: Logger;
}
