import { expect } from 'vitest';
import { readForm, UserAgent, type UaResponse } from '../../../harness/src/clients/user-agent.js';
import type { IdsContext } from '../../src/ids/context.js';
import type { Lab } from '../../src/lab.js';
import { isLoginPage, PASSWORD, readSamlPost, submitLogin } from './adfs-flow.js';

/**
 * A step-by-step driver of the IdS half of F1 (docs/cisco.md "The flows", steps 2–6; reference
 * A.1.5), for the suites that attack IdS as a SAML SP (idp/test/cisco/ids-saml-*.test.ts):
 *
 *   authorize()   GET  /ids/v1/oauth/authorize        → auto-POST AuthnRequest (decoded here)
 *   capture()     POST AD FS /adfs/ls/ (+ sign-in)     → the SAMLResponse AD FS auto-POSTs, NOT posted
 *   post()        POST the (possibly altered) response → the IdS ACS answer
 *   relay()       POST /ids/relay with the uniqueId    → 302 with code and state
 *   redeem()      POST /ids/v1/oauth/token             → access and refresh tokens
 *
 * It drives IdS with the "Sample third-party desktop" client (fixtures/ids/clients.json) so
 * that Finesse is not involved: what a test sees is IdS's own answer. Nothing in here follows a
 * step on its own, so a test can stop, alter or replay any message.
 */

/** fixtures/ids/clients.json "Sample third-party desktop" (spelled out: a test must not read it from the code under test). */
export const SAMPLE_CLIENT = {
  clientId: '3c5e7a9b1d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c',
  redirectUri: 'http://127.0.0.1:8765/callback',
} as const;

/** The AD FS relying-party trust of IdS (fixtures/adfs/relying-parties.json). */
export const IDS_RP_NAME = 'Cisco Identity Service';

export function idsOf(lab: Lab): IdsContext {
  const ids = lab.state.ids;
  if (!ids) throw new Error('the ids service is not running in this lab');
  return ids;
}

/** The AuthnRequest IdS sent, as the browser carries it to the IdP (HTTP-POST binding). */
export interface SentAuthnRequest {
  page: UaResponse;
  /** The IdP's SSO URL (the auto-POST form's action). */
  action: string;
  /** The form fields as served: SAMLRequest (base64, not deflated) and RelayState. */
  fields: Record<string, string>;
  xml: string;
  /** The AuthnRequest ID. */
  id: string;
}

/** A SAMLResponse on its way from AD FS to IdS, captured before it is posted. */
export interface CapturedResponse {
  request: SentAuthnRequest;
  /** Where AD FS's auto-POST page sends it (an IdS ACS URL). */
  action: string;
  /** The base64 form value as AD FS served it. */
  value: string;
  xml: string;
  relayState: string | undefined;
}

export class IdsFlow {
  readonly ua = new UserAgent();

  constructor(
    private readonly lab: Lab,
    private readonly opts: { user?: string; password?: string; state?: string } = {},
  ) {}

