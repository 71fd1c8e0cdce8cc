import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import { IdpError } from '../../shared/errors.js';
import type { AuthorizeRequest } from '../op/authorize-request.js';

/** Where a sign-in stands: which page comes next. */
export type LoginStep = 'username' | 'password' | 'change-password' | 'mfa-enroll' | 'mfa' | 'external';

/**
 * One sign-in in progress, from the username page to the session: the OP request that started
 * it (if any), the user once named, and the step reached. The id travels in the pages' hidden
 * field `tx` and in the external IdP's RelayState / state; every step checks it is at the right step.
 */
export interface LoginTransaction {
  id: string;
  authorize: AuthorizeRequest | undefined;
  userId: string | undefined;
  step: LoginStep;
  /** System sign-in: the password was verified (later steps may not skip it). */
  passwordVerified: boolean;
  /** HOTP resynchronisation (RFC 4226 §7.4): the counter a first out-of-window code matched. */
  hotpResyncCounter: number | undefined;
  /** TOTP/HOTP enrolment: the secret shown but not yet confirmed. */
  pendingMfaSecret: string | undefined;
  expiresAt: number;
}

/** A sign-in must be finished within this time (the IdP round trip included). */
const TTL_MS = 15 * 60_000;
const MAX = 20_000;

export class LoginTransactions {
  private readonly items = new Map<string, LoginTransaction>();

  constructor(private readonly clock: Clock) {}

  start(authorize: AuthorizeRequest | undefined): LoginTransaction {
    this.sweep();
    const t: LoginTransaction = {
      id: randomBytes(18).toString('base64url'),
      authorize,
      userId: undefined,
      step: 'username',
      passwordVerified: false,
      hotpResyncCounter: undefined,
      pendingMfaSecret: undefined,
      expiresAt: this.clock.now() + TTL_MS,
    };
    this.items.set(t.id, t);
    return t;
  }

  /** The transaction `id` if it is live and at one of `steps`; otherwise a clear refusal. */
  at(id: unknown, ...steps: LoginStep[]): LoginTransaction {
    const t = typeof id === 'string' ? this.items.get(id) : undefined;
    if (!t || this.clock.now() >= t.expiresAt) {
      throw new IdpError('ERR_CXONE_LOGIN_TRANSACTION', 'This sign-in has expired or is unknown. Start again.', { debug: `tx ${String(id)}` });
    }
    if (steps.length > 0 && !steps.includes(t.step)) {
      throw new IdpError('ERR_CXONE_LOGIN_TRANSACTION', 'This sign-in step is out of order. Start again.', { debug: `tx at ${t.step}, expected ${steps.join('|')}` });
    }
    return t;
  }

  /** The live transaction `id`, if any (an expired one is gone). */
  peek(id: string): LoginTransaction | undefined {
    const t = this.items.get(id);
    return t && this.clock.now() < t.expiresAt ? t : undefined;
  }

  finish(t: LoginTransaction): void {
    this.items.delete(t.id);
  }

  clear(): void {
    this.items.clear();
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [k, t] of this.items) {
      if (t.expiresAt <= now || this.items.size >= MAX) this.items.delete(k);
      else break;
    }
  }
}
