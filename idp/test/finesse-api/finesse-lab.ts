import { DOMParser } from '@xmldom/xmldom';
import { expect } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { FinesseConfig, LabConfigInput } from '../../src/config/schema.js';
import { findFinesseUser, usesSso } from '../../src/finesse/finesse-users.js';
import type { FinesseChange } from '../../src/finesse/api/runtime.js';
import { simulateCall } from '../../src/finesse/api/simulate-call.js';
import type { Lab } from '../../src/lab.js';

/**
 * A lab with IdS, Finesse and the console for the REST API tests, and a small client: each call
 * names the user it is made as, who signs in the way Finesse expects of them (reference A.2.1):
 * Basic with the directory password for a non-SSO user, Bearer with an IdS access token minted
 * in-process for an SSO user. Answers are parsed with @xmldom/xmldom, an independent parser.
 */

export interface FinesseResponse {
  status: number;
  headers: Headers;
  text: string;
  /** `X-Idp-Harness-Error`. */
  code: string | null;
  /** The parsed XML root, when the body is XML. */
  root: Element | undefined;
}

export interface CallOptions {
  body?: string;
  /** Extra or replacing headers; `undefined` removes one (e.g. Content-Type). */
  headers?: Record<string, string | undefined>;
}

export class FinesseLab {
  readonly changes: FinesseChange[] = [];
  private tokens = new Map<string, string>();

  private constructor(readonly lab: Lab) {
    lab.state.finesse!.runtime.onChange((c) => this.changes.push(c));
  }

  static async start(finesse: NonNullable<LabConfigInput['finesse']> = {}, extra: Omit<LabConfigInput, 'finesse'> = {}): Promise<FinesseLab> {
    const lab = await startTestLab({ services: ['ids', 'finesse', 'console'], tls: false, config: { ...extra, finesse } });
    return new FinesseLab(lab);
  }

  get api(): string {
    return `${this.lab.urls.finesse}/finesse/api`;
  }

  get console(): string {
    return this.lab.urls.console!;
  }

  get config(): FinesseConfig {
    return this.lab.config.finesse;
  }

  /** Back to the fixtures (everyone signed out, no dialogs, clock and lockouts reset, tokens revoked). */
  reset(): void {
    this.lab.state.reset();
    this.tokens.clear();
    this.changes.length = 0;
  }

  stop(): Promise<void> {
    return this.lab.stop();
  }

  /** The Authorization header `username` signs in with. */
  authorization(username: string): string {
    const user = findFinesseUser(this.lab.state.users, username);
    if (!user) throw new Error(`test: no Finesse user ${username}`);
    if (!usesSso(this.config.systemAuthMode, user)) return basic(user.username, user.password);
    let token = this.tokens.get(user.username);
    if (!token) {
      token = this.lab.state.ids!.tokens.issue({ userId: user.username, upn: user.upn, realm: 'lab.example', clientId: this.config.idsClientId }).accessToken;
      this.tokens.set(user.username, token);
    }
    return `Bearer ${token}`;
  }

  /** A request as `as` (undefined: no credentials); PUT/POST bodies go as application/xml unless told otherwise. */
  async call(as: string | undefined, method: string, path: string, opts: CallOptions = {}): Promise<FinesseResponse> {
    const headers: Record<string, string> = {};
    if (as !== undefined) headers['authorization'] = this.authorization(as);
    if (opts.body !== undefined) headers['content-type'] = 'application/xml';
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (v === undefined) delete headers[k.toLowerCase()];
      else headers[k.toLowerCase()] = v;
    }
    const res = await fetch(this.api + path, { method, headers, ...(opts.body === undefined ? {} : { body: opts.body }) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, code: res.headers.get('x-idp-harness-error'), root: parseXml(text, res.headers.get('content-type')) };
  }

  get(as: string | undefined, path: string, opts?: CallOptions): Promise<FinesseResponse> {
    return this.call(as, 'GET', path, opts);
  }

  put(as: string | undefined, path: string, body: string, opts: CallOptions = {}): Promise<FinesseResponse> {
    return this.call(as, 'PUT', path, { ...opts, body });
  }

  post(as: string | undefined, path: string, body: string, opts: CallOptions = {}): Promise<FinesseResponse> {
    return this.call(as, 'POST', path, { ...opts, body });
  }

  // --- the usual steps of an agent desktop ---------------------------------------------------

  loginIdOf(username: string): string {
    return findFinesseUser(this.lab.state.users, username)!.finesse.loginId;
  }

  extensionOf(username: string): string {
    return findFinesseUser(this.lab.state.users, username)!.finesse.extension;
  }

  /** PUT a state (202 expected) as the user themselves. */
  async setState(username: string, state: string, extra: Record<string, string> = {}): Promise<void> {
    const res = await this.put(username, `/User/${this.loginIdOf(username)}`, userBody({ state, ...extra }));
    expect(res.status, `${username} → ${state}: ${res.text}`).toBe(202);
  }

