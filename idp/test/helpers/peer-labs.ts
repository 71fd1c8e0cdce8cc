import { createServer, type Server } from 'node:net';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';

/**
 * The docker compose layout in one process: an AD FS lab and an OpenID Provider lab, each with its
 * own console, and a central console (no service of its own) whose `console.peers` are those two.
 * The labs share nothing, as containers do, and as in compose every console's public URL is the
 * central one's (so the AD FS lab's sample SP names the central console's ACS).
 */
export interface PeerLabs {
  adfsLab: Lab;
  oidcLab: Lab;
  hub: Lab;
  /** Where the peers' own consoles really listen (their `urls.console` is the hub's). */
  adfsConsole: string;
  oidcConsole: string;
  stop(): Promise<void>;
}

export async function startPeerLabs(): Promise<PeerLabs> {
  const [hubUrl, adfsConsole, oidcConsole] = await Promise.all([freeUrl(), freeUrl(), freeUrl()]);
  const peer = (url: string) => ({ port: Number(new URL(url).port), publicUrl: hubUrl });
  const [adfsLab, oidcLab] = await Promise.all([
    startTestLab({ services: ['adfs', 'console'], config: { console: peer(adfsConsole) } }),
    startTestLab({ services: ['oidc', 'console'], config: { console: peer(oidcConsole) } }),
  ]);
  const hub = await startTestLab({
    services: ['console'],
    config: { console: { port: Number(new URL(hubUrl).port), publicUrl: hubUrl, peers: [adfsConsole, oidcConsole] } },
  });
  return {
    adfsLab,
    oidcLab,
    hub,
    adfsConsole,
    oidcConsole,
    stop: async () => {
      await Promise.all([hub.stop(), adfsLab.stop(), oidcLab.stop()]);
    },
  };
}

export interface ApiAnswer {
  status: number;
  type: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes
}

/** One control-API call to the console at `consoleUrl`. */
export async function api(consoleUrl: string, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const res = await fetch(`${consoleUrl}/api${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left as text: the assertions on `type` say what went wrong
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: parsed };
}

/** A loopback URL where nothing listens (a port that was free a moment ago). */
export async function freeUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A peer that accepts connections and never answers. */
export async function silentPeer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
