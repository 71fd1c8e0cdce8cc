import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * One HTTP exchange with a JSON or form body, redirects not followed, over plain HTTP or TLS with
 * the lab CA: `fetch` cannot take a per-request CA, so this goes through node:http(s), like the
 * scripted UserAgent. Used by the CXone admin API client and the CXone OP client.
 */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
}

export interface HttpCall {
  method?: string;
  headers?: Record<string, string>;
  /** A string body is sent as is; anything else as JSON. */
  body?: unknown;
  /** The lab CA (PEM) to trust on https. */
  ca?: string;
  /** Milliseconds before the exchange is abandoned (default 10 s): a lab that hangs fails, not stalls. */
  timeoutMs?: number;
}

export function httpCall(url: string | URL, call: HttpCall = {}): Promise<HttpAnswer> {
  const u = new URL(url);
  const payload = call.body === undefined ? undefined : typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
  const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
  if (payload !== undefined) {
    headers['content-type'] ??= typeof call.body === 'string' ? 'application/x-www-form-urlencoded' : 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(u, { method: call.method ?? 'GET', headers, ...(u.protocol === 'https:' && call.ca ? { ca: call.ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) });
      });
      res.on('error', reject);
    });
    req.setTimeout(call.timeoutMs ?? 10_000, () => req.destroy(new Error(`${call.method ?? 'GET'} ${u.href}: no answer within ${call.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
