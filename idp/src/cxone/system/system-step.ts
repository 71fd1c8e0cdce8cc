import type { Request } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import type { LoginStep, LoginTransaction } from '../login/transactions.js';
import type { Authenticator, CxoneUser, SystemSettings } from '../model.js';

/** A system sign-in at one of its steps: the transaction, its user and their System authenticator. */
export interface SystemStep {
  tx: LoginTransaction;
  user: CxoneUser;
  authenticator: Authenticator;
  settings: SystemSettings;
}

/** A string form field, or '' (absent, repeated or not a string: never a crash). */
export function field(req: Request, name: string): string {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

/**
 * The system sign-in the posted `tx` names, checked to be at one of `steps`. The user and the
 * authenticator are read again on every step: an admin may have deactivated either, or moved the
 * user to another authenticator, since the previous page.
 */
export function systemStep(ctx: CxoneContext, req: Request, ...steps: LoginStep[]): SystemStep {
  const tx = ctx.logins.at(field(req, 'tx'), ...steps);
  const user = tx.userId === undefined ? undefined : ctx.store.users.get(tx.userId);
  if (!user) throw new IdpError('ERR_CXONE_LOGIN_TRANSACTION', 'This sign-in has no user any more. Start again.', { debug: `tx ${tx.id} user ${tx.userId}` });
  if (!user.active) throw new IdpError('ERR_CXONE_LOGIN_USER_INACTIVE', 'This user is not active. Ask your administrator to activate it.', { status: 403 });
  const authenticator = ctx.store.authenticators.get(user.loginAuthenticatorId);
  if (!authenticator?.active) throw new IdpError('ERR_CXONE_AUTHENTICATOR_INACTIVE', "The user's login authenticator is not active.", { status: 403 });
  if (authenticator.type !== 'System' || !authenticator.system) {
    throw new IdpError('ERR_CXONE_LOGIN_TRANSACTION', "The user's login authenticator changed during the sign-in. Start again.", { debug: `now ${authenticator.type}` });
  }
  // Later steps may not be reached without the password (a forged step in a live transaction).
  if (tx.step !== 'password' && !tx.passwordVerified) throw new IdpError('ERR_CXONE_LOGIN_TRANSACTION', 'This sign-in step is out of order. Start again.');
  return { tx, user, authenticator, settings: authenticator.system };
}
