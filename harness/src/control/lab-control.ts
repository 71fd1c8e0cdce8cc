import type { LabConfig, ServiceName } from '../../../idp/src/config/schema.js';
import type { UserInput, User } from '../../../idp/src/directory/user-schema.js';
import type { RelyingPartyInput } from '../../../idp/src/adfs/relying-party-schema.js';
import type { OidcClientInput, OidcClient } from '../../../idp/src/oidc/clients/client-schema.js';
import type { ClockState } from '../../../idp/src/shared/clock.js';
import type { Fault } from '../../../idp/src/shared/faults.js';
import type { z } from 'zod';
import type { FaultSchema } from '../../../idp/src/shared/faults.js';

/** A fault as the control API takes it (`surface`, `kind` and the kind's options). */
export type FaultInput = z.input<typeof FaultSchema>;

/**
 * A refusal of the control API: its stable `code` (`ERR_CONTROL_INVALID`, `ERR_CONTROL_NOT_FOUND`,
 * `ERR_HTTP_NOT_FOUND`, …), the HTTP status and the API's `details`.
 */
export class LabControlError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(`${code}: ${message}`);
    this.name = 'LabControlError';
  }
}

/** One named collection of the control API, with the fields of its fixture file. */
export interface ControlCollection<Input, Output> {
  list(): Promise<Output[]>;
  get(key: string): Promise<Output>;
  add(item: Input): Promise<Output>;
  replace(key: string, item: Input): Promise<Output>;
  update(key: string, patch: Partial<Input>): Promise<Output>;
  remove(key: string): Promise<Output>;
}

/**
 * The lab's control API as typed functions: what a test suite, the scenario runner and the CLI use
 * to seed users, relying parties and clients, queue faults, move the clock and reset the lab.
 * Every call goes through the console's `/api` (the one place that validates it), so it works the
 * same against an in-process lab and a running one (`npm start`, docker compose).
 */
export interface LabControl {
  /** The console's URL this client talks to. */
  readonly consoleUrl: string;
  /** The public URL of every running service. */
  services(): Promise<Partial<Record<ServiceName, string>>>;
  /** The resolved configuration of the running lab. */
  config(): Promise<LabConfig>;
  /** Back to the fixtures: users, relying parties, clients, sessions, faults, clock, CXone state. */
  reset(): Promise<void>;
  users: ControlCollection<UserInput, User>;
  /** AD FS relying-party trusts, by name or identifier. */
  relyingParties: ControlCollection<RelyingPartyInput, Record<string, unknown>>;
  /** OpenID Provider clients (every issuer), by client_id. */
  oidcClients: ControlCollection<OidcClientInput, OidcClient>;
  faults: {
    list(): Promise<Fault[]>;
    /** Queues a one-shot fault; the next matching message of its surface takes it. */
    add(fault: FaultInput): Promise<Fault>;
    clear(): Promise<void>;
  };
  clock: {
    state(): Promise<ClockState>;
    /** Moves lab time by `ms` (negative goes back). */
    advance(ms: number): Promise<ClockState>;
    /** Stops lab time, at `at` (ISO instant) or now. */
    freeze(at?: string): Promise<ClockState>;
    unfreeze(): Promise<ClockState>;
    /** Back to real time. */
    reset(): Promise<ClockState>;
  };
  ids: {
    settings(): Promise<Record<string, unknown>>;
    updateSettings(patch: Record<string, unknown>): Promise<Record<string, unknown>>;
  };
  finesse: {
    /** Rings a READY agent (loginId or extension) from a simulated caller; resolves to the dialog. */
    ring(call: { to: string; from?: string; callVariables?: Record<string, string> }): Promise<Record<string, unknown>>;
    hangUp(dialogId: string): Promise<Record<string, unknown>>;
  };
}

export interface HttpLabControlOptions {
  /** CA to trust when the console runs on TLS (PEM). */
  ca?: string;
  /**
   * How long one call may take (default 30 s): a console that accepts the connection and never
   * answers must fail a CI job, not hang it.
   */
  timeoutMs?: number;
}

/** A `LabControl` over HTTP against the console at `consoleUrl`. */
export function httpLabControl(consoleUrl: string, opts: HttpLabControlOptions = {}): LabControl {
  const base = consoleUrl.replace(/\/+$/, '');
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: { status: number; body: string };
    try {
      res = await send(`${base}/api${path}`, method, body, opts.ca, opts.timeoutMs ?? 30_000);
    } catch (e) {
      if ((e as Error).name === 'TimeoutError') throw new LabControlError('ERR_CONTROL_TIMEOUT', `${method} ${path}: the console at ${base} did not answer in time`, 0);
      throw e;
    }
    const text = res.body;
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new LabControlError('ERR_CONTROL_NOT_JSON', `${method} ${path} answered ${res.status} with a body that is not JSON: is ${base} the lab's console?`, res.status);
    }
    if (res.status >= 400) {
      const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      throw new LabControlError(err?.code ?? 'ERR_CONTROL_HTTP', err?.message ?? `${method} ${path} answered ${res.status}`, res.status, err?.details);
    }
    return json as T;
  };
  const enc = encodeURIComponent;
  const collection = <I, O>(path: string): ControlCollection<I, O> => ({
    list: () => call('GET', path),
    get: (key) => call('GET', `${path}/${enc(key)}`),
    add: (item) => call('POST', path, item),
    replace: (key, item) => call('PUT', `${path}/${enc(key)}`, item),
    update: (key, patch) => call('PATCH', `${path}/${enc(key)}`, patch),
    remove: (key) => call('DELETE', `${path}/${enc(key)}`),
  });
  return {
    consoleUrl: base,
    async services() {
      const { services } = await call<{ services: Array<{ name: ServiceName; url: string }> }>('GET', '/services');
      return Object.fromEntries(services.map((s) => [s.name, s.url]));
    },
    config: () => call('GET', '/config'),
    reset: async () => {
      await call('POST', '/reset');
    },
    users: collection('/users'),
    relyingParties: collection('/relying-parties'),
    oidcClients: collection('/oidc/clients'),
    faults: {
      list: () => call('GET', '/faults'),
      add: (fault) => call('POST', '/faults', fault),
      clear: async () => {
        await call('DELETE', '/faults');
      },
    },
    clock: {
      state: () => call('GET', '/clock'),
      advance: (ms) => call('POST', '/clock', { advanceMs: ms }),
      freeze: (at) => call('POST', '/clock', { freeze: at ?? true }),
      unfreeze: () => call('POST', '/clock', { unfreeze: true }),
      reset: () => call('POST', '/clock', { reset: true }),
    },
    ids: {
      settings: () => call('GET', '/ids/settings'),
      updateSettings: (patch) => call('PATCH', '/ids/settings', patch),
    },
    finesse: {
      ring: (c) => call('POST', '/finesse/calls', c),
      hangUp: (id) => call('POST', `/finesse/calls/${enc(id)}/hangup`),
    },
  };
}

/** One request; `fetch` cannot take a per-request CA, so TLS with a CA goes through node:https. */
async function send(url: string, method: string, body: unknown, ca: string | undefined, timeoutMs: number): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (!ca || !url.startsWith('https:')) {
    const res = await fetch(url, { method, headers, signal: AbortSignal.timeout(timeoutMs), ...(payload === undefined ? {} : { body: payload }) });
    return { status: res.status, body: await res.text() };
  }
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })));
    req.end(payload);
  });
}
