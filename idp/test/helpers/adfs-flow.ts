import { verify, X509Certificate } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SAML, ValidateInResponseTo, type SamlConfig } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import xpath from 'xpath';
import { readForm, type UaResponse, type UserAgent } from '../../../harness/src/clients/user-agent.js';
import type { RelyingPartyInput } from '../../src/adfs/relying-party-schema.js';
import type { Lab } from '../../src/lab.js';

/**
 * Test-side plumbing for the AD FS protocol suites (idp/test/adfs/*): an independent SP
 * (@node-saml/node-saml) pointed at a running lab, a driver for the sign-in form and the
 * "Working..." auto-POST page, and small XML readers. URIs are spelled out here rather than
 * imported from idp/src, so a wrong constant in the code under test cannot make a test agree
 * with it.
 */

export const URI = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
} as const;

export const STATUS = {
  Success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  Requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  Responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  InvalidNameIDPolicy: 'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy',
  NoAuthnContext: 'urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext',
  NoPassive: 'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
  PartialLogout: 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout',
} as const;

export const NAMEID = {
  emailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
} as const;

export const AC = {
  PasswordProtectedTransport: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  Password: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
  X509: 'urn:oasis:names:tc:SAML:2.0:ac:classes:X509',
  Windows: 'urn:federation:authentication:windows',
} as const;

export const CLAIM = {
  upn: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  group: 'http://schemas.xmlsoap.org/claims/Group',
} as const;

/** Fixture passwords (fixtures/users.json). */
export const PASSWORD: Record<string, string> = {
  agent1: 'Agent1Pass!',
  agent2: 'Agent2Pass!',
  supervisor1: 'Super1Pass!',
  nonsso1: 'NonSso1Pass!',
};

/** The AD FS emulation's context of a running lab (the suites always start the adfs service). */
export function adfsOf(lab: Lab) {
  const a = lab.state.adfs;
  if (!a) throw new Error('the adfs service is not running in this lab');
  return a;
}

/** Adds a relying-party trust at runtime, with the same fields as fixtures/adfs/relying-parties.json. */
export function addRp(lab: Lab, rp: RelyingPartyInput): void {
  lab.state.relyingParties.add(rp);
}

/**
 * A node-saml SP talking to the lab's AD FS: the AD FS signing certificate pinned, strict
 * InResponseTo checking, no NameIDPolicy and no RequestedAuthnContext unless a test asks.
 */
export function testSp(lab: Lab, cfg: Partial<SamlConfig> & { issuer: string; callbackUrl: string }): SAML {
  const a = adfsOf(lab);
  return new SAML({
    entryPoint: a.urls.ls,
    logoutUrl: a.urls.ls,
    idpCert: lab.state.pki.systems.adfs.signing.certPem,
    idpIssuer: a.identifier,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.always,
    ...cfg,
  });
}

/** The sample-sp signing key as node-saml signing options, with the digest matching the algorithm. */
export function spSigning(lab: Lab, alg: 'sha256' | 'sha1' = 'sha256'): Partial<SamlConfig> {
  return { privateKey: lab.state.pki.systems['sample-sp'].signing.keyPem, signatureAlgorithm: alg, digestAlgorithm: alg };
}

export type Binding = 'redirect' | 'post';

/**
 * Sends the SP's AuthnRequest through the browser: HTTP-Redirect (a GET on node-saml's URL) or
 * HTTP-POST (the form node-saml would auto-submit). saml-bindings §3.5.4: the POST binding is
 * base64 without DEFLATE, which node-saml only does with `skipRequestCompression`.
 */
export async function sendAuthnRequest(ua: UserAgent, sp: SAML, binding: Binding, relayState = ''): Promise<UaResponse> {
  if (binding === 'redirect') {
    sp.options.skipRequestCompression = false;
    return ua.get(await sp.getAuthorizeUrlAsync(relayState, undefined, {}));
  }
  sp.options.skipRequestCompression = true;
  const message = (await sp.getAuthorizeMessageAsync(relayState)) as Record<string, string>;
  return ua.post(sp.options.entryPoint!, message);
}

/** Whether a page is AD FS's forms sign-in page. */
export function isLoginPage(page: UaResponse): boolean {
  return page.status === 200 && page.body.includes('id="loginForm"');
}

