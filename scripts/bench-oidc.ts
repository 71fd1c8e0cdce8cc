/**
 * The OpenID Provider part of `npm run bench` (issue 3): the load client's side. Two servers
 * answer the same requests — the lab's `oidc` service (default issuer) and a bare oidc-provider
 * with the same keys and clients (bench-bare-oidc.ts) — and are measured in alternating rounds, so
 * that drift on a shared machine hits both alike:
 *  - client_credentials with client_secret_basic (`sample-service`): opaque token, no signature;
 *  - client_credentials with private_key_jwt (`sample-jwt`): one RS256 verification per token
 *    (the assertions are signed before the clock starts, so the client never holds the server up);
 *  - the authorization code flow with PKCE (`sample-web`), a fresh user agent per flow:
 *    GET /auth → 303 /interaction/:uid (auto sign-in) → 303 /auth/:uid → 303 callback?code →
 *    POST /token with the code_verifier (an RS256 ID token, an access and a refresh token).
 * Each round gives the wall-clock rate and the rate per CPU-second of the server process (its
 * threads' CPU time from /proc), which stays put when other work shares the machine.
 */
import { createHash, createPrivateKey, randomBytes, randomUUID, sign } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { projectRoot } from '../idp/src/shared/paths.js';

/** One server under load: where it answers, and its process (for CPU accounting). */
export interface OidcTarget {
  name: string;
  /** Issuer identifier = base URL of the endpoints (`http://localhost:<port>`). */
  issuer: string;
  pid: number;
}

export interface RoundResult {
  /** Operations per second of wall-clock time. */
  perSecond: number;
  /**
   * Operations per CPU-second of the server process: what it would do on a core of its own, busy
   * all the time. Unlike the wall-clock rate it holds when other work shares the core (these
   * machines are shared) or when the client cannot keep the server busy.
   */
  perCpuSecond: number;
  /** CPU the server process used during the round, as a fraction of one core. */
  busy: number;
  count: number;
}

export interface Measured {
  /** Medians of the rounds' figures. */
  perSecond: number;
  perCpuSecond: number;
  busy: number;
  count: number;
  rounds: RoundResult[];
}

interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const SAMPLE_WEB = { id: 'sample-web', secret: 'sample-web-secret-0123456789', redirectUri: 'http://localhost:8080/callback' };
const SAMPLE_SERVICE = { id: 'sample-service', secret: 'sample-service-secret-0123456789' };
const SAMPLE_JWT = 'sample-jwt';
const FORM = 'application/x-www-form-urlencoded';

/** RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded. */
function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

function send(url: string, agent: Agent, method: 'GET' | 'POST', headers: Record<string, string | number>, body?: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const r = request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

function post(url: string, agent: Agent, form: string, headers: Record<string, string> = {}): Promise<Response> {
  return send(url, agent, 'POST', { ...headers, 'content-type': FORM, 'content-length': Buffer.byteLength(form) }, form);
}

function expectToken(res: Response, what: string): Record<string, unknown> {
  if (res.status !== 200) throw new Error(`${what}: token endpoint answered ${res.status} ${res.body.slice(0, 300)}`);
  const json = JSON.parse(res.body) as Record<string, unknown>;
  if (typeof json['access_token'] !== 'string') throw new Error(`${what}: no access_token in ${res.body.slice(0, 300)}`);
  return json;
}

/** 1. client_credentials, client_secret_basic. */
export function clientSecretBasicOp(target: OidcTarget, agent: Agent): () => Promise<void> {
  const url = `${target.issuer}/token`;
  const auth = basic(SAMPLE_SERVICE.id, SAMPLE_SERVICE.secret);
  return async () => {
    expectToken(await post(url, agent, 'grant_type=client_credentials', { authorization: auth }), 'client_credentials (client_secret_basic)');
  };
}

/**
 * Client assertions for private_key_jwt (RFC 7523 §3), one per request: the `jti` must be unique
 * (the OP keeps the ones it saw), `aud` the issuer identifier. Signed ahead of the timed rounds.
 */
export function clientAssertions(issuer: string, count: number): string[] {
  const jwk = JSON.parse(readFileSync(join(projectRoot, 'fixtures', 'oidc', 'keys', `${SAMPLE_JWT}.private.jwk.json`), 'utf8')) as { kid: string };
  const key = createPrivateKey({ key: jwk as never, format: 'jwk' });
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: jwk.kid })).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, () => {
    const payload = { iss: SAMPLE_JWT, sub: SAMPLE_JWT, aud: issuer, jti: randomUUID(), iat: now, exp: now + 600 };
    const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
  });
}

/** 2. client_credentials, private_key_jwt: each call takes the next pre-signed assertion. */
export function privateKeyJwtOp(target: OidcTarget, agent: Agent, assertions: string[]): () => Promise<void> {
  const url = `${target.issuer}/token`;
  let next = 0;
  const prefix = `grant_type=client_credentials&client_assertion_type=${encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')}&client_assertion=`;
  return async () => {
    const assertion = assertions[next++];
    if (assertion === undefined) throw new Error('private_key_jwt: out of pre-signed assertions');
    expectToken(await post(url, agent, prefix + assertion), 'client_credentials (private_key_jwt)');
  };
}

