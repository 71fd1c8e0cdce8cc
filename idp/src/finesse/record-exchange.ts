import type { Request } from 'express';
import { parse as parseCookies } from 'cookie';
import type { HttpSeen } from '../http/record-http-exchange.js';
import type { ExchangeInput } from '../shared/exchange-log.js';
import type { FinesseContext } from './context.js';
import { findFinesseUser } from './finesse-users.js';

/** A compact JWS (the IdS token when "Encrypt Token" is off). */
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * How a Finesse request appears in the console's exchange list: REST calls with method, path,
 * status, requestId and bodies; the SSO token API's steps (the fetch sent to IdS, the code
 * redeemed into a token, the refreshes) with the tokens it answered.
 */
export function describeFinesseRequest(ctx: FinesseContext, seen: HttpSeen): ExchangeInput | undefined {
  const { req, path, status } = seen;
  const sso = path.startsWith('/desktop/sso/');
  if (!sso && !path.startsWith('/finesse/api/')) return undefined;
  const requestId = req.get('requestId');
  const code = seen.res.getHeader('X-Idp-Harness-Error');
  const base = {
    service: 'finesse',
    kind: 'finesse' as const,
    direction: 'in' as const,
    method: req.method,
    path,
    status,
    user: userOf(ctx, req, path),
    code: typeof code === 'string' ? code : undefined,
    payload: { http: { ...(seen.requestBody === undefined ? {} : { requestBody: seen.requestBody }), ...(seen.responseBody === undefined ? {} : { responseBody: seen.responseBody }) } },
  };
  if (!sso) return { ...base, summary: `${req.method} ${path} → ${status}${requestId ? ` (requestId ${requestId})` : ''}` };
  const location = seen.res.getHeader('Location');
  const tokens = tokensIn(seen.responseBody);
  const step = path.endsWith('/authcode')
    ? 'SSO code from IdS redeemed'
    : req.method === 'POST' || req.query['refresh-token'] !== undefined
      ? 'SSO token refresh'
      : 'SSO token fetch';
  const to = typeof location === 'string' ? ` → ${status} to ${location.split('?')[0]}` : ` → ${status}`;
  return { ...base, user: base.user ?? tokens.user, summary: `${step}${to}`, payload: { ...base.payload, ...(tokens.jwts.length ? { jwt: tokens.jwts } : {}) } };
}

/** The user a request is about: Basic credentials, the `/User/<id>` of the path, or `cc_username`. */
function userOf(ctx: FinesseContext, req: Request, path: string): string | undefined {
  const auth = req.headers.authorization;
  if (auth && /^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const name = decoded.slice(0, decoded.indexOf(':') < 0 ? 0 : decoded.indexOf(':'));
    if (name) return findFinesseUser(ctx.users, name)?.username ?? name;
  }
  const m = /^\/finesse\/api\/User\/([^/]+)/.exec(path);
  if (m) return findFinesseUser(ctx.users, decodeURIComponent(m[1]!))?.username ?? m[1];
  const cc = req.query['cc_username'];
  if (typeof cc === 'string') return cc;
  return parseCookies(req.headers.cookie ?? '')['cc_username'];
}

/** From an SSO JSON answer: its user, and its tokens when they are JWTs (IdS "Encrypt Token" off). */
function tokensIn(body: string | undefined): { user: string | undefined; jwts: string[] } {
  if (!body || body[0] !== '{') return { user: undefined, jwts: [] };
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    return {
      user: typeof json['user_id'] === 'string' ? json['user_id'] : undefined,
      jwts: [json['token'], json['refresh_token']].filter((t): t is string => typeof t === 'string' && JWS.test(t)),
    };
  } catch {
    return { user: undefined, jwts: [] };
  }
}
