import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FinesseNotificationClient } from '../../../harness/src/clients/finesse/notification-client.js';
import type { PublishedNotification } from '../../src/finesse/xmpp/notification-service.js';
import { FinesseLab, userBody } from './finesse-lab.js';

/**
 * The control API's view of the notification service (`/api/finesse/notifications`,
 * `/notifications/stream`, `/connections` on the console): what was published (reference A.2.6),
 * to whom, live as Server-Sent Events, and which desktops are connected, with the control API's
 * JSON errors for a bad query. Desktops are the reference notification client.
 */

let f: FinesseLab;
beforeAll(async () => {
  f = await FinesseLab.start();
});
afterAll(() => f?.stop());
beforeEach(() => f.reset());

const clients: FinesseNotificationClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** A desktop of a fixture user, signed in the way Finesse expects of them (Basic password or IdS token). */
async function desktop(username: string, transport: 'websocket' | 'bosh'): Promise<FinesseNotificationClient> {
  const authorization = f.authorization(username);
  const password = authorization.startsWith('Bearer ') ? authorization.slice(7) : Buffer.from(authorization.slice(6), 'base64').toString().split(':')[1]!;
  const c = await FinesseNotificationClient.connect({ finesseUrl: f.lab.urls.finesse!, transport, loginId: f.loginIdOf(username), password, timeoutMs: 5000 });
  clients.push(c);
  return c;
}

async function control(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${f.console}/api/finesse${path}`);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, body: await res.json() };
}

const summary = (list: PublishedNotification[]) => list.map((n) => `${n.node} ${n.event} ${n.requestId || '-'}`);

/**
 * A reader of a `text/event-stream` response (HTML Living Standard §9.2.6): comment lines are
 * kept as `:text`, each event as its `data` (lines joined by \n).
 */
class EventStream {
  private buffer = '';
  private readonly events: string[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  private constructor(
    readonly res: Response,
    private readonly abort: AbortController,
  ) {
    void this.pump();
  }

  static async open(url: string): Promise<EventStream> {
    const abort = new AbortController();
    const res = await fetch(url, { signal: abort.signal });
    return new EventStream(res, abort);
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of this.res.body as unknown as AsyncIterable<Uint8Array>) {
        this.buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          const block = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end + 2);
          const lines = block.split('\n');
          const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
          this.events.push(data.length ? data.join('\n') : lines.join('\n'));
          this.wake?.();
        }
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
    this.wake?.();
  }

  /** The next event (or comment), within 5 s. */
  async next(): Promise<string> {
    const deadline = Date.now() + 5000;
    while (this.events.length === 0) {
      if (this.ended) throw new Error('test: the event stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('test: no server-sent event within 5 s');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => (clearTimeout(t), resolve());
      });
    }
    return this.events.shift()!;
  }

  /** The next `data:` event as JSON (comments skipped). */
  async nextData(): Promise<PublishedNotification> {
    for (;;) {
      const e = await this.next();
      if (!e.startsWith(':')) return JSON.parse(e) as PublishedNotification;
    }
  }

  close(): void {
    this.abort.abort();
  }
}

describe('GET /api/finesse/notifications', () => {
  it('lists what was published, oldest first, with the Update and the desktops it reached; node and limit filter', async () => {
    const c = await desktop('nonsso1', 'websocket');
    expect((await f.put('nonsso1', '/User/1003', userBody({ state: 'LOGIN', extension: '3003' }), { headers: { requestId: 'list-1' } })).status).toBe(202);
    await f.setState('nonsso1', 'READY');
    await f.login('agent1'); // nobody is listening for agent1; agent1 is in Team Sales

    const all = await control('/notifications');
    expect(all.status).toBe(200);
    const teamNode = all.body.find((n: PublishedNotification) => n.node.startsWith('/finesse/api/Team/'))?.node as string;
    expect(teamNode).toMatch(/^\/finesse\/api\/Team\/\d{4}\/Users$/);
    expect(summary(all.body)).toEqual([
      '/finesse/api/User/1003 PUT list-1',
      '/finesse/api/User/1003 PUT -',
      '/finesse/api/User/1001 PUT -',
      `${teamNode} PUT -`,
    ]);
    const first = all.body[0] as PublishedNotification;
    expect(Object.keys(first).sort()).toEqual(['at', 'deliveredTo', 'event', 'node', 'requestId', 'source', 'update']);
    expect(first.deliveredTo).toEqual([c.jid]);
    expect(first.source).toBe('/finesse/api/User/1003');
    expect(first.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // The same Update the desktop received, unescaped.
    expect(first.update).toBe((await c.waitForRequest('list-1')).xml);
    expect(all.body[2].deliveredTo).toEqual([]);

    const mine = await control(`/notifications?node=${encodeURIComponent('/finesse/api/User/1003')}`);
    expect(summary(mine.body)).toEqual(['/finesse/api/User/1003 PUT list-1', '/finesse/api/User/1003 PUT -']);
    expect((await control('/notifications?limit=1')).body).toEqual([all.body[3]]);
    expect(summary((await control(`/notifications?node=${encodeURIComponent('/finesse/api/User/1003')}&limit=1`)).body)).toEqual(['/finesse/api/User/1003 PUT -']);
    expect((await control('/notifications?node=%2Fnothing')).body).toEqual([]);
  });

  it('refuses a bad query with the control API error', async () => {
    for (const q of ['limit=0', 'limit=201', 'limit=many', 'node=', 'node=a&node=b', 'other=1']) {
      const r = await control(`/notifications?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code, q).toBe('ERR_CONTROL_INVALID');
      expect(r.body.error.details.issues.length, q).toBeGreaterThan(0);
    }
  });
});

