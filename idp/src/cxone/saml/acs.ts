// PLACEHOLDER (issue 6 in progress): replaced by the module's real implementation before landing.
import type { Request, Response } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';

export function handleSamlAcs(_ctx: CxoneContext, _req: Request, _res: Response): void {
  throw new IdpError('ERR_INTERNAL', 'not yet', { status: 501 });
}
