/**
 * Test-side plumbing shared by the adfs-security suites (not a test file): hand-built SAML
 * requests, the two bindings as a browser would send them, and readers for what AD FS answers —
 * its HTML error page, a SAML message on the "Working..." auto-POST page, or a Redirect.
 *
 * Everything here is independent of the code under test: requests are template strings, Redirect
 * signatures come from node:crypto, POST signatures from xml-crypto (sp-driver's signer), and
 * answers are read with @xmldom/xmldom and verified with xml-crypto pinned to the AD FS cert.
 */
import { randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { expect } from 'vitest';
import { readForm, type UaResponse, type UserAgent } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';

export const NS_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const NS_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const NS_DSIG = 'http://www.w3.org/2000/09/xmldsig#';
export const BINDING_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
export const SIGALG = {
  'rsa-sha256': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'rsa-sha1': 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
} as const;
export const STATUS = {
  Success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  Requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  Responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  RequestDenied: 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
} as const;
export const SAMPLE_SP = 'urn:idp-harness:sample-sp';
export const ERROR_HEADER = 'x-idp-harness-error';
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** The endpoints of a running lab the tests talk to. */
export function endpoints(lab: Lab) {
  const adfs = lab.state.adfs;
  if (!adfs) throw new Error('the lab runs without adfs');
  return {
    ls: adfs.urls.ls,
    idpInitiated: adfs.urls.idpInitiated,
    sampleAcs: `${lab.urls.console}/sample-sp/acs`,
    sampleSlo: `${lab.urls.console}/sample-sp/slo`,
    adfsCertPem: lab.state.pki.systems.adfs.signing.certPem,
  };
}

export const newId = (): string => `_${randomUUID()}`;
export const instant = (ms: number = Date.now()): string => new Date(ms).toISOString();

export interface AuthnRequestOptions {
  id?: string;
  issueInstant?: string;
  /** `null` leaves the attribute out. Default: the lab's /adfs/ls/. */
  destination?: string | null;
  /** Raw XML content of <Issuer> (so a test can inject markup). Default: the sample SP. */
  issuer?: string;
  /** `null` leaves the attribute out. Default: the sample SP's ACS. */
  acsUrl?: string | null;
  acsIndex?: number;
  /** `null` leaves the attribute out. Default: HTTP-POST. */
  protocolBinding?: string | null;
  /** Raw XML inserted after <Issuer> (NameIDPolicy, Extensions...). */
  children?: string;
}

/** An AuthnRequest as a template string, in the shape node-saml and Cisco IdS send. */
export function authnRequestXml(lab: Lab, o: AuthnRequestOptions = {}): string {
  const ep = endpoints(lab);
  const attrs: string[] = [
    `ID="${o.id ?? newId()}"`,
    'Version="2.0"',
    `IssueInstant="${o.issueInstant ?? instant()}"`,
  ];
  const destination = o.destination === undefined ? ep.ls : o.destination;
  if (destination !== null) attrs.push(`Destination="${destination}"`);
  const acsUrl = o.acsUrl === undefined ? (o.acsIndex === undefined ? ep.sampleAcs : null) : o.acsUrl;
  if (acsUrl !== null) attrs.push(`AssertionConsumerServiceURL="${acsUrl}"`);
  if (o.acsIndex !== undefined) attrs.push(`AssertionConsumerServiceIndex="${o.acsIndex}"`);
  const binding = o.protocolBinding === undefined ? (o.acsIndex === undefined ? BINDING_POST : null) : o.protocolBinding;
  if (binding !== null) attrs.push(`ProtocolBinding="${binding}"`);
  return (
    `<samlp:AuthnRequest xmlns:samlp="${NS_PROTOCOL}" ${attrs.join(' ')}>` +
    `<saml:Issuer xmlns:saml="${NS_ASSERTION}">${o.issuer ?? SAMPLE_SP}</saml:Issuer>` +
    (o.children ?? '') +
    `</samlp:AuthnRequest>`
  );
}

export interface LogoutRequestOptions {
  id?: string;
  issuer?: string;
  nameId: string;
  nameIdFormat?: string;
  sessionIndex?: string;
}

export function logoutRequestXml(lab: Lab, o: LogoutRequestOptions): string {
  const format = o.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
  return (
    `<samlp:LogoutRequest xmlns:samlp="${NS_PROTOCOL}" ID="${o.id ?? newId()}" Version="2.0" IssueInstant="${instant()}" Destination="${endpoints(lab).ls}">` +
    `<saml:Issuer xmlns:saml="${NS_ASSERTION}">${o.issuer ?? SAMPLE_SP}</saml:Issuer>` +
    `<saml:NameID xmlns:saml="${NS_ASSERTION}" Format="${format}">${o.nameId}</saml:NameID>` +
    (o.sessionIndex === undefined ? '' : `<samlp:SessionIndex>${o.sessionIndex}</samlp:SessionIndex>`) +
    `</samlp:LogoutRequest>`
  );
}

export const deflateB64 = (xml: string | Buffer): string => deflateRawSync(Buffer.from(xml)).toString('base64');
export const b64 = (xml: string | Buffer): string => Buffer.from(xml).toString('base64');

export interface RedirectOptions {
  relayState?: string;
  param?: 'SAMLRequest' | 'SAMLResponse';
  /** Sign `SAMLRequest=…[&RelayState=…]&SigAlg=…` exactly as it is sent (saml-bindings §3.4.4.1). */
  sign?: { key: KeyObject | string; alg: keyof typeof SIGALG };
  /** Send this instead of the deflated, base64 XML (already base64 or garbage). */
  rawMessage?: string;
}

/** The raw query string of an HTTP-Redirect binding message. */
export function redirectQuery(xml: string, o: RedirectOptions = {}): string {
  let q = `${o.param ?? 'SAMLRequest'}=${encodeURIComponent(o.rawMessage ?? deflateB64(xml))}`;
  if (o.relayState !== undefined) q += `&RelayState=${encodeURIComponent(o.relayState)}`;
  if (o.sign) {
    q += `&SigAlg=${encodeURIComponent(SIGALG[o.sign.alg])}`;
    const hash = o.sign.alg === 'rsa-sha256' ? 'sha256' : 'sha1';
    q += `&Signature=${encodeURIComponent(sign(hash, Buffer.from(q, 'utf8'), o.sign.key).toString('base64'))}`;
  }
  return q;
}

export const getLs = (ua: UserAgent, lab: Lab, query: string, headers?: Record<string, string>): Promise<UaResponse> =>
  ua.get(`${endpoints(lab).ls}?${query}`, headers);

export const postLs = (ua: UserAgent, lab: Lab, form: Record<string, string>, headers?: Record<string, string>): Promise<UaResponse> =>
  ua.post(endpoints(lab).ls, form, headers);

export interface ErrorPage {
  code: string;
  msis: string;
  activityId: string;
}

/**
 * Asserts `res` is AD FS's HTML error page carrying `code` (header and data attribute agree), an
 * MSIS code, an Activity ID and the details block, and that nothing was posted anywhere: no form,
 * no SAML message. Never a 500 and never ERR_INTERNAL.
 */
export function expectErrorPage(res: UaResponse, code: string, msis?: string): ErrorPage {
  expect(res.headers[ERROR_HEADER], `error code of ${res.url}`).toBe(code);
  expect(res.status).toBe(code === 'ERR_HTTP_NOT_FOUND' || code === 'ERR_SAML_IDP_INITIATED_DISABLED' ? 404 : 200);
  expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
  const area = /<div id="errorArea" data-error-code="([^"]*)" data-msis="([^"]*)">/.exec(res.body);
  expect(area, 'the error page markup').not.toBeNull();
  expect(area![1]).toBe(code);
  const found = area![2]!;
  expect(found).toMatch(/^MSIS\d{4}$/);
  if (msis !== undefined) expect(found).toBe(msis);
  expect(res.body).toContain('An error occurred');
  const activity = new RegExp(`Activity ID: (${GUID.source})`).exec(res.body);
  expect(activity, 'an Activity ID GUID').not.toBeNull();
  expect(res.body).toContain(`Error details: ${found}: `);
  // Nothing is posted anywhere: no form, no SAML field (the words may appear in the message).
  expect(res.body).not.toMatch(/name="SAML(Response|Request)"/);
  expect(res.body).not.toMatch(/<form\b/i);
  return { code, msis: found, activityId: activity![1]! };
}

/** A SAML message read from an answer (auto-POST page or Redirect). */
export interface SamlAnswer {
  /** Where the browser is sent (form action or Location without the query). */
  target: string;
  relayState: string | undefined;
  xml: string;
  doc: Document;
  root: Element;
  /** Top-level and second-level StatusCode/@Value. */
  status: { top: string | undefined; second: string | undefined };
  inResponseTo: string | undefined;
  destination: string | undefined;
  /** The HTTP-Redirect detached signature, when the message came that way. */
  redirect?: { signedOctets: string; sigAlg: string; signature: Buffer };
}

function parseXml(xml: string): Document {
  const problems: string[] = [];
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: (m) => problems.push(String(m)), fatalError: (m) => problems.push(String(m)) },
  }).parseFromString(xml, 'text/xml');
  if (problems.length > 0) throw new Error(`not XML: ${problems[0]}`);
  return doc as unknown as Document;
}