  async login(username: string): Promise<void> {
    await this.setState(username, 'LOGIN', { extension: this.extensionOf(username) });
  }

  async ready(username: string): Promise<void> {
    await this.login(username);
    await this.setState(username, 'READY');
  }

  /** The user's object, read as themselves. */
  async user(username: string): Promise<Element> {
    const res = await this.get(username, `/User/${this.loginIdOf(username)}`);
    expect(res.status, res.text).toBe(200);
    return res.root!;
  }

  async state(username: string): Promise<string> {
    return text(await this.user(username), 'state');
  }

  /** The user's dialogs, read as themselves. */
  async dialogs(username: string): Promise<Element[]> {
    const res = await this.get(username, `/User/${this.loginIdOf(username)}/Dialogs`);
    expect(res.status, res.text).toBe(200);
    return elements(res.root!);
  }

  /** A simulated customer call to a READY agent, in-process (the control API test drives it over HTTP). */
  async simulateCall(username: string): Promise<string> {
    return simulateCall(this.lab.state.finesse!.runtime, { to: this.loginIdOf(username) }).id;
  }

  /**
   * A refusal of the CTI server (reference A.2.2): the request got 202 with an empty body, and the
   * latest change is an `<apiErrors>` on the requester's User node (a state change) or Dialogs
   * node (a call operation) with this `errorMessage`. Returns the `<apiError>`.
   */
  expectCtiRefusal(res: FinesseResponse, requester: string, errorMessage: string, on: 'user' | 'dialogs' = 'user'): Element {
    expect(res.status, res.text).toBe(202);
    expect(res.text).toBe('');
    const c = this.changes.at(-1);
    expect(c?.kind, 'the last change is an asynchronous error').toBe('error');
    expect(c!.node).toBe(`/finesse/api/User/${this.loginIdOf(requester)}${on === 'dialogs' ? '/Dialogs' : ''}`);
    const root = new DOMParser().parseFromString(c!.xml, 'application/xml').documentElement!;
    expect(root.tagName).toBe('apiErrors');
    const e = one(root, 'apiError');
    expect(text(e, 'errorMessage')).toBe(errorMessage);
    return e;
  }

  async dialogAction(as: string, dialogId: string, action: string, extra = ''): Promise<FinesseResponse> {
    return this.put(as, `/Dialog/${dialogId}`, `<Dialog><requestedAction>${action}</requestedAction><targetMediaAddress>${this.extensionOf(as)}</targetMediaAddress>${extra}</Dialog>`);
  }
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** `<User>` with the given children in the given order. */
export function userBody(fields: Record<string, string>): string {
  return `<User>${Object.entries(fields)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('')}</User>`;
}

function parseXml(text: string, type: string | null): Element | undefined {
  if (!type?.startsWith('application/xml') || text === '') return undefined;
  const doc = new DOMParser({ errorHandler: { error: fail, fatalError: fail } }).parseFromString(text, 'application/xml');
  return doc.documentElement ?? undefined;
}

function fail(msg: string): never {
  throw new Error(`test: the answer is not well-formed XML: ${msg}`);
}

/** Element children, in order. */
export function elements(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

export function names(el: Element): string[] {
  return elements(el).map((e) => e.tagName);
}

/** The one child element `name` (asserted to exist exactly once). */
export function one(el: Element, name: string): Element {
  const found = elements(el).filter((e) => e.tagName === name);
  expect(found.length, `<${el.tagName}> has one <${name}>`).toBe(1);
  return found[0]!;
}

export function text(el: Element, name: string): string {
  return one(el, name).textContent ?? '';
}

/**
 * Asserts a Finesse error answer (reference A.2.2): status, our code, `application/xml`,
 * `<ApiErrors><ApiError>` with ErrorType; returns ErrorData.
 */
export function expectApiError(res: FinesseResponse, status: number, code: string, errorType: string): string {
  expect(res.status, res.text).toBe(status);
  expect(res.code).toBe(code);
  expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
  expect(res.root?.tagName).toBe('ApiErrors');
  const apiError = one(res.root!, 'ApiError');
  expect(names(apiError).sort()).toEqual(['ErrorData', 'ErrorMessage', 'ErrorType']);
  expect(text(apiError, 'ErrorType')).toBe(errorType);
  expect(text(apiError, 'ErrorMessage')).not.toBe('');
  return text(apiError, 'ErrorData');
}

/** The participant of a `<Dialog>` at `mediaAddress`. */
export function participantAt(dialog: Element, mediaAddress: string): Element {
  const list = elements(one(dialog, 'participants')).filter((p) => text(p, 'mediaAddress') === mediaAddress);
  expect(list.length, `one participant at ${mediaAddress}`).toBe(1);
  return list[0]!;
}

export function actionsOf(participant: Element): string[] {
  return elements(one(participant, 'actions')).map((a) => a.textContent ?? '');
}
