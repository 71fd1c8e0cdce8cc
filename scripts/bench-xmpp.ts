/**
 * The notification part of `npm run bench`: Finesse's XMPP notification service (reference A.2.6)
 * measured with the reference client (`FinesseNotificationClient`) against a lab in a separate
 * process (plain HTTP, loopback, the server core), with references measured in the same run.
 *
 *  1. Latency: one desktop (WebSocket, then BOSH) of the non-SSO agent nonsso1, signed in on
 *     3003; each sample is a PUT of READY or NOT_READY (with a reason code) carrying a unique
 *     `requestId`, timed from sending it to the `<Update>` with that requestId at the desktop.
 *     Reference: one HTTP request to a bare `node:http` server answering 202 plus one message
 *     round trip on a bare `ws` echo server, both in this process: the least a REST-then-push
 *     exchange costs on this loopback. The ratio p50 / reference p50 is information.
 *  2. Steady events: N agents created through the control API, one WebSocket desktop each from
 *     this process, every agent signed in, then each agent changes state about once a second for
 *     a bounded window, at N = 100, 250, 500, 1000 (stopped at the first step that fails, does
 *     not hold, or would overrun the time budget). Per step: whether every desktop got every
 *     event, events delivered per second, the lag from the REST 202 to the event at the desktop,
 *     the lab's resident memory per desktop (VmRSS at the step minus before the first desktop,
 *     ÷ N; the V8 heap in use the same way; both read after a full GC, see Inspector) and its
 *     CPU-seconds per delivered event. Reference: a bare `ws` server in its own process
 *     (bench-bare-ws.ts) holding the same N connections, driven by the same schedule of PUTs,
 *     each answered by one message of the lab's notification size. "Desktops held": the largest
 *     step where every desktop got every event (so stayed connected), at ≥ 90 % of the pace, with
 *     the lag p95 under 1 s.
 * The issue sets no targets for this part: every row is information. Whether a step held depends
 * on the machine: the `srv wait` column shows how long the lab waited for its core (other load).
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { DOMParser } from '@xmldom/xmldom';
import { WebSocket, WebSocketServer } from 'ws';
import { FinesseNotificationClient, type FinesseUpdate } from '../harness/src/clients/finesse/notification-client.js';
import { projectRoot } from '../idp/src/shared/paths.js';
import { escapeText } from '../idp/src/shared/xml/escape.js';
import { cpuSeconds } from './bench-oidc.js';
import { CLI, freePort, get, rssMb, spawnServer, stop, waitHealthy, type Row } from './bench-process.js';

const BARE_WS = join(projectRoot, 'dist', 'scripts', 'bench-bare-ws.js');

/** Part 1: per transport, a warm-up, then at most `samples` or `maxMs`, whichever ends first. */
const LATENCY = { warm: 30, samples: 300, maxMs: 5000 };
/** Part 2: the steps, the steady window of each, and how long late events are waited for. */
const STEPS = [100, 250, 500, 1000];
const WINDOW_MS = 4000;
const GRACE_MS = 2000;
/** A step "holds" when every desktop got every event at the pace and the lag p95 stays under this. */
const LAG_BOUND_MS = 1000;
/** Connecting and signing in the new desktops of one step must take less than this. */
const SETUP_BOUND_MS = 20_000;
/** No step starts after this much of the part has gone (the whole part stays near a minute). */
const BUDGET_MS = 42_000;
/** Desktops connecting (or signing in) at once. */
const CONNECT_CONCURRENCY = 50;
/** Keep-alive sockets of the REST load: far above what 1000 requests/s keep in flight on a loopback. */
const HTTP_SOCKETS = 64;
const WAIT_MS = 5000;