function answerFrom(target: string, relayState: string | undefined, xml: string): SamlAnswer {
  const doc = parseXml(xml);
  const root = doc.documentElement;
  const codes = Array.from(doc.getElementsByTagNameNS(NS_PROTOCOL, 'StatusCode'));
  return {
    target,
    relayState,
    xml,
    doc,
    root,
    status: { top: codes[0]?.getAttribute('Value') || undefined, second: codes[1]?.getAttribute('Value') || undefined },
    // xmldom 0.8 answers '' for a missing attribute: ask whether it is there.
    inResponseTo: root.hasAttribute('InResponseTo') ? root.getAttribute('InResponseTo')! : undefined,
    destination: root.hasAttribute('Destination') ? root.getAttribute('Destination')! : undefined,
  };
}

/** The message on AD FS's "Working..." auto-POST page. */
export function readPosted(res: UaResponse, field: 'SAMLResponse' | 'SAMLRequest' = 'SAMLResponse'): SamlAnswer {
  expect(res.status).toBe(200);
  expect(res.body).toContain('<title>Working...</title>');
  const form = readForm(res.body, res.url);
  const value = form.fields[field];
  expect(value, `${field} on the Working page`).toBeTruthy();
  return answerFrom(form.action, form.fields['RelayState'], Buffer.from(value!, 'base64').toString('utf8'));
}

