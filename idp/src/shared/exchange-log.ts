import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';
import { capped } from './exchange-caps.js';

/**
 * The lab's record of recent protocol exchanges, decoded for a human: what the console's live
 * list shows and `GET /api/exchanges` serves. Services record at the point where they already
 * hold the decoded message (no extra parsing on the hot path); payloads are capped
 * (exchange-caps.ts) and only the newest `capacity` exchanges are kept, so the log costs a
 * bounded amount of memory however long the lab runs.
 */

export const EXCHANGE_KINDS = ['saml', 'oidc', 'jwt', 'finesse', 'ids', 'cxone'] as const;
export type ExchangeKind = (typeof EXCHANGE_KINDS)[number];

export type SignatureStatus = 'valid' | 'invalid' | 'unsigned' | 'not-checked';

export interface ExchangePayload {
  /** A SAML protocol message as sent or received (after base64 / inflate). */
  samlXml?: string;
  /** What the service found (inbound) or did (outbound) about the message's signature. */
  signature?: { status: SignatureStatus; detail?: string };
  /** Compact JWTs (JWS or JWE) the exchange carried, as sent. */
  jwt?: string[];
  http?: { requestBody?: string; responseBody?: string };
}

/** What a service records. */
export interface ExchangeInput {
  service: string;
  kind: ExchangeKind;
  /** From the recording service's point of view: received (`in`) or sent (`out`). */
  direction: 'in' | 'out';
  /** One line for the list. */
  summary: string;
  method?: string | undefined;
  path?: string | undefined;
  status?: number | undefined;
  user?: string | undefined;
  /** The outcome's stable error code, when the exchange was refused. */
  code?: string | undefined;
  payload?: ExchangePayload;
}

export interface Exchange extends ExchangeInput {
  /** Unique across processes (compose peers merge their lists by it). */
  id: string;
  /** Order within this process. */
  seq: number;
  /** Real time (ISO 8601). */
  at: string;
  /** The lab clock at the same moment (ISO 8601). */
  labAt: string;
  payload: ExchangePayload;
}

export interface ExchangeFilter {
  service?: string | undefined;
  kind?: ExchangeKind | undefined;
  /** Case-insensitive; also matches the part before `@` (`agent1` finds `agent1@lab.example`). */
  user?: string | undefined;
  /** Case-insensitive text anywhere in the exchange: summary, path, user, code, payloads. */
  q?: string | undefined;
  /** Only exchanges strictly after this instant (epoch ms, real time). */
  since?: number | undefined;
}

/** A slot taken before the exchange is complete, so it sorts where it started (see `reserve`). */
export interface ReservedExchange {
  commit(input: ExchangeInput): Exchange;
}

export class ExchangeLog {
  private readonly entries: Exchange[] = [];
  private readonly listeners = new Set<(e: Exchange) => void>();
  private seq = 0;
  /** Tells this process's ids from a peer's (compose: one log per container). */
  private readonly prefix = randomBytes(4).toString('hex');

  constructor(
    private readonly clock: Clock,
    readonly capacity = 500,
    private readonly realNow: () => number = Date.now,
  ) {}

  record(input: ExchangeInput): Exchange {
    return this.reserve().commit(input);
  }

  /**
   * Takes the next position now and fills it later: an inbound request is recorded once its
   * outcome is known, yet must come before the response its handling produced.
   */
  reserve(): ReservedExchange {
    const seq = ++this.seq;
    const at = new Date(this.realNow()).toISOString();
    const labAt = new Date(this.clock.now()).toISOString();
    return { commit: (input) => this.insert({ ...capped(input), id: `${this.prefix}-${seq}`, seq, at, labAt }) };
  }

  /** The retained exchanges that match, oldest first; `limit` keeps the newest ones. */
  list(filter: ExchangeFilter = {}, limit = this.capacity): Exchange[] {
    const out = this.entries.filter((e) => matchesExchange(e, filter));
    return out.slice(Math.max(0, out.length - limit));
  }

  /** Calls `listener` with every exchange recorded from now on; returns the unsubscribe function. */
  subscribe(listener: (e: Exchange) => void): () => void {
    this.listeners.add(listener);
    return () => this.unsubscribe(listener);
  }

  unsubscribe(listener: (e: Exchange) => void): void {
    this.listeners.delete(listener);
  }

  get size(): number {
    return this.entries.length;
  }

  private insert(e: Exchange): Exchange {
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.seq > e.seq) i--;
    this.entries.splice(i, 0, e);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener (an event-stream client gone away) must never break the service recording.
      }
    }
    return e;
  }
}

export function matchesExchange(e: Exchange, f: ExchangeFilter): boolean {
  if (f.service !== undefined && e.service !== f.service) return false;
  if (f.kind !== undefined && e.kind !== f.kind) return false;
  if (f.since !== undefined && Date.parse(e.at) <= f.since) return false;
  if (f.user !== undefined) {
    const u = e.user?.toLowerCase();
    const want = f.user.toLowerCase();
    if (u === undefined || (u !== want && u.split('@')[0] !== want)) return false;
  }
  if (f.q !== undefined && !searchText(e).includes(f.q.toLowerCase())) return false;
  return true;
}

function searchText(e: Exchange): string {
  const p = e.payload;
  return [e.summary, e.method, e.path, e.user, e.code, e.service, p.samlXml, p.signature?.detail, ...(p.jwt ?? []), p.http?.requestBody, p.http?.responseBody]
    .filter((s) => s !== undefined)
    .join('\n')
    .toLowerCase();
}
