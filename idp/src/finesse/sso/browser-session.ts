import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { parse as parseCookies, serialize } from 'cookie';

/** Finesse is a Tomcat application: its browser session is the `JSESSIONID` cookie. */
export const SESSION_COOKIE = 'JSESSIONID';

export function cookiesOf(req: Request): Record<string, string | undefined> {
  return parseCookies(req.headers.cookie ?? '');
}

/** The browser's session id, set when missing (HttpOnly; Secure over TLS; Lax so IdS's redirect back carries it). */
export function browserSession(req: Request, res: Response, secure: boolean): string {
  const existing = cookiesOf(req)[SESSION_COOKIE];
  if (existing && /^[A-F0-9]{32}$/.test(existing)) return existing;
  const id = randomBytes(16).toString('hex').toUpperCase();
  res.append('Set-Cookie', serialize(SESSION_COOKIE, id, { path: '/', httpOnly: true, secure, sameSite: 'lax' }));
  return id;
}

export function setCookie(res: Response, name: string, value: string, secure: boolean): void {
  res.append('Set-Cookie', serialize(name, value, { path: '/', secure, sameSite: 'lax' }));
}