/** Fills in and posts the sign-in form (`UserName`, `Password`, `AuthMethod` kept as served). */
export async function submitLogin(ua: UserAgent, loginPage: UaResponse, userName: string, password: string): Promise<UaResponse> {
  if (!isLoginPage(loginPage)) throw new Error(`expected the sign-in page, got ${loginPage.status}: ${loginPage.body.slice(0, 400)}`);
  const form = readForm(loginPage.body, loginPage.url);
  return ua.post(form.action, { ...form.fields, UserName: userName, Password: password });
}

/** A SAML message delivered by AD FS's "Working..." auto-POST page. */
export interface SamlPost {
  action: string;
  field: 'SAMLResponse' | 'SAMLRequest';
  /** The base64 field value as posted. */
  value: string;
  xml: string;
  relayState: string | undefined;
  page: UaResponse;
}

export function readSamlPost(page: UaResponse): SamlPost {
  if (page.status !== 200 || !page.body.includes('<title>Working...</title>')) {
    throw new Error(`expected the Working... page, got ${page.status}: ${page.body.slice(0, 600)}`);
  }
  const form = readForm(page.body, page.url);
  const field = form.fields['SAMLResponse'] !== undefined ? 'SAMLResponse' : 'SAMLRequest';
  const value = form.fields[field];
  if (value === undefined) throw new Error('the Working... page carries no SAML message');
  return { action: form.action, field, value, xml: Buffer.from(value, 'base64').toString('utf8'), relayState: form.fields['RelayState'], page };
}

/**
 * The whole SP-initiated sign-in: AuthnRequest, the form when AD FS shows it, the response page.
 * `loginShown` tells whether a form had to be filled in.
 */
export async function signIn(
  ua: UserAgent,
  sp: SAML,
  opts: { binding?: Binding; user?: string; password?: string; relayState?: string } = {},
): Promise<SamlPost & { loginShown: boolean }> {
  const user = opts.user ?? 'agent1';
  let page = await sendAuthnRequest(ua, sp, opts.binding ?? 'redirect', opts.relayState ?? '');
  const loginShown = isLoginPage(page);
  if (loginShown) page = await submitLogin(ua, page, user, opts.password ?? PASSWORD[user]!);
  return { ...readSamlPost(page), loginShown };
}

// ---- XML reading -------------------------------------------------------------------------------

const select = xpath.useNamespaces({
  samlp: URI.protocol,
  saml: URI.assertion,
  md: URI.metadata,
  ds: URI.dsig,
  xenc: URI.xenc,
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  fed: 'http://docs.oasis-open.org/wsfed/federation/200706',
});

export function parseXml(xml: string): Document {
  return new DOMParser({ errorHandler: { error: (m: string) => { throw new Error(m); }, fatalError: (m: string) => { throw new Error(m); } } }).parseFromString(xml, 'text/xml') as unknown as Document;
}

export function nodes(ctx: Node, expr: string): Node[] {
  return select(expr, ctx as never) as unknown as Node[];
}

export function elems(ctx: Node, expr: string): Element[] {
  return nodes(ctx, expr) as Element[];
}

/** The one element `expr` selects (throws when there are none or several). */
export function one(ctx: Node, expr: string): Element {
  const found = elems(ctx, expr);
  if (found.length !== 1) throw new Error(`expected one ${expr}, found ${found.length}`);
  return found[0]!;
}

/** Local names of an element's element children, in document order. */
export function childNames(el: Element): string[] {
  const out: string[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push((n as Element).localName);
  return out;
}

/** Top-level and second-level StatusCode values of a Response or LogoutResponse. */
export function statusOf(xml: string): { top: string | null; second: string | null } {
  const doc = parseXml(xml);
  const top = elems(doc, '/*/samlp:Status/samlp:StatusCode')[0];
  const second = top ? elems(top, 'samlp:StatusCode')[0] : undefined;
  return { top: top?.getAttribute('Value') ?? null, second: second?.getAttribute('Value') ?? null };
}

// ---- HTTP-Redirect binding ---------------------------------------------------------------------

export function rawQueryOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}

/** A Redirect-binding message as received: the inflated XML and the decoded parameters. */
export function readRedirect(url: string): { xml: string; params: Record<string, string>; raw: string; base: string } {
  const raw = rawQueryOf(url);
  const params = Object.fromEntries(new URLSearchParams(raw));
  const encoded = params['SAMLRequest'] ?? params['SAMLResponse'];
  if (encoded === undefined) throw new Error(`no SAML message in ${url}`);
  const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
  return { xml, params, raw, base: url.slice(0, url.indexOf('?')) };
}

