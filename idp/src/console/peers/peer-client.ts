import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { IdpError } from '../../shared/errors.js';

/** One call to a peer console's control API. */
export interface PeerCall {
  method: string;
  /** Path under the peer's origin, query included: `/api/users?x=1`. */
  path: string;
  body?: Buffer | undefined;
  contentType?: string | undefined;
  /** Passed on to event streams so a reconnecting client resumes where it was. */
  lastEventId?: string | undefined;
  /** Other request headers to pass on (a proxied page's cookies). */
  headers?: Record<string, string> | undefined;
}

export interface PeerOptions {
  /** How long a peer may take to start answering, and then to finish a (non-stream) answer. */
  timeoutMs: number;
  /** The lab CA, for peers on https. */
  ca?: string | undefined;
}

/** A peer's whole answer, as it gave it. */
export interface PeerAnswer {
  status: number;
  contentType: string | undefined;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** How long a peer may take to start answering (and then to finish); past it: 502, never a hang. */
export const PEER_TIMEOUT_MS = 5000;

/** Largest answer read into memory (an exchange log of a busy peer stays well under this). */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/**
 * Opens one request to a peer and resolves once its answer's headers are in. A peer that refuses
 * the connection, is not resolvable or stays silent past the timeout is ERR_CONTROL_PEER_UNREACHABLE
 * (502): the console never hangs on a peer, and never turns a network failure into a 500.
 */
export function openPeer(peer: string, call: PeerCall, opts: PeerOptions): Promise<IncomingMessage> {
  // Appended, not resolved: a peer URL with a path prefix keeps it, and a path cannot change the host.
  const url = new URL(peer.replace(/\/+$/, '') + call.path);
  const headers: Record<string, string> = { accept: 'application/json, text/event-stream', ...call.headers };
  if (call.body !== undefined) {
    headers['content-type'] = call.contentType ?? 'application/octet-stream';
    headers['content-length'] = String(call.body.length);
  }
  if (call.lastEventId !== undefined) headers['last-event-id'] = call.lastEventId;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: call.method, headers, ...(url.protocol === 'https:' && opts.ca ? { ca: opts.ca } : {}) });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('response', (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(unreachable(peer, call, e));
    });
    req.end(call.body);
  });
}

/** One request to a peer, its answer read whole (within the timeout). */
export async function askPeer(peer: string, call: PeerCall, opts: PeerOptions): Promise<PeerAnswer> {
  return readAnswer(peer, call, await openPeer(peer, call, opts), opts);
}

/** Reads an opened answer whole, within the timeout. */
export function readAnswer(peer: string, call: PeerCall, res: IncomingMessage, opts: PeerOptions): Promise<PeerAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (reason: string) => {
      clearTimeout(timer);
      res.destroy();
      reject(unreachable(peer, call, new Error(reason)));
    };
    const timer = setTimeout(() => fail(`answer not finished within ${opts.timeoutMs} ms`), opts.timeoutMs);
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_ANSWER_BYTES) fail(`answer larger than ${MAX_ANSWER_BYTES} bytes`);
      else chunks.push(c);
    });
    res.on('end', () => {
      clearTimeout(timer);
      resolve({ status: res.statusCode ?? 502, contentType: res.headers['content-type'], headers: res.headers, body: Buffer.concat(chunks) });
    });
    res.on('error', (e) => fail(e.message));
  });
}

/** A peer answer's body as JSON (`undefined` when it is not JSON). */
export function answerJson(a: PeerAnswer): unknown {
  try {
    return JSON.parse(a.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function unreachable(peer: string, call: Pick<PeerCall, 'method' | 'path'>, cause: unknown): IdpError {
  const reason = (cause as NodeJS.ErrnoException)?.code ?? (cause as Error)?.message ?? String(cause);
  return new IdpError('ERR_CONTROL_PEER_UNREACHABLE', `the console at ${peer} did not answer ${call.method} ${call.path}: ${reason}`, {
    status: 502,
    cause,
    details: { peer, reason },
  });
}
