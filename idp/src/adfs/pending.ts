import { randomUUID } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { ResponseTarget } from './issue-token.js';
import type { RequestedContext } from './authn-context.js';

/**
 * A sign-in waiting for the user to submit the forms page: which RP asked, where the answer goes
 * and what was asked for. Kept server-side under AD FS's `client-request-id`, so the form carries
 * an opaque reference and never a message the browser could alter.
 */
export interface PendingSignIn {
  rpName: string;
  target: ResponseTarget;
  requested: RequestedContext | undefined;
  forceAuthn: boolean;
  /** NameIDPolicy Format from the request, checked once the user is known. */
  nameIdPolicyFormat: string | undefined;
  /** The AuthnRequest's Subject NameID: the only principal this sign-in may be for. */
  subjectNameId: string | undefined;
  createdAt: number;
}

const TTL_MS = 15 * 60_000;

export class PendingSignIns {
  private items = new Map<string, PendingSignIn>();

  constructor(private readonly clock: Clock) {}

  add(p: Omit<PendingSignIn, 'createdAt'>): string {
    this.sweep();
    const id = randomUUID();
    this.items.set(id, { ...p, createdAt: this.clock.now() });
    return id;
  }

  get(id: string | undefined): PendingSignIn | undefined {
    if (!id) return undefined;
    const p = this.items.get(id);
    if (p && this.clock.now() - p.createdAt > TTL_MS) {
      this.items.delete(id);
      return undefined;
    }
    return p;
  }

  delete(id: string): void {
    this.items.delete(id);
  }

  clear(): void {
    this.items.clear();
  }

  private sweep(): void {
    if (this.items.size < 10_000) return;
    const now = this.clock.now();
    for (const [id, p] of this.items) if (now - p.createdAt > TTL_MS) this.items.delete(id);
  }
}

