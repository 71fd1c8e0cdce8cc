/**
 * A reference Finesse REST client for third-party agent desktops, written to be copied. It needs
 * only Node's `http`/`https` and `@xmldom/xmldom`, and speaks the API as Cisco documents it
 * (Finesse Web Services Developer Guide 12.5(1); notes in reference A.2):
 *
 *   - every request carries `Authorization` (Basic for a non-SSO agent, `Bearer <token>` for an
 *     SSO agent) and `Content-Type: application/xml` — PUT/POST without it fail;
 *   - URLs name the agent by loginId. In UCCE the IdS `user_id` may be the loginName, so a client
 *     asks `GET /finesse/api/User/<loginName>` once to learn the loginId (resolveLoginId) and uses
 *     the loginId from then on (Client Integration, steps 5–6);
 *   - a state change or a call action is answered 202 with an empty body: the outcome arrives as a
 *     notification, or can be read back with getUser / dialogs;
 *   - a refused request is answered with `<ApiErrors><ApiError>` (ErrorType, ErrorMessage,
 *     ErrorData, in any order), raised here as a FinesseApiError.
 *
 * Every state change and call action takes an optional `requestId`: sent as the `requestId`
 * header, echoed by Finesse in the notifications the request causes (reference A.2.4), and
 * returned, so that a desktop can match them (notification-client.ts waitForRequest).
 *
 * Credentials come from a callback, asked before every request, so that a token source can
 * refresh by itself. With the reference SSO client that is
 *
 *   const sso = new FinesseSsoClient({ finesseUrl, username, password });
 *   const api = new FinesseRestClient({ finesseUrl, authorization: async () => `Bearer ${await sso.token()}` });
 *
 * and `sso.token()` refreshes the token once 75% of its lifetime has passed (Dev Guide 12.5(1)
 * p.193). For a non-SSO agent: `authorization: async () => 'Basic ' + base64('user:password')`.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DOMParser } from '@xmldom/xmldom';

export interface FinesseRestClientOptions {
  /** Finesse's base URL, e.g. https://finesse.example.com:8445 (without /finesse/api). */
  finesseUrl: string;
  /** PEM of the CA that Finesse's TLS certificate chains to, when it is not a public one. */
  ca?: string;
  /** The `Authorization` header value, asked before every request (e.g. `Bearer <token>`). */
  authorization: () => Promise<string>;
  /** Give up on a request after this many milliseconds (default 30 s). */
  timeoutMs?: number;
}

/** A reason code (`GET /User/<id>/ReasonCodes`, or the one a User is in). */
export interface ReasonCode {
  id: number;
  uri: string;
  category: string;
  code: number;
  label: string;
  forAll: boolean;
  systemCode: boolean;
}

/** The parts of `<User>` a desktop uses (reference A.2.4). */
export interface FinesseUser {
  uri: string;
  loginId: string;
  loginName: string;
  firstName: string;
  lastName: string;
  /** The extension the agent is signed in on ('' when signed out). */
  extension: string;
  /** LOGOUT, NOT_READY, READY, RESERVED, TALKING, HOLD, WORK, WORK_READY, … */
  state: string;
  /** A state requested during a call, applied when it ends ('' when none). */
  pendingState: string;
  stateChangeTime: string;
  /** -1 when the state has no reason. */
  reasonCodeId: number;
  reasonCode: ReasonCode | undefined;
  /** 'Agent', and 'Supervisor' for a supervisor. */
  roles: string[];
  teamId: string;
  teamName: string;
  /** For a supervisor: the teams they may monitor. */
  teams: Array<{ id: string; name: string; uri: string }>;
  /** The URI of the agent's Dialogs collection. */
  dialogsUri: string;
}

