import type { NextFunction, Request, Response } from 'express';

/**
 * Front-end (public) applications call discovery, jwks, token and userinfo from the browser, so
 * those answer any origin (no cookies: `Access-Control-Allow-Credentials` is never set, and the
 * token endpoint authenticates by PKCE or a secret, not by the browser's session).
 */
export function openCors(req: Request, res: Response, next: NextFunction): void {
  res.set('Access-Control-Allow-Origin', '*');
  if (req.method === 'OPTIONS') {
    res.set('Access-Control-Allow-Methods', 'GET, POST');
    res.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.set('Access-Control-Max-Age', '600');
    res.status(204).end();
    return;
  }
  next();
}