describe('GET /api/finesse/notifications/stream', () => {
  it('sends each notification of a REST change as one data: event, and drops its listener when the client goes', async () => {
    const service = f.lab.state.finesse!.notifications;
    // Count live listeners through the public onPublish/unsubscribe pair.
    const original = service.onPublish;
    let live = 0;
    service.onPublish = (listener) => {
      live++;
      const off = original.call(service, listener);
      return () => {
        live--;
        return off();
      };
    };
    try {
      const stream = await EventStream.open(`${f.console}/api/finesse/notifications/stream`);
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(stream.res.headers.get('cache-control')).toBe('no-store');
      expect(await stream.next()).toBe(': connected');
      expect(live).toBe(1);

      const mine = await EventStream.open(`${f.console}/api/finesse/notifications/stream?node=${encodeURIComponent('/finesse/api/User/1001')}`);
      expect(await mine.next()).toBe(': connected');

      await f.put('nonsso1', '/User/1003', userBody({ state: 'LOGIN', extension: '3003' }), { headers: { requestId: 'sse-1' } });
      await f.put('agent1', '/User/1001', userBody({ state: 'LOGIN', extension: '3001' }), { headers: { requestId: 'sse-2' } });
      const published = (await control('/notifications')).body as PublishedNotification[];
      expect(summary(published).slice(0, 2)).toEqual(['/finesse/api/User/1003 PUT sse-1', '/finesse/api/User/1001 PUT sse-2']);
      // Every published notification, in order, exactly as the list shows it.
      for (const n of published) expect(await stream.nextData()).toEqual(n);
      // The filtered stream saw agent1's User node only.
      expect(await mine.nextData()).toEqual(published[1]);

      stream.close();
      mine.close();
      const deadline = Date.now() + 5000;
      while (live > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(live, 'the stream listeners are removed once the clients have gone').toBe(0);
    } finally {
      service.onPublish = original;
    }
  });

  it('refuses limit (a stream has none) with a JSON error before any event', async () => {
    const r = await control('/notifications/stream?limit=5');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('ERR_CONTROL_INVALID');
  });
});

describe('GET /api/finesse/connections', () => {
  it('lists the connected desktops and the agents waiting for a presence logout', async () => {
    expect((await control('/connections')).body).toEqual({ connections: [], pendingLogouts: [] });
    const ws = await desktop('nonsso1', 'websocket');
    const bosh = await desktop('agent1', 'bosh');
    const r = await control('/connections');
    expect(r.status).toBe(200);
    expect(r.body.pendingLogouts).toEqual([]);
    expect(r.body.connections.sort((a: { jid: string }, b: { jid: string }) => a.jid.localeCompare(b.jid))).toEqual([
      { jid: bosh.jid, transport: 'bosh', available: true },
      { jid: ws.jid, transport: 'websocket', available: true },
    ]);

    await f.login('nonsso1');
    f.lab.state.clock.freeze(); // so that lostAt is known (the reset of the next test unfreezes it)
    const lostAt = new Date(f.lab.state.clock.now()).toISOString();
    await ws.setUnavailable();
    const after = (await control('/connections')).body;
    expect(after.connections).toContainEqual({ jid: ws.jid, transport: 'websocket', available: false });
    expect(after.pendingLogouts).toEqual([{ loginId: '1003', lostAt }]);

    await ws.close();
    await bosh.close();
    expect((await control('/connections')).body.connections).toEqual([]);
  });
});
