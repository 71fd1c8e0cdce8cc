import { FinesseNotificationClient } from '../../clients/finesse/notification-client.js';
import { parseUser, type FinesseUser } from '../../clients/finesse/rest-client.js';
import type { ScenarioContext } from '../scenario.js';
import { finesseUrl } from './finesse-clients.js';

/** How long a scenario waits for one notification: the lab publishes within milliseconds. */
export const NOTIFICATION_WAIT_MS = 10_000;

/**
 * The agent's notification channel (XMPP over WebSocket, RFC 7395) with the SSO access token as
 * the SASL password (reference A.2.6), as a desktop connects before it signs in to a phone.
 */
export function connectNotifications(ctx: ScenarioContext, loginId: string, token: string): Promise<FinesseNotificationClient> {
  return FinesseNotificationClient.connect({
    finesseUrl: finesseUrl(ctx),
    transport: 'websocket',
    loginId,
    password: token,
    timeoutMs: NOTIFICATION_WAIT_MS,
    ...(ctx.target.ca === undefined ? {} : { ca: ctx.target.ca }),
  });
}

/** The User notification a REST request caused (its requestId echoed, reference A.2.4). */
export async function userNotified(n: FinesseNotificationClient, loginId: string, requestId: string): Promise<FinesseUser> {
  const u = await n.waitForRequest(requestId, { kind: 'user', node: `/finesse/api/User/${loginId}` });
  return parseUser(u.data);
}