/**
 * saml-bindings §3.4.4.1, checked independently of any SAML library: the signature covers
 * `SAMLRequest|SAMLResponse=…[&RelayState=…]&SigAlg=…` exactly as those pairs appear in the URL.
 */
export function redirectSignatureValid(url: string, certPem: string): boolean {
  const pairs = rawQueryOf(url).split('&');
  const pick = (name: string) => pairs.find((p) => p.startsWith(name + '='));
  const message = pick('SAMLRequest') ?? pick('SAMLResponse');
  const sigAlg = pick('SigAlg');
  const signature = pick('Signature');
  if (!message || !sigAlg || !signature) return false;
  const octets = [message, pick('RelayState'), sigAlg].filter((p) => p !== undefined).join('&');
  const alg = decodeURIComponent(sigAlg.slice('SigAlg='.length));
  const hash = alg === URI.rsaSha256 ? 'sha256' : alg === URI.rsaSha1 ? 'sha1' : undefined;
  if (!hash) return false;
  return verify(hash, Buffer.from(octets, 'utf8'), new X509Certificate(certPem).publicKey, Buffer.from(decodeURIComponent(signature.slice('Signature='.length)), 'base64'));
}

// ---- hand-made AuthnRequests (for what node-saml cannot send) ----------------------------------

export interface AuthnRequestSpec {
  issuer: string;
  destination: string;
  id?: string;
  /** Epoch ms; use the lab clock when it has been moved. */
  issueInstant: number;
  acsUrl?: string;
  acsIndex?: number;
  nameIdFormat?: string;
  forceAuthn?: boolean;
  isPassive?: boolean;
  requestedAuthnContext?: { comparison: 'exact' | 'minimum' | 'maximum' | 'better'; classRefs: string[] };
}

let counter = 0;

/** An unsigned AuthnRequest, saml-core §3.4.1, with only the attributes the spec asks for. */
export function authnRequestXml(s: AuthnRequestSpec): string {
  const id = s.id ?? `_test-${process.pid}-${Date.now()}-${++counter}`;
  const attrs = [
    `ID="${id}"`,
    'Version="2.0"',
    `IssueInstant="${new Date(s.issueInstant).toISOString()}"`,
    `Destination="${s.destination}"`,
    s.acsUrl !== undefined ? `AssertionConsumerServiceURL="${s.acsUrl}"` : '',
    s.acsIndex !== undefined ? `AssertionConsumerServiceIndex="${s.acsIndex}"` : '',
    s.forceAuthn ? 'ForceAuthn="true"' : '',
    s.isPassive ? 'IsPassive="true"' : '',
  ].filter(Boolean);
  const policy = s.nameIdFormat ? `<samlp:NameIDPolicy Format="${s.nameIdFormat}" AllowCreate="true"/>` : '';
  const rac = s.requestedAuthnContext
    ? `<samlp:RequestedAuthnContext Comparison="${s.requestedAuthnContext.comparison}">${s.requestedAuthnContext.classRefs
        .map((r) => `<saml:AuthnContextClassRef>${r}</saml:AuthnContextClassRef>`)
        .join('')}</samlp:RequestedAuthnContext>`
    : '';
  return (
    `<samlp:AuthnRequest xmlns:samlp="${URI.protocol}" xmlns:saml="${URI.assertion}" ${attrs.join(' ')}>` +
    `<saml:Issuer>${s.issuer}</saml:Issuer>${policy}${rac}</samlp:AuthnRequest>`
  );
}

/** The HTTP-Redirect URL of an unsigned message (DEFLATE, base64, percent-encoding). */
export function redirectUrl(endpoint: string, param: 'SAMLRequest' | 'SAMLResponse', xml: string, relayState?: string): string {
  let q = `${param}=${encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'))}`;
  if (relayState !== undefined) q += `&RelayState=${encodeURIComponent(relayState)}`;
  return endpoint + (endpoint.includes('?') ? '&' : '?') + q;
}

/** The ID attribute of a message's root element. */
export function rootId(xml: string): string {
  return parseXml(xml).documentElement.getAttribute('ID') ?? '';
}

/** ISO-8601 with milliseconds, as AD FS writes every instant. */
export const iso = (ms: number): string => new Date(ms).toISOString();

export const MINUTE = 60_000;
