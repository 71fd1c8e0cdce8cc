import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { parse as parseCookies, serialize } from 'cookie';
import type { Clock } from '../../shared/clock.js';

/** How the user signed in, as the OP's tokens and logout need it. */
export interface ExternalSignIn {
  kind: 'saml' | 'oidc';
  authenticatorId: string;
  /** OIDC: the IdP's ID token (the `id_token_hint` of its end-session endpoint). */
  idToken?: string;
  /** SAML: the NameID and SessionIndex asserted. */
  nameId?: string;
  sessionIndex?: string;
}

export interface CxoneSession {
  id: string;
  userId: string;
  authenticatorId: string;
  /** Epoch seconds of the sign-in (OIDC `auth_time`). */
  authTime: number;
  amr: string[];
  acr: string | undefined;
  external: ExternalSignIn | undefined;
  lastSeen: number;
}

export const SESSION_COOKIE = 'cxone_session';

/**
 * CXone browser sessions. Idle sessions end after the tenant's idle timeout (reference B.1:
 * 20 minutes by default) on the lab clock. The cookie is HttpOnly, Secure on TLS, SameSite=Lax:
 * the IdP's POST back to the ACS never needs it (the AuthnRequest ID finds the sign-in).
 */
export class SessionStore {
  private readonly sessions = new Map<string, CxoneSession>();

  constructor(
    private readonly clock: Clock,
    private readonly idleMs: () => number,
    private readonly secure: boolean,
  ) {}

  create(res: Response, s: Omit<CxoneSession, 'id' | 'lastSeen'>): CxoneSession {
    const session: CxoneSession = { ...s, id: randomBytes(24).toString('base64url'), lastSeen: this.clock.now() };
    this.sessions.set(session.id, session);
    res.append('Set-Cookie', serialize(SESSION_COOKIE, session.id, { httpOnly: true, secure: this.secure, sameSite: 'lax', path: '/' }));
    return session;
  }

  /** The live session of this browser (its idle time restarts), or undefined. */
  current(req: Request): CxoneSession | undefined {
    const id = parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE];
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const now = this.clock.now();
    if (now - s.lastSeen >= this.idleMs()) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeen = now;
    return s;
  }

  get(id: string): CxoneSession | undefined {
    return this.sessions.get(id);
  }

  end(res: Response, s: CxoneSession | undefined): void {
    if (s) this.sessions.delete(s.id);
    res.append('Set-Cookie', serialize(SESSION_COOKIE, '', { httpOnly: true, secure: this.secure, sameSite: 'lax', path: '/', maxAge: 0 }));
  }

  /** Ends every session of a user (deactivation, deletion). */
  endUser(userId: string): void {
    for (const [id, s] of this.sessions) if (s.userId === userId) this.sessions.delete(id);
  }

  list(): CxoneSession[] {
    return [...this.sessions.values()];
  }

  clear(): void {
    this.sessions.clear();
  }
}