/** `GET /finesse/api/SystemInfo` (reference A.2.3). */
export interface SystemInfo {
  uri: string;
  /** UCCE or UCCX: in UCCE, REST URLs take the loginId. */
  deploymentType: string;
  /** SSO, HYBRID or NON_SSO: how agents authenticate. */
  systemAuthMode: string;
  /** IN_SERVICE when Finesse takes requests. */
  status: string;
  statusReason: string;
  currentTimestamp: string;
  timezoneOffset: number;
  primaryNodeHost: string;
  secondaryNodeHost: string | undefined;
  /** For the XMPP notification channel: JID `<loginId>@<xmppDomain>`. */
  xmppDomain: string;
  xmppPubSubDomain: string;
}

/** One party of a Dialog: an agent's phone or an outside number (reference A.2.5). */
export interface Participant {
  mediaAddress: string;
  /** AGENT_DEVICE for an agent's phone. */
  mediaAddressType: string;
  /** INITIATING, INITIATED, ALERTING, ACTIVE, HELD, FAILED, DROPPED. */
  state: string;
  stateCause: string;
  /** What this participant may do now (ANSWER, HOLD, RETRIEVE, DROP, …). */
  actions: string[];
  startTime: string;
  stateChangeTime: string;
}

/** The parts of `<Dialog>` a desktop uses (reference A.2.5). */
export interface Dialog {
  id: string;
  uri: string;
  /** ALERTING, INITIATED, ACTIVE, DROPPED, … */
  state: string;
  mediaType: string;
  fromAddress: string;
  toAddress: string;
  associatedDialogUri: string;
  mediaProperties: {
    dnis: string;
    callType: string;
    dialedNumber: string;
    wrapUpReason: string;
    callVariables: Array<{ name: string; value: string }>;
  };
  participants: Participant[];
}

/** The Dialog actions this client sends (reference A.2.5). */
export type DialogAction = 'ANSWER' | 'HOLD' | 'RETRIEVE' | 'DROP' | 'TRANSFER_SST' | 'CONSULT_CALL' | 'SEND_DTMF';

/** The optional `requestId` header, echoed in the notifications a change causes (reference A.2.4). */
export interface RequestIdOption {
  requestId?: string;
}

export interface DialogActionParams extends RequestIdOption {
  /** The acting agent's own extension (their participant in the dialog). */
  targetMediaAddress: string;
  /** Where to transfer or consult (TRANSFER_SST, CONSULT_CALL). */
  toAddress?: string;
  /** Digits to send (SEND_DTMF): 0-9, *, #, A-D. */
  dtmf?: string;
}

/** A request Finesse refused: the HTTP status and its `<ApiErrors>` body (reference A.2.2). */
export class FinesseApiError extends Error {
  constructor(
    readonly status: number,
    /** e.g. "Invalid State", "Parameter Missing", "Authorization Failure". */
    readonly errorType: string,
    readonly errorMessage: string,
    /** e.g. the offending field, or `finesse.api.reasoncode.require_reasoncode`. */
    readonly errorData: string,
    /** The idp-harness lab's stable error code (`X-Idp-Harness-Error`); undefined from a real Finesse. */
    readonly code: string | undefined,
  ) {
    super(`Finesse answered ${status}${errorType ? ` ${errorType}` : ''}${errorMessage ? `: ${errorMessage}` : ''}`);
    this.name = 'FinesseApiError';
  }
}

