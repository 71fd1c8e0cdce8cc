import type { FinesseUser } from '../finesse-users.js';
import { isoTime, userUri } from './model.js';
import { reasonCodeXml } from './reason-codes-xml.js';
import type { FinesseRuntime } from './runtime.js';
import { isSupervisor, primaryTeam, supervisedTeams } from './teams.js';
import { leaf, node } from './xml-writer.js';

/**
 * The `<User>` object (reference A.2.4), elements in the order of Cisco's examples. `teams` lists
 * the teams a supervisor may monitor and is empty for an agent; `ReasonCode` follows
 * `reasonCodeId` when one is set; `mediaType` is the voice media id.
 */
export function userXml(rt: FinesseRuntime, user: FinesseUser): string {
  const loginId = user.finesse.loginId;
  const a = rt.agent(loginId);
  const team = primaryTeam(user);
  const reason = a.reasonCodeId === -1 ? undefined : rt.reasonCode(a.reasonCodeId);
  return node('User', [
    leaf('dialogs', `${userUri(loginId)}/Dialogs`),
    leaf('extension', a.extension),
    leaf('firstName', user.givenName),
    leaf('lastName', user.surname),
    leaf('loginId', loginId),
    leaf('loginName', user.username),
    leaf('mediaType', 1),
    leaf('pendingState', a.pendingState),
    leaf('reasonCodeId', a.reasonCodeId),
    ...(reason ? [reasonCodeXml(reason)] : []),
    node('roles', [leaf('role', 'Agent'), ...(isSupervisor(user) ? [leaf('role', 'Supervisor')] : [])]),
    node('settings', [leaf('wrapUpOnIncoming', 'OPTIONAL')]),
    leaf('state', a.state),
    leaf('stateChangeTime', isoTime(a.stateChangeTime)),
    leaf('teamId', team?.id),
    leaf('teamName', team?.name),
    node(
      'teams',
      supervisedTeams(user).map((t) => node('Team', [leaf('id', t.id), leaf('name', t.name), leaf('uri', t.uri)])),
    ),
    leaf('uri', userUri(loginId)),
  ]);
}