  /** Step 2: the authorize request of the sample client, and the auto-POST page IdS answers with. */
  async authorize(): Promise<SentAuthnRequest> {
    const url = new URL(idsOf(this.lab).urls.authorize);
    url.searchParams.set('client_id', SAMPLE_CLIENT.clientId);
    url.searchParams.set('redirect_uri', SAMPLE_CLIENT.redirectUri);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('state', this.opts.state ?? 'ids-flow-state');
    const page = await this.ua.get(url.toString());
    if (page.status !== 200) throw new Error(`authorize answered ${page.status} ${String(page.headers['x-idp-harness-error'])}: ${page.body.slice(0, 300)}`);
    const form = readForm(page.body, page.url);
    const encoded = form.fields['SAMLRequest'];
    if (encoded === undefined) throw new Error('the authorize page carries no SAMLRequest');
    const xml = Buffer.from(encoded, 'base64').toString('utf8');
    const id = /\bID="([^"]+)"/.exec(xml)?.[1] ?? '';
    return { page, action: form.action, fields: form.fields, xml, id };
  }

  /**
   * Steps 3–4: posts the AuthnRequest to AD FS (after `alterRequest`, when given: IdS sends it
   * unsigned, so an altered one is what a different IdS version would send), signs in when AD FS
   * shows its form, and returns the SAMLResponse AD FS would auto-POST, without posting it.
   */
  async capture(opts: { alterRequest?: (xml: string) => string } = {}): Promise<CapturedResponse> {
    const request = await this.authorize();
    const xml = opts.alterRequest ? opts.alterRequest(request.xml) : request.xml;
    let page = await this.ua.post(request.action, { ...request.fields, SAMLRequest: b64(xml) });
    if (isLoginPage(page)) {
      const user = this.opts.user ?? 'agent1';
      page = await submitLogin(this.ua, page, user, this.opts.password ?? PASSWORD[user]!);
    }
    const post = readSamlPost(page);
    if (post.field !== 'SAMLResponse') throw new Error('AD FS posted a SAMLRequest, not a SAMLResponse');
    return { request, action: post.action, value: post.value, xml: post.xml, relayState: post.relayState };
  }

  /** Step 4 (the POST to the ACS): the captured response as AD FS sent it, or `xml` in its place, to `action` (default: where AD FS sends it). */
  post(captured: CapturedResponse, opts: { xml?: string; action?: string } = {}): Promise<UaResponse> {
    const value = opts.xml === undefined ? captured.value : b64(opts.xml);
    const form: Record<string, string> = { SAMLResponse: value };
    if (captured.relayState !== undefined) form['RelayState'] = captured.relayState;
    return this.ua.post(opts.action ?? captured.action, form);
  }

  /** Step 5: posts the ACS page's uniqueId to /ids/relay; returns the redirect's code and state. */
  async relay(acsPage: UaResponse): Promise<{ code: string; state: string | null; location: URL }> {
    const form = readForm(acsPage.body, acsPage.url);
    const res = await this.ua.post(form.action, form.fields);
    if (res.status !== 302 || !res.location) throw new Error(`the relay answered ${res.status}: ${res.body.slice(0, 300)}`);
    const location = new URL(res.location);
    const code = location.searchParams.get('code');
    if (!code) throw new Error(`the relay redirect carries no code: ${res.location}`);
    return { code, state: location.searchParams.get('state'), location };
  }

  /** Step 6 at the token endpoint, as a third-party client redeems its code (docs/cisco.md). */
  async redeem(code: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(idsOf(this.lab).urls.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: SAMPLE_CLIENT.redirectUri, client_id: SAMPLE_CLIENT.clientId }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  /** Relay and redeem an accepted ACS answer: the tokens IdS issues for it. */
  async complete(acsPage: UaResponse): Promise<{ accessToken: string; refreshToken: string }> {
    const { code } = await this.relay(acsPage);
    const { status, json } = await this.redeem(code);
    if (status !== 200 || typeof json['access_token'] !== 'string' || typeof json['refresh_token'] !== 'string') {
      throw new Error(`the token endpoint answered ${status}: ${JSON.stringify(json)}`);
    }
    return { accessToken: json['access_token'], refreshToken: json['refresh_token'] };
  }
}

/** base64 of UTF-8 text, as the HTTP-POST binding carries a message (saml-bindings §3.5.4). */
export function b64(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}

/** What IdS has handed out so far: relay handles, authorization codes, tokens. */
export function issued(lab: Lab): { relays: number; codes: number; tokens: number } {
  const ids = idsOf(lab);
  return { relays: ids.relay.size, codes: ids.codes.size, tokens: ids.tokens.list().length };
}

/** The user IDs IdS issued tokens for. */
export function tokenUsers(lab: Lab): string[] {
  return idsOf(lab)
    .tokens.list()
    .map((t) => t.userId);
}

/**
 * docs/cisco.md "What IdS checks in the response": a refused response gets the IdS error page with
 * `status` and our code in X-Idp-Harness-Error, and never the auto-POST page to /ids/relay.
 */
export function expectRefused(res: UaResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.headers['x-idp-harness-error'] }).toEqual({ status, code });
  expect(res.body).not.toContain('uniqueId');
  expect(res.body).not.toContain('/ids/relay');
}

/** An accepted response: the auto-POST page carrying a uniqueId to IdS's /ids/relay. */
export function expectAccepted(lab: Lab, res: UaResponse): void {
  expect({ status: res.status, code: res.headers['x-idp-harness-error'] }).toEqual({ status: 200, code: undefined });
  const form = readForm(res.body, res.url);
  expect(form.action).toBe(idsOf(lab).urls.relay);
  expect(form.fields['uniqueId']).toMatch(/^[A-Za-z0-9_-]{20,}$/);
}

/** Sends a control-API request to the console; returns the status and the parsed JSON. */
export async function control(lab: Lab, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: any }> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { 'content-type': contentType };
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(`${lab.urls.console}/api${path}`, init);
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

/** `PATCH /api/relying-parties/Cisco%20Identity%20Service` with `fields`; throws unless 200. */
export async function patchIdsRp(lab: Lab, fields: Record<string, unknown>): Promise<void> {
  const r = await control(lab, 'PATCH', `/relying-parties/${encodeURIComponent(IDS_RP_NAME)}`, fields);
  if (r.status !== 200) throw new Error(`PATCH relying party answered ${r.status}: ${JSON.stringify(r.json)}`);
}

/** Queues one AD FS fault aimed at the IdS relying party (`POST /api/faults`). */
export async function queueIdsFault(lab: Lab, kind: string): Promise<void> {
  const r = await control(lab, 'POST', '/faults', { surface: 'adfs', kind, relyingParty: IDS_RP_NAME });
  if (r.status !== 201) throw new Error(`POST /api/faults answered ${r.status}: ${JSON.stringify(r.json)}`);
}
