import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { SERVICE_NAMES, type LabConfig, type ServiceName } from '../config/schema.js';
import type { LabState } from '../lab.js';
import { forwardTo, passAnswer, peerCallFor } from './peers/forward.js';
import { mergeEventStreams } from './peers/merge-event-streams.js';
import { answerJson, askPeer, openPeer, PEER_TIMEOUT_MS, readAnswer, type PeerAnswer, type PeerCall, type PeerOptions } from './peers/peer-client.js';
import { PeerDirectory } from './peers/peer-directory.js';

/** Control-API paths that belong to one service, and so go to the peer that runs it. */
const SERVICE_PATHS: ReadonlyArray<readonly [string, ServiceName]> = [
  ['/relying-parties', 'adfs'],
  ['/adfs', 'adfs'],
  ['/oidc', 'oidc'],
  ['/ids', 'ids'],
  ['/finesse', 'finesse'],
  ['/cxone', 'cxone'],
];

export interface ControlPeersOptions {
  /** Peer console URLs (default: `console.peers`). */
  peers?: readonly string[];
  timeoutMs?: number;
}

type Handler = (req: Request, res: Response, next: NextFunction) => Promise<void>;

/**
 * The control API across processes: with `console.peers` set (docker compose runs one container per
 * emulated system, each with its own console), this router, mounted before the local routes, makes
 * the console control every peer as if their services ran here. The lab's processes share no memory:
 *
 * - `GET /services` merges every peer's services; `GET /config` is this console's with `enabled`
 *   (and a missing `publicUrl`) taken from the peers;
 * - `POST /reset`, `POST /clock`, `DELETE /faults` and user writes go to every peer, then apply here;
 * - user reads come from the first peer; `GET /faults` concatenates every queue;
 * - `POST /faults` goes to the peer running the fault's `surface`; `/relying-parties*` to the adfs
 *   peer; `/oidc/*`, `/ids/*`, `/finesse/*` (its event stream included), `/cxone/*` to theirs;
 * - `GET /exchanges` merges every peer's log (by `at`, each `id` once), `/exchanges/stream` their streams.
 *
 * A peer's answer is passed on as it is (status and body, its JSON errors included). A peer that
 * does not answer is 502 ERR_CONTROL_PEER_UNREACHABLE. What no peer runs is left to this process.
 */
