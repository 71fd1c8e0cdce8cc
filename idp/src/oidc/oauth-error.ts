import type { ServerResponse } from 'node:http';
import { errors } from 'oidc-provider';
import type { Logger } from '../shared/log.js';

/**
 * The one error writer of the service's own routes (interaction pages, request rewrites):
 * OAuth-style JSON (RFC 6749 §5.2), never an HTML stack trace. oidc-provider's errors keep their
 * code; a client error (a body too large, a bad form) is `invalid_request`; anything unexpected
 * is a logged `server_error`.
 */
export function writeOAuthError(res: ServerResponse, err: unknown, log: Logger): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  let status: number;
  let body: { error: string; error_description?: string | undefined };
  if (err instanceof errors.OIDCProviderError) {
    const e = err as errors.OIDCProviderError & { error_description?: string };
    status = e.statusCode;
    body = { error: e.error, error_description: e.error_description };
  } else {
    const s = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
    if (typeof s === 'number' && s >= 400 && s < 500) {
      status = s;
      body = { error: 'invalid_request', error_description: (err as Error).message };
    } else {
      log.error({ svc: 'oidc', event: 'internal_error', err }, 'unexpected error');
      status = 500;
      body = { error: 'server_error', error_description: 'unexpected error; see the lab log' };
    }
  }
  const json = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}