/** The message of an HTTP-Redirect answer (302 with SAMLRequest/SAMLResponse in Location). */
export function readRedirected(res: UaResponse): SamlAnswer {
  expect(res.status).toBe(302);
  const location = res.location!;
  const q = location.indexOf('?');
  const params = new URLSearchParams(location.slice(q + 1));
  const field = params.has('SAMLResponse') ? 'SAMLResponse' : 'SAMLRequest';
  const xml = inflateRawSync(Buffer.from(params.get(field)!, 'base64')).toString('utf8');
  const answer = answerFrom(location.slice(0, q), params.get('RelayState') ?? undefined, xml);
  const raw = location.slice(q + 1).split('&');
  const signedOctets = raw.filter((s) => /^(SAMLRequest|SAMLResponse|RelayState|SigAlg)=/.test(s)).join('&');
  if (params.has('Signature')) {
    answer.redirect = { signedOctets, sigAlg: params.get('SigAlg')!, signature: Buffer.from(params.get('Signature')!, 'base64') };
  }
  return answer;
}

/**
 * xml-crypto, pinned to `certPem` (KeyInfo ignored), on the signature that is a direct child of
 * `el`, and the Reference must name `el` itself. True only when all of that holds.
 */
export function signedBy(xml: string, el: Element, certPem: string): boolean {
  const sig = Array.from(el.childNodes).find(
    (n) => n.nodeType === 1 && (n as Element).namespaceURI === NS_DSIG && (n as Element).localName === 'Signature',
  ) as Element | undefined;
  if (!sig) return false;
  const ref = sig.getElementsByTagNameNS(NS_DSIG, 'Reference');
  if (ref.length !== 1 || ref[0]!.getAttribute('URI') !== `#${el.getAttribute('ID')}`) return false;
  const v = new SignedXml({ publicCert: certPem, getCertFromKeyInfo: () => null });
  try {
    v.loadSignature(sig as unknown as Node);
    return v.checkSignature(xml);
  } catch {
    return false;
  }
}