const NONSSO1 = { username: 'nonsso1', password: 'NonSso1Pass!', loginId: '1003', extension: '3003' };
/** The bench agents (control API): loginIds and extensions far from the fixtures'. */
const benchAgent = (i: number) => ({
  username: `benchagent${i}`,
  password: `BenchPass${i}!`,
  loginId: String(50_000 + i),
  extension: String(60_000 + i),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/**
 * A DevTools protocol session with a server started with `--inspect` on a loopback port, used for
 * one thing: a full garbage collection (HeapProfiler.collectGarbage) before reading VmRSS. Without
 * it a reading holds whatever garbage and heap slack the last burst left (creating the 1000 agents
 * alone adds ~25 MB that a collection gives back), and per-desktop figures drown in it. No domain
 * is enabled, so the session costs the server nothing in between.
 */
class Inspector {
  private lastId = 0;
  private readonly pending = new Map<number, (result: Record<string, unknown>) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown> };
      if (msg.id === undefined) return;
      this.pending.get(msg.id)?.(msg.result ?? {});
      this.pending.delete(msg.id);
    });
  }

  static async open(port: number): Promise<Inspector> {
    const targets = JSON.parse((await get(`http://127.0.0.1:${port}/json/list`)).body) as Array<{ webSocketDebuggerUrl?: string }>;
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on 127.0.0.1:${port}`);
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
    return new Inspector(ws);
  }

  /** A full collection, bounded. */
  async gc(): Promise<void> {
    await this.call('HeapProfiler.collectGarbage');
  }

  /** The V8 heap in use (bytes). */
  async heapUsed(): Promise<number> {
    return Number((await this.call('Runtime.getHeapUsage'))['usedSize']);
  }

  private call(method: string): Promise<Record<string, unknown>> {
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => (this.pending.delete(id), reject(new Error(`no answer to ${method} within 5 s`))), 5000);
      this.pending.set(id, (result) => (clearTimeout(timer), resolve(result)));
      this.ws.send(JSON.stringify({ id, method }));
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Resident memory and the V8 heap in use, in MB. */
interface Memory {
  rssMb: number;
  heapMb: number;
}

/** VmRSS and the heap in use after a full collection (and a moment for the sweeper to hand pages back). */
async function memoryAfterGc(server: { child: ChildProcess; inspector: Inspector }): Promise<Memory> {
  await server.inspector.gc();
  await sleep(150);
  const heap = await server.inspector.heapUsed();
  return { rssMb: rssMb(server.child.pid!), heapMb: heap / 1024 / 1024 };
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

const stateBody = (state: string, extra = '') => `<User><state>${state}</state>${extra}</User>`;

/** One HTTP request on `agent`; the status and body. */
function send(method: string, url: string, agent: Agent, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const h = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const r = request(url, { method, agent, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

/** `count` tasks, `concurrency` at once; the first failure rejects. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/**
 * Seconds the process's threads have spent runnable but waiting for a CPU (schedstat's run delay):
 * on a shared machine, what tells a server that was starved from one that was slow. NaN without
 * schedstat.
 */
function runDelaySeconds(pid: number): number {
  let ns = 0;
  let threads = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
      threads++;
    } catch {
      /* the thread ended meanwhile, or no schedstat (kernel without CONFIG_SCHEDSTATS) */
    }
  }
  return threads > 0 ? ns / 1e9 : NaN;
}

/** ' (the <what> process has exited: …)' when it has, for error messages. */
function exited(child: ChildProcess, what: string): string {
  if (child.exitCode === null && child.signalCode === null) return '';
  return ` (the ${what} process has exited: ${child.signalCode ?? `code ${child.exitCode}`})`;
}


// --- requests and their events --------------------------------------------------------------

interface Sent {
  id: string;
  desk: number;
  sentAt: number;
  respAt: number;
  evtAt: number;
  status: number;
  /** The child of `<data>`: 'user', or 'apiErrors' when the lab refused the change. */
  kind: string;
}

/** Every request in flight by requestId, and what each desktop reported. */
class Tracker {
  private readonly open = new Map<string, Sent>();
  private readonly waiters = new Map<string, (t: number) => void>();
  /** Sizes of the notification frames seen (a sample). */
  readonly frameBytes: number[] = [];

  sent(id: string, desk: number): Sent {
    const s: Sent = { id, desk, sentAt: performance.now(), respAt: NaN, evtAt: NaN, status: 0, kind: '' };
    this.open.set(id, s);
    return s;
  }

  event(id: string, at: number, kind: string): void {
    const s = this.open.get(id);
    if (s && Number.isNaN(s.evtAt)) {
      s.evtAt = at;
      s.kind = kind;
    }
    const w = this.waiters.get(id);
    if (w) {
      this.waiters.delete(id);
      w(at);
    }
  }

  /** When the event of `id` arrives (performance.now()); rejects after `ms`. */
  waitEvent(id: string, ms = WAIT_MS): Promise<number> {
    const arrived = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`no notification for requestId ${id} within ${ms} ms`));
      }, ms);
      this.waiters.set(id, (t) => (clearTimeout(timer), resolve(t)));
    });
    // Awaited only after the PUT: when the PUT fails first, that error is the one reported.
    arrived.catch(() => undefined);
    return arrived;
  }

  clear(): void {
    this.open.clear();
  }
}

/**
 * The bytes of the `<message>` that carried `u`, rebuilt as the lab writes it (reference A.2.6):
 * the client hands over the parsed Update only. Used to size the bare server's messages.
 */
function frameBytes(u: FinesseUpdate, to: string, domain: string): number {
  const escaped = escapeText(u.xml);
  return Buffer.byteLength(
    `<message xmlns="jabber:client" from="pubsub.${domain}" to="${to}" id="AAAAAAAA"><event xmlns="http://jabber.org/protocol/pubsub#event">` +
      `<items node="${u.node}"><item id="${randomUUID()}"><notification xmlns="urn:xmpp:push:0">${escaped}</notification></item></items></event></message>`,
  );
}

// --- the lab and the bare server in their processes ------------------------------------------

interface LabProcess {
  child: ChildProcess;
  inspector: Inspector;
  finesse: string;
  console: string;
  domain: string;
  stderr: () => string;
}

/** The built CLI with IdS, Finesse and the console over plain HTTP on free ports. */
async function startLab(): Promise<LabProcess> {
  const [ids, finesse, consolePort, inspect] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const finesseUrl = `http://127.0.0.1:${finesse}`;
  const env = {
    ...process.env,
    IDP_HARNESS__IDS__PORT: String(ids),
    IDP_HARNESS__FINESSE__PORT: String(finesse),
    // The XMPP domain is the public URL's host name: 127.0.0.1 keeps name resolution out of it.
    IDP_HARNESS__FINESSE__PUBLIC_URL: finesseUrl,
    IDP_HARNESS__CONSOLE__PORT: String(consolePort),
    IDP_HARNESS__LOG__LEVEL: 'warn',
  };
  const child = spawnServer([CLI, 'up', '--plain-http', '--only', 'ids,finesse,console'], env, [`--inspect=127.0.0.1:${inspect}`]);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-20_000)));
  const consoleUrl = `http://127.0.0.1:${consolePort}`;
  try {
    await waitHealthy([`${finesseUrl}/healthz`, `http://127.0.0.1:${ids}/healthz`, `${consoleUrl}/healthz`], 10_000);
    const inspector = await Inspector.open(inspect);
    return { child, inspector, finesse: finesseUrl, console: consoleUrl, domain: '127.0.0.1', stderr: () => stderr };
  } catch (e) {
    await stop(child);
    throw new Error(`${(e as Error).message}\nlab stderr:\n${stderr}`);
  }
}

