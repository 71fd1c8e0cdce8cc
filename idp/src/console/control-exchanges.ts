import express, { type Router } from 'express';
import { z } from 'zod';
import { SERVICE_NAMES } from '../config/schema.js';
import type { LabState } from '../lab.js';
import { IdpError } from '../shared/errors.js';
import { EXCHANGE_KINDS, matchesExchange, type Exchange, type ExchangeFilter } from '../shared/exchange-log.js';

/** A comment line this often keeps an idle event stream open through proxies (SSE §9.2.6 ":"). */
const SSE_KEEPALIVE_MS = 15_000;

const ExchangeQuery = z.strictObject({
  service: z.enum(SERVICE_NAMES as [string, ...string[]]).optional(),
  kind: z.enum(EXCHANGE_KINDS).optional(),
  user: z.string().min(1).max(200).optional(),
  q: z.string().min(1).max(200).optional(),
  /** Only exchanges strictly after this instant (real time, like `at`). */
  since: z.iso.datetime({ offset: true }).optional(),
  /** The newest `limit` of those that match (default 100; the log keeps 500). */
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/**
 * The control API's exchange list (`/api/exchanges`): the recent protocol exchanges of every
 * service, decoded (shared/exchange-log.ts), oldest first, filtered by `service`, `kind`, `user`,
 * text `q` and `since`; and `/api/exchanges/stream`, Server-Sent Events (HTML Living Standard
 * §9.2) with one `data:` line of JSON per exchange as it is recorded, with the same filters
 * (`since` and `limit` make no sense on a stream and are refused).
 */
export function controlExchanges(state: LabState): Router {
  const r = express.Router();
  r.get('/', (req, res) => {
    const { filter, limit } = parseQuery(req.query);
    res.json(state.exchanges.list(filter, limit ?? 100));
  });
  r.get('/stream', (req, res) => {
    const { filter, limit } = parseQuery(req.query);
    if (limit !== undefined || filter.since !== undefined) {
      const path = limit !== undefined ? 'limit' : 'since';
      throw new IdpError('ERR_CONTROL_INVALID', `${path}: a stream has no ${path}`, { details: { issues: [{ path, message: 'not allowed on a stream' }] } });
    }
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write(': connected\n\n');
    const send = (e: Exchange) => {
      if (matchesExchange(e, filter)) res.write(`id: ${e.id}\ndata: ${JSON.stringify(e)}\n\n`);
    };
    const off = state.exchanges.subscribe(send);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
    keepAlive.unref();
    res.on('close', () => {
      off();
      clearInterval(keepAlive);
    });
  });
  return r;
}

function parseQuery(query: unknown): { filter: ExchangeFilter; limit: number | undefined } {
  const parsed = ExchangeQuery.safeParse(query);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(query)', message: i.message }));
    throw new IdpError('ERR_CONTROL_INVALID', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { details: { issues } });
  }
  const { since, limit, ...rest } = parsed.data;
  return { filter: { ...rest, ...(since === undefined ? {} : { since: Date.parse(since) }) }, limit };
}
