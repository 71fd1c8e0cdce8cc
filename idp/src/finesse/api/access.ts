import type { FinessePrincipal } from '../authenticate.js';
import type { FinesseContext } from '../context.js';
import { findByLoginId, findByLoginName, findFinesseUser, type FinesseUser } from '../finesse-users.js';
import { finesseError } from './error-handler.js';
import type { Dialog } from './model.js';
import type { FinesseRuntime } from './runtime.js';
import { isSupervisor, supervises } from './teams.js';

/**
 * The user a `/User/<id>` URL names. In UCCE the IdS `user_id` may be the loginName, and Finesse
 * takes only the loginId, except that one `GET /User/<loginName>` works so the client can learn
 * the loginId (reference A.2.1, Client Integration steps 5–6). In UCCX both are interchangeable.
 */
export function resolveUser(ctx: FinesseContext, id: string, opts: { getByName?: boolean } = {}): FinesseUser {
  if (ctx.config.deploymentType === 'UCCX' || opts.getByName) {
    const u = findFinesseUser(ctx.users, id);
    if (u) return u;
  } else {
    const u = findByLoginId(ctx.users, id);
    if (u) return u;
    if (findByLoginName(ctx.users, id)) {
      throw finesseError(
        'ERR_FINESSE_USER_NOT_FOUND',
        `User '${id}' not found: in this deployment the URL must name the user by loginId (GET /finesse/api/User/<loginName> returns it).`,
        id,
      );
    }
  }
  throw finesseError('ERR_FINESSE_USER_NOT_FOUND', `User '${id}' not found.`, id);
}

/**
 * Who may read or act on `target`'s objects: the user themselves, or a supervisor of one of
 * their teams. An agent asking for someone else is "Invalid Authorization User Specified", a
 * supervisor asking outside their teams "Invalid Supervisor" (reference A.2.2, A.2.4).
 */
export function requireSelfOrSupervisor(principal: FinessePrincipal, target: FinesseUser): 'self' | 'supervisor' {
  if (principal.user.username === target.username) return 'self';
  if (isSupervisor(principal.user)) {
    if (supervises(principal.user, target)) return 'supervisor';
    throw finesseError('ERR_FINESSE_INVALID_SUPERVISOR', `${principal.user.username} does not supervise a team of user ${target.finesse.loginId}.`);
  }
  throw wrongUser();
}

/** Only the user themselves (e.g. making a call from their phone). */
export function requireSelf(principal: FinessePrincipal, target: FinesseUser): void {
  if (principal.user.username !== target.username) throw wrongUser();
}

/**
 * Who may read or act on a dialog: an agent on it, or a supervisor of one (reference A.2.5);
 * anyone else gets the same 401s as for a User.
 */
export function requireDialogAccess(rt: FinesseRuntime, principal: FinessePrincipal, d: Dialog): void {
  const agents = d.participants.flatMap((p) => (p.loginId && p.state !== 'DROPPED' ? [rt.user(p.loginId)] : []));
  if (agents.some((u) => u?.username === principal.user.username)) return;
  if (isSupervisor(principal.user)) {
    if (agents.some((u) => u && supervises(principal.user, u))) return;
    throw finesseError('ERR_FINESSE_INVALID_SUPERVISOR', `${principal.user.username} supervises no agent of dialog ${d.id}.`);
  }
  throw wrongUser();
}

function wrongUser() {
  return finesseError('ERR_FINESSE_WRONG_USER', "The user specified in the authentication credentials and the uri don't match.");
}
