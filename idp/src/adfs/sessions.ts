import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { NameIdValue } from './build-assertion.js';

export type AuthMethod = 'forms' | 'windows';

/** One SP the session has issued a token to: what a LogoutRequest to it must carry (§1.11). */
export interface SessionParticipant {
  rpName: string;
  nameId: NameIdValue | undefined;
  sessionIndex: string | undefined;
}

/** An AD FS single sign-on session (the MSISAuth cookie). */
export interface SsoSession {
  id: string;
  username: string;
  /** When the user really signed in: AuthnStatement@AuthnInstant on every later assertion. */
  authnInstant: number;
  method: AuthMethod;
  expiresAt: number;
  participants: Map<string, SessionParticipant>;
  /** The lab-wide SSO session this one belongs to (ended with it). */
  labSsoId?: string | undefined;
}

/** The cookie AD FS keeps its SSO session in. */
export const SESSION_COOKIE = 'MSISAuth';

export class SessionStore {
  private sessions = new Map<string, SsoSession>();

  constructor(
    private readonly clock: Clock,
    private readonly lifetimeMs: number,
  ) {}

  create(username: string, method: AuthMethod, signedInAt?: number): SsoSession {
    this.sweep();
    const now = this.clock.now();
    // The WIA path shows whole-second AuthnInstants in real captures (reference §1.3, sample d).
    const at = signedInAt ?? now;
    const authnInstant = method === 'windows' ? Math.floor(at / 1000) * 1000 : at;
    const s: SsoSession = {
      id: randomBytes(24).toString('base64url'),
      username,
      authnInstant,
      method,
      expiresAt: at + this.lifetimeMs,
      participants: new Map(),
    };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session behind a cookie value; expired ones are gone. */
  get(id: string | undefined): SsoSession | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= this.clock.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  end(id: string): SsoSession | undefined {
    const s = this.sessions.get(id);
    this.sessions.delete(id);
    return s;
  }

  /** The session that issued `sessionIndex` to `rpName` (LogoutRequests come without our cookie in POST). */
  findByParticipant(rpName: string, sessionIndex: string | undefined, nameIdValue: string | undefined): SsoSession | undefined {
    for (const s of this.sessions.values()) {
      const p = s.participants.get(rpName);
      if (!p) continue;
      if (sessionIndex !== undefined && p.sessionIndex === sessionIndex) return s;
      if (sessionIndex === undefined && nameIdValue !== undefined && p.nameId?.value === nameIdValue) return s;
    }
    return undefined;
  }

  clear(): void {
    this.sessions.clear();
  }

  private sweep(): void {
    if (this.sessions.size < 10_000) return;
    const now = this.clock.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}