/** Finesse bodies are a few kilobytes; a larger answer is cut off rather than buffered without end. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export class FinesseRestClient {
  private readonly base: URL;
  private readonly loginIds = new Map<string, string>();

  constructor(private readonly opts: FinesseRestClientOptions) {
    this.base = new URL('/finesse/api/', opts.finesseUrl);
  }

  /** `GET /SystemInfo`: deployment type, auth mode, XMPP domain. */
  async systemInfo(): Promise<SystemInfo> {
    const root = await this.getXml('SystemInfo', 'SystemInfo');
    return {
      uri: text(root, 'uri'),
      deploymentType: text(root, 'deploymentType'),
      systemAuthMode: text(root, 'systemAuthMode'),
      status: text(root, 'status'),
      statusReason: text(root, 'statusReason'),
      currentTimestamp: text(root, 'currentTimestamp'),
      timezoneOffset: Number(text(root, 'timezoneOffset') || 0),
      primaryNodeHost: optionalText(child(root, 'primaryNode'), 'host') ?? '',
      secondaryNodeHost: optionalText(child(root, 'secondaryNode'), 'host'),
      xmppDomain: text(root, 'xmppDomain'),
      xmppPubSubDomain: text(root, 'xmppPubSubDomain'),
    };
  }

  /** `GET /User/<id>`: the agent's object (an agent may read only their own). */
  async getUser(id: string): Promise<FinesseUser> {
    return parseUser(await this.getXml(`User/${seg(id)}`, 'User'));
  }

  /**
   * The loginId of a loginName: one `GET /User/<loginName>` (the one call UCCE accepts by name),
   * remembered, so every later URL can use the loginId (reference A.2.1).
   */
  async resolveLoginId(loginName: string): Promise<string> {
    const known = this.loginIds.get(loginName);
    if (known !== undefined) return known;
    const { loginId } = await this.getUser(loginName);
    this.loginIds.set(loginName, loginId);
    return loginId;
  }

  /**
   * Signs the agent in on a phone: `<User><state>LOGIN</state><extension>…</extension></User>`;
   * lands in NOT_READY. Resolves with the `requestId` sent (undefined when none), as do the
   * other changes below.
   */
  async login(id: string, extension: string, opts: RequestIdOption = {}): Promise<string | undefined> {
    await this.send('PUT', `User/${seg(id)}`, xml('User', [['state', 'LOGIN'], ['extension', extension]]), requestIdHeader(opts));
    return opts.requestId;
  }

  /**
   * Changes the agent's state (READY, NOT_READY, WORK, WORK_READY; LOGOUT via logout()). NOT_READY
   * needs a `reasonCodeId` when reason codes are configured. `requestId` is echoed in the
   * notification that reports the change.
   */
  async setState(id: string, state: string, opts: { reasonCodeId?: number | string } & RequestIdOption = {}): Promise<string | undefined> {
    const fields: Array<[string, string]> = [['state', state]];
    if (opts.reasonCodeId !== undefined) fields.push(['reasonCodeId', String(opts.reasonCodeId)]);
    await this.send('PUT', `User/${seg(id)}`, xml('User', fields), requestIdHeader(opts));
    return opts.requestId;
  }

  /** Signs the agent out (from NOT_READY), with an optional LOGOUT reason code. */
  async logout(id: string, reasonCodeId?: number | string, opts: RequestIdOption = {}): Promise<string | undefined> {
    return this.setState(id, 'LOGOUT', { ...(reasonCodeId === undefined ? {} : { reasonCodeId }), ...opts });
  }

  /** `GET /User/<id>/ReasonCodes?category=NOT_READY|LOGOUT|ALL`: the codes this agent may use. */
  async reasonCodes(id: string, category: 'NOT_READY' | 'LOGOUT' | 'ALL'): Promise<ReasonCode[]> {
    const root = await this.getXml(`User/${seg(id)}/ReasonCodes?category=${encodeURIComponent(category)}`, 'ReasonCodes');
    return children(root, 'ReasonCode').map(parseReasonCode);
  }

  /** `GET /User/<id>/Dialogs`: the agent's calls. */
  async dialogs(id: string): Promise<Dialog[]> {
    const root = await this.getXml(`User/${seg(id)}/Dialogs`, 'Dialogs');
    return children(root, 'Dialog').map(parseDialog);
  }

  /** `GET /Dialog/<dialogId>`. */
  async dialog(dialogId: string): Promise<Dialog> {
    return parseDialog(await this.getXml(`Dialog/${seg(dialogId)}`, 'Dialog'));
  }

  /** Places a call from the agent's phone (`from` = the extension they signed in on, agent NOT_READY). */
  async makeCall(id: string, from: string, to: string, opts: RequestIdOption = {}): Promise<string | undefined> {
    await this.send('POST', `User/${seg(id)}/Dialogs`, xml('Dialog', [['requestedAction', 'MAKE_CALL'], ['fromAddress', from], ['toAddress', to]]), requestIdHeader(opts));
    return opts.requestId;
  }

  /** Acts on the agent's participant of a dialog: `PUT /Dialog/<id>` with `requestedAction` and `targetMediaAddress`. */
  async dialogAction(dialogId: string, action: DialogAction, params: DialogActionParams): Promise<string | undefined> {
    const fields: Array<[string, string]> = [
      ['requestedAction', action],
      ['targetMediaAddress', params.targetMediaAddress],
    ];
    if (params.toAddress !== undefined) fields.push(['toAddress', params.toAddress]);
    let extra = '';
    if (params.dtmf !== undefined) {
      extra = `<actionParams><ActionParam><name>dtmfString</name><value>${esc(params.dtmf)}</value></ActionParam></actionParams>`;
    }
    await this.send('PUT', `Dialog/${seg(dialogId)}`, xml('Dialog', fields, extra), requestIdHeader(params));
    return params.requestId;
  }

  // --- transport ---------------------------------------------------------------------------

  private async getXml(path: string, rootName: string): Promise<Element> {
    const res = await this.send('GET', path);
    const root = parseXml(res.body);
    if (!root || root.tagName !== rootName) throw new Error(`Finesse answered ${path} without a <${rootName}> document`);
    return root;
  }

  /** One request; a status other than 2xx becomes a FinesseApiError. */
  private async send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<RawResponse> {
    const url = new URL(path, this.base);
    // Content-Type on every request, as the reference step 7 has it (A.1.5); PUT/POST fail without it (A.2.1).
    const h: Record<string, string> = { accept: 'application/xml', 'content-type': 'application/xml', authorization: await this.opts.authorization(), ...headers };
    if (body !== undefined) h['content-length'] = String(Buffer.byteLength(body));
    const res = await this.request(method, url, h, body);
    if (res.status >= 200 && res.status < 300) return res;
    throw toApiError(res);
  }

  private request(method: string, url: URL, headers: Record<string, string>, body: string | undefined): Promise<RawResponse> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const timeout = this.opts.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers, ...(this.opts.ca === undefined ? {} : { ca: this.opts.ca }) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error(`Finesse's answer to ${method} ${url.pathname} is larger than ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.setTimeout(timeout, () => req.destroy(new Error(`no answer from Finesse to ${method} ${url.pathname} within ${timeout} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

// --- XML out ---------------------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<root><a>1</a><b>2</b>extra</root>`, values escaped. */
function xml(root: string, fields: Array<[string, string]>, extra = ''): string {
  return `<${root}>${fields.map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join('')}${extra}</${root}>`;
}

function requestIdHeader(opts: RequestIdOption): Record<string, string> {
  return opts.requestId === undefined ? {} : { requestId: opts.requestId };
}

/** A path segment: ids are digits or names, but never let one change the path. */
function seg(id: string): string {
  return encodeURIComponent(id);
}

// --- XML in ----------------------------------------------------------------------------------

function parseXml(body: string): Element | undefined {
  if (body.trim() === '') return undefined;
  let failed = false;
  const onError = () => {
    failed = true;
  };
  const doc = new DOMParser({ errorHandler: { warning: () => {}, error: onError, fatalError: onError } }).parseFromString(body, 'application/xml');
  return failed ? undefined : (doc.documentElement ?? undefined);
}

/** Element children named `name` (any order: Cisco's own examples vary it, reference A.2.2). */
function children(el: Element, name: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1 && (n as Element).tagName === name) out.push(n as Element);
  return out;
}