export function controlPeers(state: LabState, opts: ControlPeersOptions = {}): Router {
  const peers = opts.peers ?? state.config.console.peers;
  const po: PeerOptions = { timeoutMs: opts.timeoutMs ?? PEER_TIMEOUT_MS, ca: state.pki.caPem };
  const directory = new PeerDirectory(peers, po);
  const r = express.Router();

  const forgetOnFailure = async <T>(peer: string, work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ERR_CONTROL_PEER_UNREACHABLE') directory.forget(peer);
      throw e;
    }
  };
  const forward = (peer: string, req: Request, res: Response) => forgetOnFailure(peer, forwardTo(peer, req, res, po));
  /** Every peer's answer to one call; any peer that does not answer throws (after all have). */
  const everyPeer = async (call: PeerCall): Promise<PeerAnswer[]> => {
    const settled = await Promise.allSettled(peers.map((peer) => forgetOnFailure(peer, askPeer(peer, call, po))));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<PeerAnswer>).value);
  };
  /** Every peer's JSON answer, or the first refusal as the peer gave it (then `undefined`). */
  const everyPeerJson = async (req: Request, res: Response): Promise<unknown[] | undefined> => {
    const answers = await everyPeer(await peerCallFor(req));
    const refused = answers.find((a) => a.status >= 400);
    if (refused) {
      passAnswer(res, refused);
      return undefined;
    }
    return answers.map(answerJson);
  };

  /** Applied by every peer, then here (`next`: the local route answers); a peer's refusal stops it. */
  const broadcast: Handler = async (req, res, next) => {
    const answers = await everyPeer(await peerCallFor(req));
    const refused = answers.find((a) => a.status >= 400);
    if (refused) return passAnswer(res, refused);
    next();
  };
  const toService =
    (service: ServiceName): Handler =>
    async (req, res, next) => {
      const peer = await directory.running(service);
      if (peer === undefined) return next();
      await forward(peer, req, res);
    };

  r.get('/services', async (_req, res) => {
    const urls = new Map<ServiceName, string>(Object.entries(state.urls) as Array<[ServiceName, string]>);
    for (const { services } of await directory.all()) {
      for (const s of services) if (s.name !== 'console' && !urls.has(s.name)) urls.set(s.name, s.url);
    }
    res.json({ services: SERVICE_NAMES.filter((n) => urls.has(n)).map((name) => ({ name, url: urls.get(name)! })) });
  });
  r.get('/config', async (_req, res) => {
    const config = structuredClone(state.config) as LabConfig;
    for (const { services } of await directory.all()) {
      for (const s of services) {
        if (s.name === 'console') continue; // a peer's console is a peer, not this lab's console
        config[s.name].enabled = true;
        config[s.name].publicUrl ??= s.url;
      }
    }
    res.json(config);
  });

  r.post('/reset', broadcast);
  r.post('/clock', broadcast);
  r.delete('/faults', broadcast);
  r.post('/users', broadcast);
  r.put('/users/:username', broadcast);
  r.patch('/users/:username', broadcast);
  r.delete('/users/:username', broadcast);
  r.get(['/users', '/users/:username'], async (req, res, next) => {
    if (peers.length === 0) return next();
    await forward(peers[0]!, req, res);
  });

  r.get('/faults', async (req, res) => {
    const lists = await everyPeerJson(req, res);
    if (lists) res.json([...lists.flatMap((l) => (Array.isArray(l) ? l : [])), ...state.faults.list()]);
  });
  r.post('/faults', async (req, res, next) => {
    const surface = (req.body as { surface?: unknown } | undefined)?.surface;
    if (typeof surface !== 'string' || surface === 'console' || !(SERVICE_NAMES as readonly string[]).includes(surface)) return next();
    await toService(surface as ServiceName)(req, res, next);
  });

  for (const [path, service] of SERVICE_PATHS) r.all([path, `${path}/*rest`], toService(service));

  r.get('/exchanges', async (req, res) => {
    const lists = await everyPeerJson(req, res);
    if (lists) res.json(mergeExchanges(lists, req.query['limit']));
  });
  r.get('/exchanges/stream', async (req, res) => {
    const call = await peerCallFor(req);
    const settled = await Promise.allSettled(peers.map((peer) => forgetOnFailure(peer, openPeer(peer, call, po))));
    const opened = settled.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    const refused = opened.findIndex((m) => m !== undefined && !(m.headers['content-type'] ?? '').startsWith('text/event-stream'));
    if (!failed && refused < 0) return mergeEventStreams(opened as IncomingMessage[], res);
    opened.forEach((m, i) => (failed || i !== refused) && m?.destroy());
    if (failed) throw failed.reason;
    passAnswer(res, await readAnswer(peers[refused]!, call, opened[refused]!, po));
  });
  return r;
}

/** A console's `GET /exchanges` without `limit` answers its newest 100 (control-exchanges.ts). */
const DEFAULT_EXCHANGE_LIMIT = 100;

/**
 * Every peer's exchanges in one list, oldest first (by `at`), each `id` once; `limit` keeps the
 * most recent ones (default 100), as a single console's does.
 */
export function mergeExchanges(lists: readonly unknown[], limit: unknown): unknown[] {
  const seen = new Set<unknown>();
  const all: Array<{ at?: unknown; id?: unknown }> = [];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const e of list as Array<{ at?: unknown; id?: unknown }>) {
      if (e?.id !== undefined && seen.has(e.id)) continue;
      seen.add(e?.id);
      all.push(e);
    }
  }
  const time = (v: unknown) => (typeof v === 'number' ? v : Date.parse(String(v))) || 0;
  all.sort((a, b) => time(a?.at) - time(b?.at));
  const n = typeof limit === 'string' && /^[1-9]\d*$/.test(limit) ? Number(limit) : DEFAULT_EXCHANGE_LIMIT;
  return all.slice(-n);
}
