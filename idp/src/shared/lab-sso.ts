import { randomBytes } from 'node:crypto';
import { parse as parseCookies, serialize } from 'cookie';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from './clock.js';

/**
 * The lab's single sign-on across services: one browser sign-in, at the AD FS forms page or the
 * OpenID Provider's page, is honoured by the other, the way an Entra or Okta tenant federated with
 * the same directory behaves. It rides on a host-only cookie with `Path=/`, which browsers send to
 * every port of a host: `localhost:9443` and `localhost:9444` share it, while compose containers
 * reached by different names do not — exactly when real deployments would not share it either.
 */
export const LAB_SSO_COOKIE = 'idp_harness_sso';

export interface LabSsoSession {
  id: string;
  username: string;
  /** When the user really signed in (epoch ms): `auth_time`, `AuthnInstant`. */
  authTime: number;
  /** How: the forms page (either service) or emulated Windows Integrated Authentication. */
  method: 'forms' | 'windows';
  expiresAt: number;
}

/** How many signed-out session ids are remembered (oldest forgotten first). */
const MAX_SIGNED_OUT = 10_000;

export class LabSsoStore {
  private sessions = new Map<string, LabSsoSession>();
  private creates = 0;
  /**
   * Sessions ended by a sign-out (not by expiry or by a newer sign-in of the browser): a session
   * a service derived from one of them (AD FS's MSISAuth) ends with it, wherever the logout was.
   */
  private signedOut = new Set<string>();

  constructor(
    private readonly clock: Clock,
    private readonly lifetimeMs: number,
    /** Off: each service keeps its own sessions only. */
    readonly enabled: boolean,
  ) {}

  create(username: string, method: LabSsoSession['method'], authTime = this.clock.now()): LabSsoSession {
    const now = this.clock.now();
    // Expired sessions are swept now and then, not on every sign-in (that would be quadratic).
    if (++this.creates % 256 === 0) for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
    const s: LabSsoSession = { id: randomBytes(24).toString('base64url'), username, authTime, method, expiresAt: now + this.lifetimeMs };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session the request's cookie names, if the lab SSO is on. */
  fromRequest(req: IncomingMessage): LabSsoSession | undefined {
    if (!this.enabled) return undefined;
    const id = parseCookies(req.headers.cookie ?? '')[LAB_SSO_COOKIE];
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= this.clock.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  /** Starts a session for `username` and sets its cookie; an older session of the browser ends. */
  signIn(req: IncomingMessage, res: ServerResponse, tls: boolean, username: string, method: LabSsoSession['method'], authTime?: number): LabSsoSession | undefined {
    if (!this.enabled) return undefined;
    const previous = parseCookies(req.headers.cookie ?? '')[LAB_SSO_COOKIE];
    if (previous) this.sessions.delete(previous);
    const s = this.create(username, method, authTime);
    appendCookie(res, serialize(LAB_SSO_COOKIE, s.id, cookieOptions(tls, Math.max(1, Math.floor(this.lifetimeMs / 1000)))));
    return s;
  }

  /** Ends a session by id (a service ended the sign-in it came from, without the browser). */
  end(id: string | undefined): void {
    if (id) this.forget(id);
  }

  /** Whether session `id` was ended by a sign-out at some service (see `signedOut`). */
  wasSignedOut(id: string): boolean {
    return this.signedOut.has(id);
  }

  /** Ends the browser's session (logout at either service) and clears its cookie. */
  signOut(req: IncomingMessage, res: ServerResponse, tls: boolean): void {
    if (!this.enabled) return;
    const id = parseCookies(req.headers.cookie ?? '')[LAB_SSO_COOKIE];
    if (!id) return;
    this.forget(id);
    appendCookie(res, serialize(LAB_SSO_COOKIE, '', cookieOptions(tls, 0)));
  }

  clear(): void {
    this.sessions.clear();
    this.signedOut.clear();
  }

  private forget(id: string): void {
    this.sessions.delete(id);
    if (this.signedOut.has(id)) return;
    if (this.signedOut.size >= MAX_SIGNED_OUT) this.signedOut.delete(this.signedOut.values().next().value!);
    this.signedOut.add(id);
  }
}

function appendCookie(res: ServerResponse, cookie: string): void {
  const prev = res.getHeader('Set-Cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev : [String(prev)];
  res.setHeader('Set-Cookie', [...list, cookie]);
}

/**
 * Over TLS, `SameSite=None; Secure`: SAML SPs reach AD FS with a cross-site POST that must carry
 * it. Plain HTTP cannot use None, so Lax (top-level navigations still carry it).
 */
function cookieOptions(tls: boolean, maxAge: number) {
  return tls
    ? ({ path: '/', httpOnly: true, secure: true, sameSite: 'none', maxAge } as const)
    : ({ path: '/', httpOnly: true, sameSite: 'lax', maxAge } as const);
}
