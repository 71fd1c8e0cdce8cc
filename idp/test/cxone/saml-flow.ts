import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { expect } from 'vitest';
import { readForm, UserAgent, type UaResponse } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';
import { isLoginPage, PASSWORD, readSamlPost, submitLogin, type SamlPost } from '../helpers/adfs-flow.js';

/**
 * Test-side plumbing for the CXone SAML authenticator suites (idp/test/cxone/saml-*.test.ts): a
 * scripted browser through CXone's username page, the lab AD FS forms page and the auto-POST back
 * to CXone's ACS, plus the admin API. Values CXone generates are spelled out here from the
 * reference (B.2.1), not imported from the code under test.
 */

/** The "Lab AD FS" SAML authenticator of fixtures/cxone/authenticators.json. */
export const LAB_ADFS_ID = '5b2e8c4d-7f1a-4c3b-8e9d-0a1b2c3d4e51';
/** Its AD FS relying-party trust (fixtures/adfs/relying-parties.json). */
export const LAB_ADFS_RP = 'NICE CXone (Lab AD FS login authenticator)';
/** agent1 at CXone: assigned to Lab AD FS, external identity = its AD FS UPN. */
export const AGENT1 = { username: 'agent1@lab.example', adfsUser: 'agent1' } as const;

export const ADMIN = 'Basic ' + Buffer.from('cxone.admin:CxoneAdmin1!').toString('base64');

export function cxoneOf(lab: Lab) {
  const c = lab.state.cxone;
  if (!c) throw new Error('the cxone service is not running in this lab');
  return c;
}

/** CXone's ACS for an authenticator id (reference B.2.1: `https://<host>/auth/authorize?tenantId=<guid>`). */
export const acsOf = (lab: Lab, id: string) => `${lab.urls.cxone}/auth/authorize?tenantId=${id}`;
/** CXone's SP entity ID for an authenticator id (reference B.2.1: `https://<host>/<guid>`). */
export const entityOf = (lab: Lab, id: string) => `${lab.urls.cxone}/${id}`;

/** A browser for a lab: with the lab CA when it runs on TLS. */
export function browser(lab: Lab): UserAgent {
  return new UserAgent(lab.state.config.tls.enabled ? { ca: lab.state.pki.caPem } : {});
}

/** CXone's username page, filled in and posted: the answer is the external step (a redirect) or a page. */
export async function submitUsername(ua: UserAgent, lab: Lab, username: string, start = `${lab.urls.cxone}/login`): Promise<UaResponse> {
  const page = await ua.follow(await ua.get(start));
  expect(page.status, page.body.slice(0, 300)).toBe(200);
  const form = readForm(page.body, page.url);
  return ua.post(form.action, { ...form.fields, username });
}

/**
 * From the username to the AD FS answer: CXone's redirect with the AuthnRequest, the AD FS forms
 * page (when AD FS has no session), and the "Working..." page that would post to CXone's ACS.
 */
export async function signInAtAdfs(ua: UserAgent, lab: Lab, username: string = AGENT1.username, adfsUser: string = AGENT1.adfsUser, start?: string): Promise<SamlPost> {
  const sent = await submitUsername(ua, lab, username, start);
  expect(sent.status, sent.body.slice(0, 300)).toBe(302);
  let page = await ua.get(sent.location!);
  if (isLoginPage(page)) page = await submitLogin(ua, page, adfsUser, PASSWORD[adfsUser]!);
  return readSamlPost(page);
}

/** AD FS's IdpInitiatedSignOn page for CXone's trust (`loginToRp`), signed in as `adfsUser`: the unsolicited answer. */
export async function idpInitiatedAtAdfs(ua: UserAgent, lab: Lab, adfsUser: string = AGENT1.adfsUser, authenticatorId: string = LAB_ADFS_ID): Promise<SamlPost> {
  const login = await ua.get(`${lab.urls.adfs}/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=${encodeURIComponent(entityOf(lab, authenticatorId))}`);
  expect(isLoginPage(login), login.body.slice(0, 300)).toBe(true);
  return readSamlPost(await submitLogin(ua, login, adfsUser, PASSWORD[adfsUser]!));
}

/** The browser's auto-POST of AD FS's answer to CXone's ACS. */
export function postToAcs(ua: UserAgent, post: Pick<SamlPost, 'action' | 'value' | 'relayState'>, value = post.value): Promise<UaResponse> {
  return ua.post(post.action, { SAMLResponse: value, ...(post.relayState !== undefined ? { RelayState: post.relayState } : {}) });
}

/** A refusal: the status, the stable code in its header, CXone's error page (never a session). */
export function expectRefused(res: UaResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.headers['x-idp-harness-error'] }, res.body.slice(0, 400)).toEqual({ status, code });
  expect(res.body).toContain(`<span id="errorCode">${code}</span>`);
  expect(String(res.headers['set-cookie'] ?? '')).not.toMatch(/cxone_session=[^;]/);
}

/** An accepted response with no application waiting: 303 to `/`, where CXone shows the user. */
export async function expectHome(ua: UserAgent, lab: Lab, res: UaResponse, username: string = AGENT1.username): Promise<UaResponse> {
  expect(res.status, res.body.slice(0, 400)).toBe(303);
  expect(res.location).toBe('/');
  const home = await ua.get(`${lab.urls.cxone}/`);
  expect(home.status).toBe(200);
  expect(home.body).toContain(`<strong id="signedInUser">${username}</strong>`);
  expect(home.body).toContain('<span id="amr">fed</span>');
  return home;
}

/** The admin REST API (HTTP Basic as the tenant administrator); trusts the lab CA on TLS. */
export function adminApi(lab: Lab, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const url = new URL(`${lab.urls.cxone}/api/v1${path}`);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { authorization: ADMIN, ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}) };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, ...(url.protocol === 'https:' ? { ca: lab.state.pki.caPem } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A SAML authenticator pointed at the lab AD FS, as an admin would create it (seed 002 step 3). */
export function samlAuthenticatorInput(lab: Lab, over: { name?: string; certificate?: string; ficam?: boolean } = {}) {
  return {
    name: over.name ?? 'Partner AD FS',
    description: 'created by a test',
    type: 'SAML',
    saml: { endpointUrl: `${lab.urls.adfs}/adfs/ls/`, certificate: over.certificate ?? lab.state.pki.systems.adfs.signing.certPem, ficam: over.ficam ?? false },
  };
}

/** Turns FICAM on or off for the fixture authenticator (through the admin API, as an admin would). */
export async function setFicam(lab: Lab, on: boolean): Promise<void> {
  // A PATCH merges the section: the endpoint URL and certificate stay as they are.
  const r = await adminApi(lab, 'PATCH', `/login-authenticators/${LAB_ADFS_ID}`, { saml: { ficam: on } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.saml.ficam).toBe(on);
}