async function startBare(): Promise<{ child: ChildProcess; inspector: Inspector; url: string; stderr: () => string }> {
  const [port, inspect] = [await freePort(), await freePort()];
  const child = spawnServer([BARE_WS, String(port)], { ...process.env }, [`--inspect=127.0.0.1:${inspect}`]);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy([`${url}/healthz`], 10_000);
    return { child, inspector: await Inspector.open(inspect), url, stderr: () => stderr };
  } catch (e) {
    await stop(child);
    throw new Error(`${(e as Error).message}\nbare ws stderr:\n${stderr}`);
  }
}

/** The first NOT_READY reason code the agent may give (GET …/ReasonCodes?category=NOT_READY, reference A.2.4). */
async function notReadyReason(lab: LabProcess, agent: Agent, loginId: string, auth: string): Promise<string> {
  const res = await send('GET', `${lab.finesse}/finesse/api/User/${loginId}/ReasonCodes?category=NOT_READY`, agent, { authorization: auth });
  const id = new DOMParser().parseFromString(res.body, 'text/xml').getElementsByTagName('id')[0]?.textContent?.trim();
  if (res.status !== 200 || !id) throw new Error(`reason codes of ${loginId}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  return id;
}

// --- part 1: latency ------------------------------------------------------------------------

interface Latency {
  samples: number[];
  frameBytes: number;
}

/** Samples of `sample()` (ms): a warm-up, then at most LATENCY.samples or LATENCY.maxMs. */
async function sampleLoop(sample: (i: number) => Promise<number>): Promise<number[]> {
  for (let i = 0; i < LATENCY.warm; i++) await sample(i);
  const out: number[] = [];
  const t0 = performance.now();
  while (out.length < LATENCY.samples && performance.now() - t0 < LATENCY.maxMs) out.push(await sample(LATENCY.warm + out.length));
  return out;
}

/** nonsso1's desktop on `transport`: READY / NOT_READY toggles, each timed from the PUT to its Update. */
async function labLatency(lab: LabProcess, agent: Agent, client: FinesseNotificationClient, tracker: Tracker, reason: string, tag: string): Promise<Latency> {
  const auth = basic(NONSSO1.username, NONSSO1.password);
  const url = `${lab.finesse}/finesse/api/User/${NONSSO1.loginId}`;
  let next = 'READY';
  const sizes: number[] = [];
  const off = client.on('update', (u) => {
    if (sizes.length < 20 && u.kind === 'user') sizes.push(frameBytes(u, `${NONSSO1.loginId}@${lab.domain}`, lab.domain));
  });
  const samples = await sampleLoop(async (i) => {
    const id = `${tag}-${i}`;
    const t0 = performance.now();
    const arrived = tracker.waitEvent(id);
    const body = next === 'READY' ? stateBody('READY') : stateBody('NOT_READY', `<reasonCodeId>${reason}</reasonCodeId>`);
    const res = await send('PUT', url, agent, { authorization: auth, 'content-type': 'application/xml', requestId: id }, body);
    if (res.status !== 202) throw new Error(`PUT ${next}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    const t1 = await arrived;
    next = next === 'READY' ? 'NOT_READY' : 'READY';
    return t1 - t0;
  });
  off();
  return { samples, frameBytes: percentile(sizes, 50) };
}

