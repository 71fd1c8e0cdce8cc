import express, { type Response } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { api } from '../helpers/peer-labs.js';

/**
 * The exchange log and the event streams across peers: `GET /exchanges` merged (by `at`, each `id`
 * once, the query passed to every peer), `/exchanges/stream` merged event by event, the Finesse
 * notifications stream piped from the peer running finesse. The peers here are small stand-ins that
 * speak a console's API, so the merge rules are checked against exact, known inputs.
 */
interface FakePeer {
  url: string;
  queries: Array<Record<string, unknown>>;
  /** Resolves when the hub closes a stream it opened here. */
  streamClosed: Promise<void>;
  server: Server;
}

async function fakePeer(services: string[], exchanges: unknown[], events: string[]): Promise<FakePeer> {
  let closed!: () => void;
  const streamClosed = new Promise<void>((resolve) => (closed = resolve));
  const queries: Array<Record<string, unknown>> = [];
  const app = express();
  let url = '';
  app.get('/api/services', (_req, res) => {
    res.json({ services: [...services, 'console'].map((name) => ({ name, url: `${url}/${name}` })) });
  });
  app.get('/api/exchanges', (req, res) => {
    queries.push({ ...req.query });
    if (req.query['since'] === 'bad') return void res.status(400).json({ error: { code: 'ERR_CONTROL_INVALID', message: 'since', details: {} } });
    res.json(exchanges);
  });
  const stream = (_req: unknown, res: Response) => {
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8' });
    res.flushHeaders();
    res.write(': connected\n\n');
    // Each event cut in two writes: the hub must put it back together before passing it on.
    for (const e of events) {
      res.write(e.slice(0, 5));
      res.write(e.slice(5));
    }
    res.on('close', closed);
  };
  app.put('/api/ids/idp-metadata', express.text({ type: () => true }), (req, res) => {
    res.status(200).json({ type: req.get('content-type'), body: req.body as string });
  });
  app.get('/api/exchanges/stream', stream);
  app.get('/api/finesse/notifications/stream', stream);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, queries, streamClosed, server };
}

/** Reads data lines of an event stream until `done` says so (a bounded number of chunks). */
async function readEvents(res: globalThis.Response, done: (data: string[]) => boolean): Promise<string[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (let i = 0; i < 200; i++) {
    const data = text.split(/\r?\n/).filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
    if (done(data)) {
      await reader.cancel();
      return data;
    }
    const { value, done: ended } = await reader.read();
    if (ended) break;
    text += decoder.decode(value, { stream: true });
  }
  throw new Error(`stream ended or stalled; got: ${text}`);
}

const at = (s: number) => `2026-01-01T00:00:0${s}.000Z`;
let p1: FakePeer;
let p2: FakePeer;
let hub: Lab;
beforeAll(async () => {
  p1 = await fakePeer(
    ['adfs'],
    [{ id: 'a1', at: at(2) }, { id: 'shared', at: at(1) }],
    ['id: a-1\ndata: {"id":"x1"}\n\n', 'data: {"id":"shared"}\n\n', 'data: {"id":"end-1"}\n\n'],
  );
  p2 = await fakePeer(
    ['ids', 'finesse'],
    [{ id: 'b1', at: at(3) }, { id: 'shared', at: at(1) }, { id: 'b0', at: at(0) }],
    ['data: {"id":"shared"}\r\n\r\n', 'data: {"id":"y1"}\n\n', 'data: {"id":"end-2"}\n\n'],
  );
  hub = await startTestLab({ services: ['console'], config: { console: { peers: [p1.url, p2.url] } } });
});
afterAll(async () => {
  await hub?.stop();
  for (const p of [p1, p2]) {
    p?.server.closeAllConnections();
    p?.server.close();
  }
});

describe('central console: the exchange log', () => {
  it('merges every peer’s exchanges oldest first, each id once, and passes the query on', async () => {
    const r = await api(hub.urls.console!, 'GET', '/exchanges?since=2026-01-01T00%3A00%3A00Z&service=adfs');
    expect(r.status).toBe(200);
    expect(r.body.map((e: { id: string }) => e.id)).toEqual(['b0', 'shared', 'a1', 'b1']);
    for (const p of [p1, p2]) expect(p.queries.at(-1)).toEqual({ since: '2026-01-01T00:00:00Z', service: 'adfs' });
  });

  it('keeps the most recent ones with limit', async () => {
    const r = await api(hub.urls.console!, 'GET', '/exchanges?limit=2');
    expect(r.body.map((e: { id: string }) => e.id)).toEqual(['a1', 'b1']);
  });

  it('passes a peer’s refusal of the query on', async () => {
    const r = await api(hub.urls.console!, 'GET', '/exchanges?since=bad');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('ERR_CONTROL_INVALID');
  });
});

describe('central console: bodies that are not JSON', () => {
  it('passes a raw body (the IdP metadata XML) on as it came, with its content type', async () => {
    const xml = '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:x"/>';
    const res = await fetch(`${hub.urls.console}/api/ids/idp-metadata`, { method: 'PUT', body: xml, headers: { 'content-type': 'application/samlmetadata+xml' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ type: 'application/samlmetadata+xml', body: xml });
  });

  it('refuses malformed JSON itself, as every console does, before asking any peer', async () => {
    const res = await fetch(`${hub.urls.console}/api/users`, { method: 'POST', body: '{"username":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_HTTP_BAD_REQUEST');
  });
});

describe('central console: event streams', () => {
  it('merges the peers’ exchange streams event by event, dropping one seen before, and closes them when the client goes', async () => {
    const res = await fetch(`${hub.urls.console}/api/exchanges/stream`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const data = await readEvents(res, (d) => d.includes('{"id":"end-1"}') && d.includes('{"id":"end-2"}'));
    expect([...data].sort()).toEqual(['{"id":"end-1"}', '{"id":"end-2"}', '{"id":"shared"}', '{"id":"x1"}', '{"id":"y1"}']);
    await Promise.all([p1.streamClosed, p2.streamClosed]);
  });

  it('pipes the Finesse notifications stream from the peer running finesse', async () => {
    const res = await fetch(`${hub.urls.console}/api/finesse/notifications/stream`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const data = await readEvents(res, (d) => d.includes('{"id":"end-2"}'));
    expect(data).toEqual(['{"id":"shared"}', '{"id":"y1"}', '{"id":"end-2"}']);
  });
});
