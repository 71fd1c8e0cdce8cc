import type { NextFunction, Request, Response } from 'express';
import type { IssuerRuntime } from './context.js';
import { decodeCompactJws } from './jws.js';

/**
 * oidc-provider drops `offline_access` from a request unless it carries `prompt=consent` (OIDC
 * Core §11 allows that rule, but no mainstream IdP enforces it, and clients written against them
 * break). A code-flow request asking for `offline_access` gets `consent` added to its prompt; the
 * lab's consent step passes first-party clients straight through, so no page is shown. With
 * `prompt=none` nothing is added: none cannot be combined with another value (§3.1.2.1).
 */
export function offlineAccessWithoutConsent(req: Request, _res: Response, next: NextFunction): void {
  const params = req.method === 'POST' ? ((req.body ?? {}) as Record<string, unknown>) : (req.query as Record<string, unknown>);
  const scope = params['scope'];
  const responseType = params['response_type'];
  const prompt = typeof params['prompt'] === 'string' ? params['prompt'].split(' ').filter(Boolean) : [];
  if (
    typeof scope === 'string' &&
    scope.split(' ').includes('offline_access') &&
    typeof responseType === 'string' &&
    responseType.split(' ').includes('code') &&
    !prompt.includes('consent') &&
    !prompt.includes('none') &&
    (params['prompt'] === undefined || typeof params['prompt'] === 'string')
  ) {
    const next_ = [...prompt, 'consent'].join(' ');
    if (req.method === 'POST') (req.body as Record<string, unknown>)['prompt'] = next_;
    else {
      const url = new URL(req.url, 'http://x');
      url.searchParams.set('prompt', next_);
      req.url = `${url.pathname}${url.search}`;
    }
  }
  next();
}

/**
 * RP-initiated logout with a `post_logout_redirect_uri` the client never registered: instead of
 * an error page, the user is signed out and stays on the OP (the confirmation page says why).
 * The URI is removed before oidc-provider sees the request, so it can never be redirected to.
 */
export function dropUnregisteredLogoutRedirect(rt: () => IssuerRuntime) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    try {
      const params = req.method === 'POST' ? ((req.body ?? {}) as Record<string, unknown>) : (req.query as Record<string, unknown>);
      const uri = params['post_logout_redirect_uri'];
      if (typeof uri !== 'string') return next();
      let clientId = typeof params['client_id'] === 'string' ? params['client_id'] : undefined;
      if (!clientId && typeof params['id_token_hint'] === 'string') {
        const aud = decodeCompactJws(params['id_token_hint'])?.payload['aud'];
        clientId = typeof aud === 'string' ? aud : Array.isArray(aud) && typeof aud[0] === 'string' ? aud[0] : undefined;
      }
      // Without a client the library itself refuses the redirect (it needs one to check it).
      if (!clientId) return next();
      const client = await rt().provider.Client.find(clientId);
      if (!client || client.postLogoutRedirectUriAllowed(uri)) return next();
      (req as Request & { droppedPostLogoutRedirect?: string }).droppedPostLogoutRedirect = uri;
      if (req.method === 'POST') {
        delete (req.body as Record<string, unknown>)['post_logout_redirect_uri'];
        delete (req.body as Record<string, unknown>)['state'];
      } else {
        const url = new URL(req.url, 'http://x');
        url.searchParams.delete('post_logout_redirect_uri');
        url.searchParams.delete('state');
        req.url = `${url.pathname}${url.search}`;
      }
      next();
    } catch (e) {
      next(e);
    }
  };
}