/** The reference: an HTTP 202 from a bare node:http server, then a message echoed by a bare ws server, in this process. */
async function referenceLatency(bytes: number): Promise<number[]> {
  const http: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(202).end());
  });
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => (wss.address() ? r() : wss.once('listening', () => r())));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, { perMessageDeflate: false });
  try {
    await new Promise<void>((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/finesse/api/User/${NONSSO1.loginId}`;
    const message = 'x'.repeat(bytes);
    const headers = { authorization: basic(NONSSO1.username, NONSSO1.password), 'content-type': 'application/xml' };
    return await sampleLoop(async (i) => {
      const t0 = performance.now();
      const res = await send('PUT', url, agent, { ...headers, requestId: `ref-${i}` }, stateBody('READY'));
      if (res.status !== 202) throw new Error(`reference HTTP server: ${res.status}`);
      const echoed = new Promise<void>((resolve) => ws.once('message', () => resolve()));
      ws.send(message);
      await echoed;
      return performance.now() - t0;
    });
  } finally {
    ws.terminate();
    agent.destroy();
    wss.close();
    await new Promise((r) => http.close(r));
  }
}

// --- part 2: steady events ------------------------------------------------------------------

interface Window {
  n: number;
  seconds: number;
  sent: number;
  /** An agent's turn came while its previous request was still unanswered. */
  skipped: number;
  /** Non-202 answers or network errors. */
  failed: number;
  /** Accepted (202) but no event by the end of the grace period. */
  missing: number;
  /** Events that were a refusal (`<apiErrors>`) instead of the new state. */
  refused: number;
  /** Agents who fired in the window and got no event at all. */
  silent: number;
  eventsPerSecond: number;
  lagP50: number;
  lagP95: number;
  /** From sending the PUT (not from its answer) to the event. */
  requestLagP95: number;
  /** The server's memory after the window, after a full collection. */
  memory: Memory;
  cpuPerEvent: number;
  /** CPU the server used during the window, as a fraction of one core. */
  serverBusy: number;
  /** Time the server's threads waited for a CPU during the window, as a fraction of it (others' load on a shared machine). */
  serverWait: number;
  /** CPU this process (the desktops and the REST load) used during the window, as a fraction of one core. */
  clientBusy: number;
}

/**
 * The steady load: agent i's k-th request at k s + i/n s after the start, skipped when its previous
 * one is unanswered, for WINDOW_MS; then up to GRACE_MS for the last events. Rates and CPU are
 * over the window; lags over every event of the window's requests (0 when the event arrived
 * before the 202: the lab publishes during the request).
 */
async function steady(
  n: number,
  tag: string,
  server: { child: ChildProcess; inspector: Inspector },
  tracker: Tracker,
  fire: (i: number, id: string) => Promise<number>,
): Promise<Window> {
  const pid = server.child.pid!;
  tracker.clear();
  const sent: Sent[] = [];
  const busy = new Uint8Array(n);
  let skipped = 0;
  const slots = n * Math.floor(WINDOW_MS / 1000);
  let j = 0;
  const client0 = process.cpuUsage();
  const cpu0 = cpuSeconds(pid);
  const wait0 = runDelaySeconds(pid);
  const t0 = performance.now();
  for (;;) {
    const elapsed = performance.now() - t0;
    if (elapsed >= WINDOW_MS) break;
    for (; j < slots && (j / n) * 1000 <= elapsed; j++) {
      const i = j % n;
      if (busy[i]) {
        skipped++;
        continue;
      }
      busy[i] = 1;
      const s = tracker.sent(`${tag}-${i}-${Math.floor(j / n)}`, i);
      sent.push(s);
      fire(i, s.id).then(
        (status) => ((s.status = status), (s.respAt = performance.now()), (busy[i] = 0)),
        () => ((s.status = -1), (s.respAt = performance.now()), (busy[i] = 0)),
      );
    }
    await sleep(2);
  }
  const t1 = performance.now();
  const cpu1 = cpuSeconds(pid);
  const wait1 = runDelaySeconds(pid);
  const client = process.cpuUsage(client0);
  const pending = () => sent.some((s) => Number.isNaN(s.respAt) || (s.status === 202 && Number.isNaN(s.evtAt)));
  while (pending() && performance.now() - t1 < GRACE_MS) await sleep(10);
  const memory = await memoryAfterGc(server);

  const delivered = sent.filter((s) => !Number.isNaN(s.evtAt));
  const inWindow = delivered.filter((s) => s.evtAt <= t1).length;
  const lags = delivered.filter((s) => !Number.isNaN(s.respAt)).map((s) => Math.max(0, s.evtAt - s.respAt));
  const fired = new Set(sent.map((s) => s.desk));
  const heard = new Set(delivered.map((s) => s.desk));
  return {
    n,
    seconds: (t1 - t0) / 1000,
    sent: sent.length,
    skipped,
    failed: sent.filter((s) => s.status !== 202).length,
    missing: sent.filter((s) => s.status === 202 && Number.isNaN(s.evtAt)).length,
    refused: delivered.filter((s) => s.kind !== 'user').length,
    silent: [...fired].filter((d) => !heard.has(d)).length,
    eventsPerSecond: inWindow / ((t1 - t0) / 1000),
    lagP50: percentile(lags, 50),
    lagP95: percentile(lags, 95),
    requestLagP95: percentile(
      delivered.map((s) => s.evtAt - s.sentAt),
      95,
    ),
    memory,
    cpuPerEvent: (cpu1 - cpu0) / Math.max(1, inWindow),
    serverBusy: (cpu1 - cpu0) / ((t1 - t0) / 1000),
    serverWait: (wait1 - wait0) / ((t1 - t0) / 1000),
    clientBusy: (client.user + client.system) / 1e6 / ((t1 - t0) / 1000),
  };
}

/**
 * Every desktop got every event of the window, the lag p95 is under the bound, and the events kept
 * pace with the schedule (≥ 90 % of one per desktop per second): a lab that falls behind answers
 * late, turns are skipped, and the 202→Update lag alone would not show it.
 */
function holds(w: Window): boolean {
  return w.failed === 0 && w.missing === 0 && w.refused === 0 && w.silent === 0 && w.lagP95 < LAG_BOUND_MS && w.eventsPerSecond >= 0.9 * w.n;
}

interface Step {
  n: number;
  lab: Window;
  bare: Window;
  labBase: Memory;
  bareBase: Memory;
  frameBytes: number;
  setupSeconds: number;
}

const kb = (mb: number) => mb * 1024;
const rssPerConnKb = (w: Window, base: Memory) => kb(w.memory.rssMb - base.rssMb) / w.n;
const heapPerConnKb = (w: Window, base: Memory) => kb(w.memory.heapMb - base.heapMb) / w.n;

async function steadyPart(lab: LabProcess, partStart: number, log: string[]): Promise<Step[]> {
  const bare = await startBare();
  const tracker = new Tracker();
  const agent = new Agent({ keepAlive: true, maxSockets: HTTP_SOCKETS });
  const desks: Array<{ auth: string; loginId: string; next: 'READY' | 'NOT_READY'; client?: FinesseNotificationClient }> = [];
  const bareSockets: WebSocket[] = [];
  const steps: Step[] = [];
  const max = STEPS[STEPS.length - 1]!;
  try {
    // Every agent exists before the first desktop, so that the memory baseline holds them all.
    await pool(max, 16, async (i) => {
      const a = benchAgent(i);
      const user = {
        username: a.username,
        password: a.password,
        upn: `${a.username}@lab.example`,
        email: `${a.username}@lab.example`,
        givenName: 'Bench',
        surname: `Agent ${i}`,
        groups: ['Agents', 'Team A'],
        finesse: { loginId: a.loginId, extension: a.extension, sso: false },
      };
      const res = await send('POST', `${lab.console}/api/users`, agent, { 'content-type': 'application/json' }, JSON.stringify(user));
      if (res.status !== 201) throw new Error(`POST /api/users ${a.username}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
      desks.push({ auth: basic(a.username, a.password), loginId: a.loginId, next: 'READY' });
    });
    desks.sort((x, y) => Number(x.loginId) - Number(y.loginId));
    const reason = await notReadyReason(lab, agent, desks[0]!.loginId, desks[0]!.auth);
    const headers = (i: number, id: string) => ({ authorization: desks[i]!.auth, 'content-type': 'application/xml', requestId: id });
    const bodyFor = (state: 'READY' | 'NOT_READY') => (state === 'READY' ? stateBody('READY') : stateBody('NOT_READY', `<reasonCodeId>${reason}</reasonCodeId>`));
    await sleep(500);
    const labBase = await memoryAfterGc(lab);
    const bareBase = await memoryAfterGc(bare);
    let frame = 1500;
    let connected = 0;

    for (const n of STEPS) {
      if (performance.now() - partStart > BUDGET_MS) {
        log.push(`  step ${n} not run: the part has used ${((performance.now() - partStart) / 1000).toFixed(0)} s of its ~60 s`);
        break;
      }
      // The new desktops of this step: connect (bound, available presence), then LOGIN on the extension.
      const setup0 = performance.now();
      const from = connected;
      await pool(n - from, CONNECT_CONCURRENCY, async (k) => {
        const i = from + k;
        const a = benchAgent(i);
        const client = await FinesseNotificationClient.connect({ finesseUrl: lab.finesse, transport: 'websocket', loginId: a.loginId, password: a.password, timeoutMs: 10_000 });
        client.on('update', (u) => {
          tracker.event(u.requestId, performance.now(), u.kind);
          if (tracker.frameBytes.length < 200 && u.kind === 'user') tracker.frameBytes.push(frameBytes(u, `${a.loginId}@${lab.domain}`, lab.domain));
        });
        desks[i]!.client = client;
      });
      connected = n;
      await pool(n - from, CONNECT_CONCURRENCY, async (k) => {
        const i = from + k;
        const id = `login-${i}`;
        const arrived = tracker.waitEvent(id);
        const res = await send('PUT', `${lab.finesse}/finesse/api/User/${desks[i]!.loginId}`, agent, headers(i, id), stateBody('LOGIN', `<extension>${benchAgent(i).extension}</extension>`));
        if (res.status !== 202) throw new Error(`LOGIN ${desks[i]!.loginId}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
        await arrived;
        desks[i]!.next = 'READY'; // LOGIN leaves the agent NOT_READY (reference A.2.4)
      });
      // The bare server's connections for this step.
      await pool(n - bareSockets.length, CONNECT_CONCURRENCY, async () => {
        const c = bareSockets.length;
        const ws = new WebSocket(`ws://127.0.0.1:${new URL(bare.url).port}/ws?c=${c}`, { perMessageDeflate: false });
        bareSockets.push(ws);
        ws.on('message', (data: Buffer) => tracker.event(data.toString('latin1', 0, data.indexOf(10)), performance.now(), 'user'));
        await new Promise<void>((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
      });
      const setupSeconds = (performance.now() - setup0) / 1000;
      if (setupSeconds * 1000 > SETUP_BOUND_MS) throw new Error(`step ${n}: connecting and signing in took ${setupSeconds.toFixed(1)} s (bound ${SETUP_BOUND_MS / 1000} s)`);

      const labWindow = await steady(n, `s${n}`, lab, tracker, async (i, id) => {
        const d = desks[i]!;
        const res = await send('PUT', `${lab.finesse}/finesse/api/User/${d.loginId}`, agent, headers(i, id), bodyFor(d.next));
        if (res.status === 202) d.next = d.next === 'READY' ? 'NOT_READY' : 'READY';
        return res.status;
      });
      if (tracker.frameBytes.length > 0) frame = Math.round(percentile(tracker.frameBytes, 50));
      // The client keeps every update; the bench's own tracker has what it needs.
      for (const d of desks) d.client?.updates.splice(0);
      const bareWindow = await steady(n, `b${n}`, bare, tracker, async (i, id) => {
        const res = await send('PUT', `${bare.url}/push/${i}?size=${frame}`, agent, headers(i, id), bodyFor(desks[i]!.next));
        return res.status;
      });
      steps.push({ n, lab: labWindow, bare: bareWindow, labBase, bareBase, frameBytes: frame, setupSeconds });
      if (!holds(labWindow)) {
        if (n !== max) log.push(`  stopped after ${n} desktops: the step did not hold`);
        break;
      }
    }
    return steps;
  } catch (e) {
    throw new Error(`${(e as Error).message}${exited(lab.child, 'lab')}${exited(bare.child, 'bare ws server')}\nlab stderr:\n${lab.stderr()}\nbare ws stderr:\n${bare.stderr()}`);
  } finally {
    // Close every desktop (unavailable presence, end of stream), bounded, then the bare sockets.
    await Promise.race([Promise.all(desks.map((d) => d.client?.close().catch(() => undefined))), sleep(5000)]);
    for (const ws of bareSockets) ws.terminate();
    agent.destroy();
    bare.inspector.close();
    await stop(bare.child);
  }
}

// --- the part -------------------------------------------------------------------------------

const ms = (x: number) => (Number.isNaN(x) ? 'n/a' : x < 10 ? x.toFixed(2) : x.toFixed(0));

/** Rows for bench.ts's table (all information: the issue sets no targets for this part). */
export async function notificationPart(): Promise<Row[]> {
  const partStart = performance.now();
  const lab = await startLab();
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const tracker = new Tracker();
  const log: string[] = [];
  const clients: FinesseNotificationClient[] = [];
  try {
    // 1. Latency, nonsso1 signed in on its extension; the WebSocket desktop first, then BOSH.
    const auth = basic(NONSSO1.username, NONSSO1.password);
    const connect = async (transport: 'websocket' | 'bosh') => {
      const c = await FinesseNotificationClient.connect({ finesseUrl: lab.finesse, transport, loginId: NONSSO1.loginId, password: NONSSO1.password, timeoutMs: 10_000 });
      c.on('update', (u) => tracker.event(u.requestId, performance.now(), u.kind));
      clients.push(c);
      return c;
    };
    const ws = await connect('websocket');
    const loggedIn = tracker.waitEvent('lat-login');
    const login = await send('PUT', `${lab.finesse}/finesse/api/User/${NONSSO1.loginId}`, agent, { authorization: auth, 'content-type': 'application/xml', requestId: 'lat-login' }, stateBody('LOGIN', `<extension>${NONSSO1.extension}</extension>`));
    if (login.status !== 202) throw new Error(`LOGIN nonsso1: HTTP ${login.status} ${login.body.slice(0, 300)}`);
    await loggedIn;
    const reason = await notReadyReason(lab, agent, NONSSO1.loginId, auth);
    const wsLat = await labLatency(lab, agent, ws, tracker, reason, 'lat-ws');
    // The BOSH desktop connects before the WebSocket one leaves: the agent is never without a desktop.
    const bosh = await connect('bosh');
    await ws.close();
    const boshLat = await labLatency(lab, agent, bosh, tracker, reason, 'lat-bosh');
    await bosh.close();
    const ref = await referenceLatency(wsLat.frameBytes);

    // 2. Steady events with N desktops.
    const steps = await steadyPart(lab, partStart, log);

    const refP50 = percentile(ref, 50);
    const rows: Row[] = [
      [`reference: HTTP 202 + ws echo of ${wsLat.frameBytes} B, same process, p50 (ms, ${ref.length})`, ms(refP50), `p95 ${ms(percentile(ref, 95))} ms`],
    ];
    for (const [name, lat] of [
      ['WebSocket', wsLat],
      ['BOSH', boshLat],
    ] as const) {
      const p50 = percentile(lat.samples, 50);
      rows.push(
        [`notification latency over ${name}, PUT → Update, p50 (ms, ${lat.samples.length})`, ms(p50), `p95 ${ms(percentile(lat.samples, 95))} ms`],
        [`ratio ${name} latency p50 / reference p50 (info)`, (p50 / refP50).toFixed(1), ''],
      );
    }

    // The step table: every measured step, lab and bare side by side.
    const header = ['desktops', 'held', 'events/s l/b', '202→Update p50/p95 ms', 'PUT→Update p95 l/b', 'RSS KB/desk l/b', 'ratio', 'heap KB/desk l/b', 'CPU µs/event l/b', 'ratio', 'busy srv/cli l', 'busy srv/cli b', 'srv wait l/b'];
    const table = steps.map((s) => {
      const rl = rssPerConnKb(s.lab, s.labBase);
      const rb = rssPerConnKb(s.bare, s.bareBase);
      const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
      const problems = [
        s.lab.failed && `${s.lab.failed} PUTs failed`,
        s.lab.missing && `${s.lab.missing} events missing`,
        s.lab.refused && `${s.lab.refused} refused`,
        s.lab.silent && `${s.lab.silent} desktops silent`,
        s.lab.lagP95 >= LAG_BOUND_MS && `lag p95 ≥ ${LAG_BOUND_MS} ms`,
        s.lab.eventsPerSecond < 0.9 * s.n && `${pct(s.lab.eventsPerSecond / s.n)} of the pace`,
        s.lab.skipped && `${s.lab.skipped} turns skipped`,
      ].filter(Boolean);
      return [
        String(s.n),
        holds(s.lab) ? 'yes' : `no: ${problems.join(', ')}`,
        `${s.lab.eventsPerSecond.toFixed(0)}/${s.bare.eventsPerSecond.toFixed(0)}`,
        `${ms(s.lab.lagP50)}/${ms(s.lab.lagP95)}`,
        `${ms(s.lab.requestLagP95)}/${ms(s.bare.requestLagP95)}`,
        `${rl.toFixed(1)}/${rb.toFixed(1)}`,
        (rl / rb).toFixed(1),
        `${heapPerConnKb(s.lab, s.labBase).toFixed(1)}/${heapPerConnKb(s.bare, s.bareBase).toFixed(1)}`,
        `${(s.lab.cpuPerEvent * 1e6).toFixed(0)}/${(s.bare.cpuPerEvent * 1e6).toFixed(0)}`,
        (s.lab.cpuPerEvent / s.bare.cpuPerEvent).toFixed(1),
        `${pct(s.lab.serverBusy)}/${pct(s.lab.clientBusy)}`,
        `${pct(s.bare.serverBusy)}/${pct(s.bare.clientBusy)}`,
        `${pct(s.lab.serverWait)}/${pct(s.bare.serverWait)}`,
      ];
    });
    const widths = header.map((h, c) => Math.max(h.length, ...table.map((r) => r[c]!.length)));
    const line = (r: string[]) => r.map((cell, c) => (c === 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
    console.log(`\nFinesse notifications, steady events (l = lab, b = bare ws server; ${WINDOW_MS / 1000} s per step, each agent ~1 change/s)`);
    console.log(line(header));
    for (const r of table) console.log(line(r));
    const first = steps[0];
    const legend = [
      `202→Update: from the REST answer to the Update at the desktop (0 when the Update came first: the lab publishes during the PUT)`,
      `PUT→Update: from sending the PUT; turns skipped: an agent's turn came while its previous PUT was unanswered`,
      `RSS, heap per desktop: (VmRSS, V8 heap in use after the window − before the first desktop) ÷ N, each read after a full GC` +
        (first ? ` (before: lab ${first.labBase.rssMb.toFixed(0)} MB, bare ${first.bareBase.rssMb.toFixed(0)} MB)` : ''),
      `CPU per event: server CPU-seconds in the window ÷ events delivered in it; busy srv/cli: the server's and this process's`,
      `CPU (desktops + REST load) in the window, % of one core; srv wait: the server's time waiting for a CPU (other load), % of the window`,
      `the bare server's messages are ${first?.frameBytes ?? '?'} B, the size of the lab's notification frames`,
      `connecting and signing in each step's new desktops took ${steps.map((s) => s.setupSeconds.toFixed(1)).join(', ')} s`,
    ];
    for (const l of legend) console.log(`  ${l}`);
    for (const l of log) console.log(l);

    const held = steps.filter((s) => holds(s.lab)).map((s) => s.n);
    const top = steps[steps.length - 1];
    rows.push([`desktops held (every event to every desktop at ≥ 90 % of the pace, lag p95 < ${LAG_BOUND_MS} ms; info)`, String(held.length ? Math.max(...held) : 0), `of ${STEPS.join('/')}`]);
    if (top) {
      const rl = rssPerConnKb(top.lab, top.labBase);
      const rb = rssPerConnKb(top.bare, top.bareBase);
      rows.push(
        [`${top.n} desktops: events delivered/s (info)`, top.lab.eventsPerSecond.toFixed(0), `bare ${top.bare.eventsPerSecond.toFixed(0)}`],
        [`${top.n} desktops: lag REST 202 → Update, p95 (ms; info)`, ms(top.lab.lagP95), `p50 ${ms(top.lab.lagP50)} ms`],
        [`${top.n} desktops: lab RSS per desktop (KB; info)`, rl.toFixed(1), `bare ${rb.toFixed(1)} KB per connection`],
        [`${top.n} desktops: ratio RSS per desktop lab / bare (info)`, (rl / rb).toFixed(1), ''],
        [`${top.n} desktops: lab V8 heap per desktop (KB; info)`, heapPerConnKb(top.lab, top.labBase).toFixed(1), `bare ${heapPerConnKb(top.bare, top.bareBase).toFixed(1)} KB per connection`],
        [`${top.n} desktops: lab CPU per delivered event (µs; info)`, (top.lab.cpuPerEvent * 1e6).toFixed(0), `bare ${(top.bare.cpuPerEvent * 1e6).toFixed(0)} µs per message`],
        [`${top.n} desktops: ratio CPU per event lab / bare (info)`, (top.lab.cpuPerEvent / top.bare.cpuPerEvent).toFixed(1), ''],
      );
    }
    console.log(`  notification part: ${((performance.now() - partStart) / 1000).toFixed(0)} s`);
    return rows;
  } catch (e) {
    if (!(e as Error).message.includes('lab stderr')) (e as Error).message += `${exited(lab.child, 'lab')}\nlab stderr:\n${lab.stderr()}`;
    throw e;
  } finally {
    await Promise.race([Promise.all(clients.map((c) => c.close().catch(() => undefined))), sleep(3000)]);
    agent.destroy();
    lab.inspector.close();
    await stop(lab.child);
  }
}
