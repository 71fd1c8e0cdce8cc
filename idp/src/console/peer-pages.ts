import type { NextFunction, Request, Response } from 'express';
import type { ServiceName } from '../config/schema.js';
import { h, layout } from '../adfs/pages/html.js';
import type { LabState } from '../lab.js';
import { readBody } from './peers/forward.js';
import { askPeer, PEER_TIMEOUT_MS, type PeerOptions } from './peers/peer-client.js';
import { PeerDirectory } from './peers/peer-directory.js';

/** Request and answer headers a console page needs across the hop (its session cookie, redirects). */
const REQUEST_HEADERS = ['cookie', 'accept', 'accept-language', 'user-agent'] as const;
const ANSWER_HEADERS = ['content-type', 'set-cookie', 'location', 'cache-control'] as const;

/**
 * Console pages that work on a service in-process, served by the peer console whose process runs
 * it when this one does not. Under docker compose the sample SP (node-saml, signing in at AD FS)
 * lives in the adfs container's console; every container has the same console public URL, so its
 * AuthnRequests name this console's `/sample-sp/acs`, the browser comes here and is passed on.
 * Without peers, or when `service` runs here, it steps aside (`next`).
 */
export function pagesFromPeer(state: LabState, service: ServiceName) {
  const peers = state.config.console.peers;
  const skip = peers.length === 0 || state.config[service].enabled;
  const po: PeerOptions = { timeoutMs: PEER_TIMEOUT_MS, ca: state.pki.caPem };
  const directory = new PeerDirectory(peers, po);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (skip) return next();
    try {
      const peer = await directory.running(service);
      if (peer === undefined) return next();
      const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
      const headers: Record<string, string> = {};
      for (const name of REQUEST_HEADERS) if (req.headers[name] !== undefined) headers[name] = String(req.headers[name]);
      const answer = await askPeer(
        peer,
        { method: req.method, path: req.originalUrl, headers, ...(hasBody ? { body: await readBody(req), contentType: req.get('content-type') } : {}) },
        po,
      );
      res.status(answer.status);
      for (const name of ANSWER_HEADERS) if (answer.headers[name] !== undefined) res.set(name, answer.headers[name] as string | string[]);
      res.end(answer.body);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ERR_CONTROL_PEER_UNREACHABLE') directory.forget(String((e as { details?: { peer?: unknown } }).details?.peer));
      const message = e instanceof Error ? e.message : String(e);
      res.status((e as { status?: number }).status ?? 502).type('html').send(layout('Peer unavailable', 'idp-harness console', `<p id="peerUnavailable">${h(message)}</p>`));
    }
  };
}
