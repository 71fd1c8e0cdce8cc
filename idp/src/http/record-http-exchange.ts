import type { NextFunction, Request, Response } from 'express';
import type { ExchangeInput, ExchangeLog } from '../shared/exchange-log.js';

/** Bodies are kept up to this many characters (the log caps them again). */
const BODY_CHARS = 8 * 1024;

/** What the recorder saw of one HTTP request and its answer. */
export interface HttpSeen {
  req: Request;
  res: Response;
  /** The path as the client sent it (no query). */
  path: string;
  status: number;
  requestBody: string | undefined;
  responseBody: string | undefined;
}

/**
 * An express middleware that records each request it sees, with its answer, for the console's
 * exchange list: `describe` turns what was seen into an exchange (or undefined to skip it). The
 * answer is read where it is written (`res.end`), so nothing is buffered twice; the request body
 * is what the route's parser already produced.
 */
export function recordHttpExchanges(log: ExchangeLog, describe: (seen: HttpSeen) => ExchangeInput | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const slot = log.reserve();
    const end = res.end;
    let done = false;
    res.end = function (this: Response, ...args: unknown[]) {
      if (!done) {
        done = true;
        try {
          const input = describe({
            req,
            res,
            path: req.originalUrl.split('?')[0] ?? req.originalUrl,
            status: res.statusCode,
            requestBody: bodyText(req.body),
            responseBody: typeof args[0] === 'function' ? undefined : bodyText(args[0]),
          });
          if (input) slot.commit(input);
        } catch {
          // Recording is for the console only: it must never break the answer.
        }
      }
      return (end as (...a: unknown[]) => Response).apply(this, args);
    } as Response['end'];
    next();
  };
}

function bodyText(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body.length ? body.slice(0, BODY_CHARS) : undefined;
  if (Buffer.isBuffer(body)) return body.length ? body.toString('utf8', 0, BODY_CHARS) : undefined;
  if (body instanceof Uint8Array) return body.length ? Buffer.from(body).toString('utf8', 0, BODY_CHARS) : undefined;
  if (typeof body === 'object') return Object.keys(body).length ? new URLSearchParams(body as Record<string, string>).toString().slice(0, BODY_CHARS) : undefined;
  return undefined;
}
