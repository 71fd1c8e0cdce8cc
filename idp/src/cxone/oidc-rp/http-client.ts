import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * The one outbound HTTP client of CXone's OIDC authenticators (discovery, JWKS, token, userinfo).
 * node:http(s) rather than fetch because the lab's services present certificates from the lab CA,
 * and Node's fetch cannot be given a CA per request. Bounded: a timeout for the whole exchange and
 * a cap on the body, so a slow or huge answer from a misconfigured IdP cannot hold a sign-in or
 * the process. Redirects are not followed: every URL here is configured, and a redirect is a
 * misconfiguration worth seeing.
 */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpRequestOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Trust anchors for https (the context's outboundCa). */
  ca: string[];
  timeoutMs?: number;
  maxBytes?: number;
}

/** Why an exchange failed before an HTTP answer was read (a sentence for the admin or the log). */
export class HttpClientError extends Error {}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

export function httpCall(url: string, o: HttpRequestOptions): Promise<HttpResponse> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.reject(new HttpClientError(`'${url}' is not a URL`));
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return Promise.reject(new HttpClientError(`${u.protocol} URLs are not supported (http or https only)`));
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'idp-harness-cxone/1', ...o.headers };
  if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let settled = false;
    const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    // A connection per exchange (agent: false): a sign-in makes a handful of calls, and a pooled
    // keep-alive socket the IdP has meanwhile closed would fail the next one ("socket hang up").
    const req = send(u, { method: o.method ?? 'GET', headers, agent: false, ...(u.protocol === 'https:' ? { ca: o.ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) fail(new HttpClientError(`the answer from ${u.origin} is larger than ${maxBytes} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (e) => fail(new HttpClientError(`reading the answer from ${u.origin} failed: ${e.message}`)));
    });
    // Real time, not the lab clock: this bounds a network wait, it is no protocol check.
    const timer = setTimeout(() => fail(new HttpClientError(`${u.origin} did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
    req.on('error', (e) => fail(new HttpClientError(`cannot reach ${u.origin}: ${e.message}`)));
    req.end(o.body);
  });
}

/** The body as a JSON object, or undefined when it is not one (the caller names what it expected). */
export function jsonObject(res: HttpResponse): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(res.body) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
