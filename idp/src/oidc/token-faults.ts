import type { NextFunction, Request, Response } from 'express';
import type { IssuerRuntime, OidcDeps } from './context.js';
import { decodeCompactJws } from './jws.js';

/** The client a token request is from, as far as it can be told without authenticating it. */
export function claimedClientId(req: Request): string | undefined {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const auth = req.headers.authorization;
  if (auth?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0) {
      const raw = decoded.slice(0, i).replace(/\+/g, ' ');
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw; // malformed %-escapes: oidc-provider will refuse the header itself
      }
    }
  }
  if (typeof body['client_id'] === 'string') return body['client_id'];
  if (typeof body['client_assertion'] === 'string') {
    const iss = decodeCompactJws(body['client_assertion'])?.payload['iss'];
    if (typeof iss === 'string') return iss;
  }
  return undefined;
}

/**
 * The token endpoint's request faults (`invalid-grant`, `server-error`, `slow-token`), taken
 * before oidc-provider sees the request: an injected error does not consume the code or the
 * refresh token, as a transient failure of a real IdP would not.
 */
/** The fault kinds this middleware takes. */
export const TOKEN_FAULTS: ReadonlySet<string> = new Set(['invalid-grant', 'server-error', 'slow-token']);

export function tokenFaults(deps: OidcDeps, rt: () => IssuerRuntime) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const clientId = claimedClientId(req);
    const fault = deps.faults.take(
      'oidc',
      (f) =>
        TOKEN_FAULTS.has(f.kind) &&
        (!f.issuer || f.issuer === rt().config.id) &&
        (!f.clientId || f.clientId === clientId),
    );
    if (!fault) return next();
    deps.log.info({ svc: 'oidc', event: 'fault.applied', kind: fault.kind, issuer: rt().config.id, clientId }, 'token endpoint fault applied');
    res.set('Cache-Control', 'no-store');
    if (fault.kind === 'invalid-grant') {
      res.status(400).json({ error: 'invalid_grant', error_description: 'grant request is invalid (injected fault)' });
      return;
    }
    if (fault.kind === 'server-error') {
      res.status(500).json({ error: 'server_error', error_description: 'the authorization server failed (injected fault)' });
      return;
    }
    const delay = fault.delayMs ?? 3000;
    const timer = setTimeout(next, delay);
    res.once('close', () => clearTimeout(timer));
  };
}