/** The smallest cookie jar that carries oidc-provider's interaction, resume and session cookies. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(res: Response): void {
    for (const line of res.headers['set-cookie'] ?? []) {
      const pair = line.slice(0, line.indexOf(';') === -1 ? undefined : line.indexOf(';'));
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1);
      // Deletion is an expiry in the past (oidc-provider: 1970) or an empty value.
      if (value === '' || /expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ') } : {};
  }
}

function redirect(res: Response, base: string, step: string): string {
  const location = res.headers.location;
  if (res.status !== 303 || typeof location !== 'string') throw new Error(`code flow, ${step}: expected a 303, got ${res.status} ${res.body.slice(0, 300)}`);
  return new URL(location, base).href;
}

/**
 * 3. One authorization code flow with PKCE (RFC 7636 S256), state and nonce, by a new user agent:
 * a fresh sign-in each time (auto sign-in), never a session from an earlier flow.
 */
export function codeFlowOp(target: OidcTarget, agent: Agent): () => Promise<void> {
  const base = target.issuer;
  const tokenUrl = `${base}/token`;
  const auth = basic(SAMPLE_WEB.id, SAMPLE_WEB.secret);
  const redirectUri = encodeURIComponent(SAMPLE_WEB.redirectUri);
  return async () => {
    const jar = new CookieJar();
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const state = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    const authUrl =
      `${base}/auth?client_id=${SAMPLE_WEB.id}&response_type=code&scope=openid%20profile%20email&redirect_uri=${redirectUri}` +
      `&state=${state}&nonce=${nonce}&code_challenge=${challenge}&code_challenge_method=S256`;
    let res = await send(authUrl, agent, 'GET', {});
    jar.take(res);
    res = await send(redirect(res, base, 'authorization request'), agent, 'GET', jar.header());
    jar.take(res);
    res = await send(redirect(res, base, 'interaction'), agent, 'GET', jar.header());
    jar.take(res);
    const callback = new URL(redirect(res, base, 'resumed authorization'));
    const code = callback.searchParams.get('code');
    if (!callback.href.startsWith(SAMPLE_WEB.redirectUri) || !code || callback.searchParams.get('state') !== state) {
      throw new Error(`code flow: unexpected redirect ${callback.href}`);
    }
    const form = `grant_type=authorization_code&code=${encodeURIComponent(code)}&redirect_uri=${redirectUri}&code_verifier=${verifier}`;
    const tokens = expectToken(await post(tokenUrl, agent, form, { authorization: auth }), 'code flow');
    if (typeof tokens['id_token'] !== 'string') throw new Error('code flow: no id_token');
  };
}

/**
 * CPU seconds a process has used so far, all its threads (libuv's pool runs WebCrypto's signing
 * and verification): nanoseconds from each thread's schedstat, else /proc/<pid>/stat's utime +
 * stime in clock ticks (USER_HZ = 100; too coarse for rounds of a second).
 */
export function cpuSeconds(pid: number): number {
  let ns = 0;
  let threads = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      threads++;
    } catch {
      /* the thread ended meanwhile, or no schedstat (kernel without CONFIG_SCHEDSTATS) */
    }
  }
  if (threads > 0 && Number.isFinite(ns)) return ns / 1e9;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** `count` operations, `concurrency` in flight, stopped early after `maxMs`; the rate of those done. */
export async function runRound(pid: number, op: () => Promise<void>, count: number, concurrency: number, maxMs: number): Promise<RoundResult> {
  let started = 0;
  let done = 0;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const worker = async () => {
    while (started < count && performance.now() - t0 < maxMs) {
      started++;
      await op();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  return { perSecond: done / seconds, perCpuSecond: done / cpu, busy: cpu / seconds, count: done };
}

/**
 * One operation against several servers: a warm-up each, then `rounds` rounds in which the
 * servers take turns (the order alternating between rounds); the median round per server.
 */
export async function compare(
  targets: ReadonlyArray<{ target: OidcTarget; op: () => Promise<void> }>,
  opts: { warm: number; count: number; rounds: number; concurrency: number; maxMs: number },
): Promise<Measured[]> {
  for (const t of targets) await runRound(t.target.pid, t.op, opts.warm, opts.concurrency, opts.maxMs);
  const results: RoundResult[][] = targets.map(() => []);
  for (let round = 0; round < opts.rounds; round++) {
    const order = round % 2 === 0 ? targets.map((_, i) => i) : targets.map((_, i) => targets.length - 1 - i);
    for (const i of order) results[i]!.push(await runRound(targets[i]!.target.pid, targets[i]!.op, opts.count, opts.concurrency, opts.maxMs));
  }
  return results.map((rounds) => ({
    perSecond: median(rounds.map((r) => r.perSecond)),
    perCpuSecond: median(rounds.map((r) => r.perCpuSecond)),
    busy: median(rounds.map((r) => r.busy)),
    count: rounds.reduce((n, r) => n + r.count, 0),
    rounds,
  }));
}