function child(el: Element | undefined, name: string): Element | undefined {
  return el ? children(el, name)[0] : undefined;
}

/** The `item` elements of `parent`'s `container` child (`<roles><role>…`); none when it is absent. */
function listOf(parent: Element | undefined, container: string, item: string): Element[] {
  const c = child(parent, container);
  return c ? children(c, item) : [];
}

function optionalText(el: Element | undefined, name: string): string | undefined {
  const c = child(el, name);
  return c ? (c.textContent ?? '').trim() : undefined;
}

function text(el: Element, name: string): string {
  return optionalText(el, name) ?? '';
}

function parseReasonCode(el: Element): ReasonCode {
  return {
    id: Number(text(el, 'id')),
    uri: text(el, 'uri'),
    category: text(el, 'category'),
    code: Number(text(el, 'code')),
    label: text(el, 'label'),
    forAll: text(el, 'forAll') === 'true',
    systemCode: text(el, 'systemCode') === 'true',
  };
}

/** Reads a `<User>`, or the `<user>` of a User notification (same children; notification-client.ts). */
export function parseUser(el: Element): FinesseUser {
  const reason = child(el, 'ReasonCode');
  const reasonCodeId = text(el, 'reasonCodeId');
  return {
    uri: text(el, 'uri'),
    loginId: text(el, 'loginId'),
    loginName: text(el, 'loginName'),
    firstName: text(el, 'firstName'),
    lastName: text(el, 'lastName'),
    extension: text(el, 'extension'),
    state: text(el, 'state'),
    pendingState: text(el, 'pendingState'),
    stateChangeTime: text(el, 'stateChangeTime'),
    reasonCodeId: reasonCodeId === '' ? -1 : Number(reasonCodeId),
    reasonCode: reason ? parseReasonCode(reason) : undefined,
    roles: listOf(el, 'roles', 'role').map((r) => (r.textContent ?? '').trim()),
    teamId: text(el, 'teamId'),
    teamName: text(el, 'teamName'),
    teams: listOf(el, 'teams', 'Team').map((t) => ({ id: text(t, 'id'), name: text(t, 'name'), uri: text(t, 'uri') })),
    dialogsUri: text(el, 'dialogs'),
  };
}