/** The Redirect-binding signature of an answer, with the AD FS certificate. */
export function redirectSignedBy(answer: SamlAnswer, certPem: string): boolean {
  const r = answer.redirect;
  if (!r) return false;
  const hash = r.sigAlg === SIGALG['rsa-sha1'] ? 'sha1' : 'sha256';
  return verify(hash, Buffer.from(r.signedOctets, 'utf8'), certPem, r.signature);
}

/**
 * Asserts `res` is a SAML status response (no assertion) posted to `acs`, signed at message level
 * by AD FS, answering `inResponseTo`, with these status codes and our error code in the header.
 */
export function expectStatusResponse(
  res: UaResponse,
  lab: Lab,
  want: { code: string; top: string; second?: string; acs: string; inResponseTo: string },
): SamlAnswer {
  expect(res.headers[ERROR_HEADER]).toBe(want.code);
  const answer = readPosted(res);
  expect(answer.root.localName).toBe('Response');
  expect(answer.target).toBe(want.acs);
  expect(answer.destination).toBe(want.acs);
  expect(answer.inResponseTo).toBe(want.inResponseTo);
  expect(answer.status).toEqual({ top: want.top, second: want.second });
  expect(answer.doc.getElementsByTagNameNS(NS_ASSERTION, 'Assertion').length).toBe(0);
  expect(answer.doc.getElementsByTagNameNS(NS_ASSERTION, 'EncryptedAssertion').length).toBe(0);
  expect(signedBy(answer.xml, answer.root, endpoints(lab).adfsCertPem), 'message signature by the AD FS key').toBe(true);
  return answer;
}

/** The forms sign-in page (the request was accepted and the user must authenticate). */
export function expectLoginPage(res: UaResponse): void {
  expect(res.headers[ERROR_HEADER]).toBeUndefined();
  expect(res.status).toBe(200);
  expect(res.body).toContain('name="UserName"');
  expect(res.body).toContain('value="FormsAuthentication"');
}

/** Submits the forms sign-in page as agent1 and returns the answer (the Working page). */
export async function submitLogin(ua: UserAgent, loginPage: UaResponse, user = 'agent1', password = 'Agent1Pass!'): Promise<UaResponse> {
  expectLoginPage(loginPage);
  const form = readForm(loginPage.body, loginPage.url);
  return ua.post(form.action, { ...form.fields, UserName: user, Password: password });
}

/** Asserts a successful token response for `acs` and returns it. */
export function expectSuccessResponse(res: UaResponse, lab: Lab, acs: string, inResponseTo?: string): SamlAnswer {
  expect(res.headers[ERROR_HEADER]).toBeUndefined();
  const answer = readPosted(res);
  expect(answer.target).toBe(acs);
  expect(answer.status.top).toBe(STATUS.Success);
  expect(answer.inResponseTo).toBe(inResponseTo);
  const assertions = answer.doc.getElementsByTagNameNS(NS_ASSERTION, 'Assertion');
  expect(assertions.length).toBe(1);
  expect(signedBy(answer.xml, assertions[0]!, endpoints(lab).adfsCertPem)).toBe(true);
  return answer;
}
