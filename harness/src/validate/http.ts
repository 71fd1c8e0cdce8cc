import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

/**
 * The validator's one HTTP client: a timeout for the whole exchange, a cap on the body, no
 * redirects followed (the callers decide), and trust = Node's public roots plus `--ca` (passing
 * `ca` to https replaces the defaults, so both go in). node:http(s) rather than fetch, which
 * cannot take a CA per request.
 */
export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Extra trust anchors (PEM), from `--ca`. */
  ca?: string[] | undefined;
  timeoutMs?: number;
  maxBytes?: number;
}

export interface SendResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A failure before an answer was read; `code` is Node's (ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN…) or TIMEOUT / TOO_LARGE. */
export class SendError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function trustAnchors(ca: string[] | undefined): string[] | undefined {
  return ca && ca.length > 0 ? [...rootCertificates, ...ca] : undefined;
}

/**
 * One TLS context per trust set, built once: parsing the ~140 public roots costs about 50 ms,
 * which per request would make a live sign-in (a dozen requests) noticeably slow.
 */
const contexts = new Map<string, SecureContext>();
function secureContextFor(ca: string[] | undefined): SecureContext | undefined {
  if (!ca || ca.length === 0) return undefined;
  const key = ca.join('\n');
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = createSecureContext({ ca: trustAnchors(ca) });
    contexts.set(key, ctx);
  }
  return ctx;
}

export function send(url: string, o: SendOptions = {}): Promise<SendResult> {
  const u = new URL(url);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return Promise.reject(new SendError('UNSUPPORTED', `${u.protocol} URLs are not supported`));
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const maxBytes = o.maxBytes ?? 1024 * 1024;
  const secureContext = u.protocol === 'https:' ? secureContextFor(o.ca) : undefined;
  const headers: Record<string, string> = { 'user-agent': 'idp-harness-validate/1', ...o.headers };
  if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: SendError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const req = request(u, { method: o.method ?? 'GET', headers, agent: false, ...(secureContext ? { secureContext } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) fail(new SendError('TOO_LARGE', `${url} sent more than ${maxBytes} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (e) => fail(new SendError('READ_FAILED', `reading ${url} failed: ${e.message}`)));
    });
    // Real time, not a lab clock: this bounds a network wait.
    const timer = setTimeout(() => fail(new SendError('TIMEOUT', `${u.origin} did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => fail(new SendError(e.code ?? 'NETWORK', e.message)));
    req.end(o.body);
  });
}

/** TLS errors that mean "the server's certificate does not chain to a CA this process trusts". */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
]);

/** One line for a failed exchange with `origin`: what happened and what to do. */
export function describeSendError(origin: string, e: SendError): string {
  if (UNTRUSTED.has(e.code)) return `the TLS certificate of ${origin} is not trusted (${e.code}): pass --ca <PEM file of the CA that issued it> (for the lab: --ca certs/ca.pem)`;
  if (e.code === 'CERT_HAS_EXPIRED' || e.code === 'ERR_TLS_CERT_ALTNAME_INVALID' || e.code.startsWith('ERR_SSL') || e.code.startsWith('ERR_TLS')) {
    return `TLS with ${origin} failed (${e.code}: ${e.message}); fix the server's certificate, or pass --ca if a private CA issued it`;
  }
  if (e.code === 'TIMEOUT' || e.code === 'TOO_LARGE' || e.code === 'READ_FAILED') return e.message;
  return `cannot reach ${origin} (${e.code}); check the URL and that the server is reachable from here`;
}
