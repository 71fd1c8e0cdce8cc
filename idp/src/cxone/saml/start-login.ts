// PLACEHOLDER (issue 6 in progress): replaced by the module's real implementation before landing.
import type { Response } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import type { LoginTransaction } from '../login/transactions.js';
import type { Authenticator, CxoneUser } from '../model.js';

export function startSamlLogin(_ctx: CxoneContext, _res: Response, _tx: LoginTransaction, _user: CxoneUser, _a: Authenticator): void {
  throw new IdpError('ERR_INTERNAL', 'not yet', { status: 501 });
}
