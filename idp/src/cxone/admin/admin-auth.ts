import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The tenant administrator: HTTP Basic with `cxone.admin` credentials (the lab's shortcut, like
 * `/idsadmin`). Anything else is 401 with a Basic challenge.
 */
export function requireAdmin(ctx: CxoneContext, req: Request): void {
  const header = req.headers.authorization ?? '';
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0 && same(decoded.slice(0, i), ctx.config.admin.username) && same(decoded.slice(i + 1), ctx.config.admin.password)) return;
  }
  throw new IdpError('ERR_CXONE_ADMIN_UNAUTHORIZED', 'Administrator credentials are required.', { status: 401, details: { challenge: 'Basic realm="CXone Admin"' } });
}
