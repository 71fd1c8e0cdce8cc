import type { Request, Response } from 'express';
import { IdpError } from '../../shared/errors.js';
import { openPeer, readAnswer, type PeerAnswer, type PeerCall, type PeerOptions } from './peer-client.js';

/** The largest body passed on to a peer: the control API's own limit. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The call a peer gets for a control-API request: same method, path and query under the peer's
 * `/api`, same body. A JSON body was already parsed (and refused there when malformed, exactly as
 * a peer would) and is sent again as JSON; any other body (the IdP metadata XML) is sent as it came.
 */
export async function peerCallFor(req: Request): Promise<PeerCall> {
  const call: PeerCall = { method: req.method, path: `/api${req.url}`, lastEventId: req.get('last-event-id') };
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (!hasBody) return call;
  if (req.is('application/json')) return { ...call, body: Buffer.from(JSON.stringify(req.body ?? null)), contentType: 'application/json' };
  return { ...call, body: await readBody(req), contentType: req.get('content-type') };
}

/** Writes a peer's answer as it is: status, content type and body (its JSON errors included). */
export function passAnswer(res: Response, a: PeerAnswer): void {
  res.status(a.status);
  if (a.contentType) res.set('Content-Type', a.contentType);
  res.end(a.body);
}

/**
 * Sends one request on to `peer` and its answer back. An event stream (the Finesse notifications)
 * is piped as it comes, for as long as the client stays; anything else is read whole first.
 */
export async function forwardTo(peer: string, req: Request, res: Response, opts: PeerOptions): Promise<void> {
  const call = await peerCallFor(req);
  const upstream = await openPeer(peer, call, opts);
  const type = upstream.headers['content-type'] ?? '';
  if (!type.startsWith('text/event-stream')) {
    passAnswer(res, await readAnswer(peer, call, upstream, opts));
    return;
  }
  res.status(upstream.statusCode ?? 200).set({ 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  upstream.pipe(res);
  upstream.on('error', () => res.end());
  res.on('close', () => upstream.destroy());
}

/** A request body, read whole (at most the control API's limit). */
export function readBody(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new IdpError('ERR_HTTP_BODY_TOO_LARGE', `request body larger than ${MAX_BODY_BYTES} bytes`, { status: 413 }));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