function parseParticipant(el: Element): Participant {
  return {
    mediaAddress: text(el, 'mediaAddress'),
    mediaAddressType: text(el, 'mediaAddressType'),
    state: text(el, 'state'),
    stateCause: text(el, 'stateCause'),
    actions: listOf(el, 'actions', 'action').map((a) => (a.textContent ?? '').trim()),
    startTime: text(el, 'startTime'),
    stateChangeTime: text(el, 'stateChangeTime'),
  };
}

/** Reads a `<Dialog>`, as GET returns it and as a Dialogs notification carries it. */
export function parseDialog(el: Element): Dialog {
  const props = child(el, 'mediaProperties');
  return {
    id: text(el, 'id'),
    uri: text(el, 'uri'),
    state: text(el, 'state'),
    mediaType: text(el, 'mediaType'),
    fromAddress: text(el, 'fromAddress'),
    toAddress: text(el, 'toAddress'),
    associatedDialogUri: text(el, 'associatedDialogUri'),
    mediaProperties: {
      dnis: optionalText(props, 'DNIS') ?? '',
      callType: optionalText(props, 'callType') ?? '',
      dialedNumber: optionalText(props, 'dialedNumber') ?? '',
      wrapUpReason: optionalText(props, 'wrapUpReason') ?? '',
      callVariables: listOf(props, 'callvariables', 'CallVariable').map((v) => ({ name: text(v, 'name'), value: text(v, 'value') })),
    },
    participants: listOf(el, 'participants', 'Participant').map(parseParticipant),
  };
}

/** A refused request as a FinesseApiError; the `<ApiErrors>` body when there is one. */
function toApiError(res: RawResponse): FinesseApiError {
  const header = res.headers['x-idp-harness-error'];
  const code = typeof header === 'string' ? header : undefined;
  const type = String(res.headers['content-type'] ?? '');
  const root = /xml/i.test(type) ? parseXml(res.body) : undefined;
  const apiError = root?.tagName === 'ApiErrors' ? child(root, 'ApiError') : undefined;
  if (!apiError) return new FinesseApiError(res.status, '', res.body.slice(0, 200).trim(), '', code);
  return new FinesseApiError(res.status, text(apiError, 'ErrorType'), text(apiError, 'ErrorMessage'), text(apiError, 'ErrorData'), code);
}
