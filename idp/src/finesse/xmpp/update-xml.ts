import { isoTime, userUri } from '../api/model.js';
import { reasonCodeXml } from '../api/reason-codes-xml.js';
import type { FinesseChange, FinesseRuntime } from '../api/runtime.js';
import { team, teamNamesOf } from '../api/teams.js';
import { leaf, node } from '../api/xml-writer.js';

/** One notification to publish: the pub-sub node and the `<Update>` document (not yet escaped). */
export interface Notification {
  node: string;
  update: string;
  /** Kept for the console and the logs: what the Update says. */
  source: string;
  event: string;
  requestId: string;
}

/**
 * The `<Update>` documents one change becomes (reference A.2.6; Dev Guide "Cisco Finesse
 * Notifications"). Element order follows the real captures: `data, event, requestId, source` for
 * an update and `data, requestId, source, event` with a lower-case `put` for an asynchronous
 * error on a User node (a Dialogs-node error is written like an update, as the Dev Guide shows
 * it). An unsolicited event has an empty `requestId` (`<requestId></requestId>`, the same XML as
 * the captures' `<requestId/>`).
 *   - User: `<data><user>…full User…</user></data>` on the user's node, and a summary `<user>`
 *     on `/finesse/api/Team/<id>/Users` of each of the agent's teams (Dev Guide "Team Notification").
 *   - Dialog POST/DELETE: `<data><dialogs><Dialog>…</Dialog></dialogs></data>`, source the collection;
 *     Dialog PUT: `<data><Dialog>…</Dialog></data>`, source `/finesse/api/Dialog/<id>`.
 */
export function notificationsFor(rt: FinesseRuntime, change: FinesseChange): Notification[] {
  const requestId = change.requestId ?? '';
  const out = (nodeName: string, data: string, source: string, event: string, errorOrder = false): Notification => ({
    node: nodeName,
    source,
    event,
    requestId,
    update: node(
      'Update',
      errorOrder
        ? [node('data', [data]), leaf('requestId', requestId), leaf('source', source), leaf('event', event)]
        : [node('data', [data]), leaf('event', event), leaf('requestId', requestId), leaf('source', source)],
    ),
  });

  switch (change.kind) {
    case 'error':
      // A User-node refusal as captured from a real Finesse; a Dialogs-node one as the Dev Guide's sample.
      return change.node.endsWith('/Dialogs')
        ? [out(change.node, change.xml, change.source, change.event)]
        : [out(change.node, change.xml, change.source, change.event.toLowerCase(), true)];
    case 'dialog':
      return [out(change.node, change.event === 'PUT' ? change.xml : node('dialogs', [change.xml]), change.source, change.event)];
    case 'user': {
      const list = [out(change.node, renameRoot(change.xml, 'User', 'user'), change.source, change.event)];
      const user = rt.user(change.loginId);
      if (user) {
        const summary = teamUserXml(rt, change.loginId);
        for (const name of teamNamesOf(user)) list.push(out(`${team(name).uri}/Users`, summary, change.source, change.event));
      }
      return list;
    }
  }
}

/** The summary User of a team notification: uri, loginId, names, state and its reason. */
function teamUserXml(rt: FinesseRuntime, loginId: string): string {
  const user = rt.user(loginId)!;
  const a = rt.agent(loginId);
  const reason = a.reasonCodeId === -1 ? undefined : rt.reasonCode(a.reasonCodeId);
  return node('user', [
    leaf('uri', userUri(loginId)),
    leaf('loginId', loginId),
    leaf('firstName', user.givenName),
    leaf('lastName', user.surname),
    leaf('extension', a.extension),
    leaf('pendingState', a.pendingState),
    leaf('state', a.state),
    leaf('stateChangeTime', isoTime(a.stateChangeTime)),
    ...(reason ? [reasonCodeXml(reason)] : []),
  ]);
}

/** `<User>…</User>` → `<user>…</user>`: the notification names the User object in lower case. */
function renameRoot(xml: string, from: string, to: string): string {
  if (!xml.startsWith(`<${from}>`) || !xml.endsWith(`</${from}>`)) throw new Error(`expected a <${from}> element`);
  return `<${to}>${xml.slice(from.length + 2, xml.length - from.length - 3)}</${to}>`;
}
