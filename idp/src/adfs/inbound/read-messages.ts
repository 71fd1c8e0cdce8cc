import type { XmlDocument, XmlElement, XmlNode } from 'libxml2-wasm';
import { IdpError } from '../../shared/errors.js';
import { NAMEID_FORMAT, NS } from '../saml-constants.js';
import { defaultInboundLimits, type InboundLimits } from './limits.js';
import { withSamlDocument } from './parse-xml.js';

/**
 * Typed extraction of the three inbound protocol messages the AD FS endpoint accepts, from a
 * document that parse-xml.ts has already parsed and schema-validated. Everything returned is
 * plain data; nothing here is trusted yet (signatures are verified separately).
 *
 * Identifier text (Issuer, NameID, SessionIndex) is the element's FULL text content, every text
 * and CDATA node concatenated, comments skipped: `<Issuer>sp<!---->.evil</Issuer>` reads
 * `sp.evil`, never `sp` (CVE-2017-11427 family, reference §4.1 item 2).
 */

export type AuthnContextComparison = 'exact' | 'minimum' | 'maximum' | 'better';

export interface AuthnRequestInfo {
  kind: 'AuthnRequest';
  id: string;
  version: string;
  issueInstant: string;
  destination?: string;
  issuer: string;
  consent?: string;
  acsUrl?: string;
  acsIndex?: number;
  protocolBinding?: string;
  forceAuthn: boolean;
  isPassive: boolean;
  nameIdPolicy?: { format?: string; spNameQualifier?: string; allowCreate?: boolean };
  /** The `<saml:Subject><saml:NameID>` the SP asks an assertion about (saml-core §3.4.1), full text. */
  subjectNameId?: string;
  requestedAuthnContext?: {
    /** saml-core §3.3.2.2.1: "If Comparison is not specified, the default is "exact"." */
    comparison: AuthnContextComparison;
    classRefs: string[];
    /** AuthnContextDeclRef values, the schema's alternative to class refs (AD FS ignores them). */
    declRefs: string[];
  };
  /** A ds:Signature is a direct child of the root (HTTP-POST); Redirect signatures are detached. */
  hasSignature: boolean;
}

export interface NameIdValue {
  value: string;
  format?: string;
  nameQualifier?: string;
  spNameQualifier?: string;
}

export interface LogoutRequestInfo {
  kind: 'LogoutRequest';
  id: string;
  version: string;
  issueInstant: string;
  destination?: string;
  issuer: string;
  notOnOrAfter?: string;
  reason?: string;
  nameId: NameIdValue;
  sessionIndexes: string[];
  hasSignature: boolean;
}

export interface LogoutResponseInfo {
  kind: 'LogoutResponse';
  id: string;
  version: string;
  issueInstant: string;
  inResponseTo?: string;
  destination?: string;
  issuer: string;
  /** Top-level StatusCode/@Value and, when present, the second-level one (saml-core §3.2.2.2). */
  statusCode: { value: string; subCode?: string };
  statusMessage?: string;
  hasSignature: boolean;
}

export type InboundMessage = AuthnRequestInfo | LogoutRequestInfo | LogoutResponseInfo;
export type InboundMessageKind = InboundMessage['kind'];

const NSMAP = { samlp: NS.protocol, saml: NS.assertion, ds: NS.dsig };

function malformed(message: string, debug?: string): IdpError {
  return new IdpError('ERR_SAML_REQUEST_MALFORMED', message, { debug });
}

function elements(context: XmlNode, xpath: string): XmlElement[] {
  return context.find(xpath, NSMAP) as XmlElement[];
}

function optionalChild(parent: XmlElement, xpath: string): XmlElement | undefined {
  const found = elements(parent, xpath);
  if (found.length > 1) throw malformed(`More than one ${xpath} element.`);
  return found[0];
}

/** Full text content: libxml2's xmlNodeGetContent concatenates text and CDATA, skipping comments. */
function fullText(el: XmlElement): string {
  return el.content;
}

/** A raw attribute value (xs:string semantics: kept as sent). */
function attr(el: XmlElement, name: string): string | undefined {
  return el.attr(name)?.value;
}

/**
 * xs:anyURI, xs:dateTime, xs:boolean and numeric attributes have the XSD whitespace facet
 * "collapse": the schema accepts surrounding blanks, so the value is the trimmed text.
 */
function collapsed(el: XmlElement, name: string): string | undefined {
  return attr(el, name)?.trim();
}

function bool(el: XmlElement, name: string): boolean | undefined {
  const v = collapsed(el, name);
  return v === undefined ? undefined : v === 'true' || v === '1'; // xs:boolean lexical space (schema-checked)
}

function expectRoot(doc: XmlDocument, kind: InboundMessageKind): XmlElement {
  const root = doc.root;
  if (root.name !== kind || root.namespaceUri !== NS.protocol) {
    throw malformed(`Expected a SAML 2.0 ${kind}.`, `root element is {${root.namespaceUri}}${root.name}`);
  }
  return root;
}

/**
 * The root ID is an xs:ID (saml-core §1.3.4). Blanks around it are schema-valid but would make
 * " _x" and "_x" different keys for the replay cache and the signature Reference, so they are
 * refused.
 */
function rootId(root: XmlElement): string {
  const id = attr(root, 'ID') ?? '';
  if (id === '' || id !== id.trim()) throw malformed('The message ID is not a valid identifier.');
  return id;
}

/**
 * saml-profiles §4.1.4.1 (AuthnRequest) and §4.4.4.1/§4.4.4.2 (logout): the <Issuer> element MUST
 * be present and its Format MUST be omitted or `...:nameid-format:entity`. The schema allows at
 * most one; the profile requires exactly one, as a direct child of the root.
 */
function issuer(root: XmlElement): string {
  const found = elements(root, 'saml:Issuer');
  if (found.length !== 1) throw malformed('The message must carry exactly one Issuer.');
  const el = found[0]!;
  const format = collapsed(el, 'Format');
  if (format !== undefined && format !== NAMEID_FORMAT.entity) {
    throw malformed('The Issuer Format must be omitted or be the entity format.', `Issuer Format=${format}`);
  }
  return fullText(el);
}

function hasSignature(root: XmlElement): boolean {
  return elements(root, 'ds:Signature').length > 0;
}

const COMPARISONS: readonly AuthnContextComparison[] = ['exact', 'minimum', 'maximum', 'better'];

/**
 * What every SAML request and response root carries (saml-core §3.2.1 / §3.2.2): ID, Version,
 * IssueInstant, Destination, Issuer, and whether a ds:Signature is enveloped in it.
 */
function readHeader(root: XmlElement) {
  const destination = collapsed(root, 'Destination');
  return {
    id: rootId(root),
    version: collapsed(root, 'Version') ?? '',
    issueInstant: collapsed(root, 'IssueInstant') ?? '',
    issuer: issuer(root),
    hasSignature: hasSignature(root),
    ...(destination === undefined ? {} : { destination }),
  };
}

function readAuthnRequestDoc(doc: XmlDocument): AuthnRequestInfo {
  const root = expectRoot(doc, 'AuthnRequest');
  const info: AuthnRequestInfo = {
    kind: 'AuthnRequest',
    ...readHeader(root),
    forceAuthn: bool(root, 'ForceAuthn') ?? false, // saml-core §3.4.1: default "false"
    isPassive: bool(root, 'IsPassive') ?? false, // saml-core §3.4.1: default "false"
  };
  const consent = collapsed(root, 'Consent');
  if (consent !== undefined) info.consent = consent;

  const acsUrl = collapsed(root, 'AssertionConsumerServiceURL');
  const acsIndex = collapsed(root, 'AssertionConsumerServiceIndex');
  // saml-core §3.4.1: AssertionConsumerServiceIndex "is mutually exclusive with the
  // AssertionConsumerServiceURL and ProtocolBinding attributes". URL + index is refused: the two
  // could name different endpoints. Index + ProtocolBinding is tolerated (it names no location).
  if (acsUrl !== undefined && acsIndex !== undefined) {
    throw malformed('AssertionConsumerServiceURL and AssertionConsumerServiceIndex are mutually exclusive.');
  }
  if (acsUrl !== undefined) info.acsUrl = acsUrl;
  if (acsIndex !== undefined) info.acsIndex = Number.parseInt(acsIndex, 10); // xs:unsignedShort, schema-checked
  const binding = collapsed(root, 'ProtocolBinding');
  if (binding !== undefined) info.protocolBinding = binding;

  const subject = optionalChild(root, 'saml:Subject');
  if (subject) {
    const nameId = optionalChild(subject, 'saml:NameID');
    // BaseID and EncryptedID name a subject we could not compare: refuse rather than ignore.
    if (!nameId) throw malformed('The AuthnRequest Subject names no NameID this federation service can read.');
    info.subjectNameId = fullText(nameId);
  }

  const policy = optionalChild(root, 'samlp:NameIDPolicy');
  if (policy) {
    const p: NonNullable<AuthnRequestInfo['nameIdPolicy']> = {};
    const format = collapsed(policy, 'Format');
    if (format !== undefined) p.format = format;
    const spnq = attr(policy, 'SPNameQualifier');
    if (spnq !== undefined) p.spNameQualifier = spnq;
    const allowCreate = bool(policy, 'AllowCreate');
    if (allowCreate !== undefined) p.allowCreate = allowCreate;
    info.nameIdPolicy = p;
  }

  const rac = optionalChild(root, 'samlp:RequestedAuthnContext');
  if (rac) {
    const comparison = (collapsed(rac, 'Comparison') ?? 'exact') as AuthnContextComparison;
    if (!COMPARISONS.includes(comparison)) throw malformed('Unknown RequestedAuthnContext Comparison.');
    info.requestedAuthnContext = {
      comparison,
      classRefs: elements(rac, 'saml:AuthnContextClassRef').map((e) => fullText(e).trim()),
      declRefs: elements(rac, 'saml:AuthnContextDeclRef').map((e) => fullText(e).trim()),
    };
  }
  return info;
}

function readLogoutRequestDoc(doc: XmlDocument): LogoutRequestInfo {
  const root = expectRoot(doc, 'LogoutRequest');
  // saml-core §3.7.1: exactly one of BaseID, NameID, EncryptedID (the schema enforces the choice).
  const nameIdEl = optionalChild(root, 'saml:NameID');
  if (!nameIdEl) {
    throw new IdpError('ERR_SAML_LOGOUT_INVALID', 'Only a plain NameID is supported in a LogoutRequest.', {
      debug: 'LogoutRequest identifies the principal with BaseID or EncryptedID',
    });
  }
  const nameId: NameIdValue = { value: fullText(nameIdEl) };
  const format = collapsed(nameIdEl, 'Format');
  if (format !== undefined) nameId.format = format;
  const nq = attr(nameIdEl, 'NameQualifier');
  if (nq !== undefined) nameId.nameQualifier = nq;
  const spnq = attr(nameIdEl, 'SPNameQualifier');
  if (spnq !== undefined) nameId.spNameQualifier = spnq;

  const info: LogoutRequestInfo = {
    kind: 'LogoutRequest',
    ...readHeader(root),
    nameId,
    sessionIndexes: elements(root, 'samlp:SessionIndex').map(fullText),
  };
  const notOnOrAfter = collapsed(root, 'NotOnOrAfter');
  if (notOnOrAfter !== undefined) info.notOnOrAfter = notOnOrAfter;
  const reason = attr(root, 'Reason');
  if (reason !== undefined) info.reason = reason;
  return info;
}

function readLogoutResponseDoc(doc: XmlDocument): LogoutResponseInfo {
  const root = expectRoot(doc, 'LogoutResponse');
  // saml-core §3.2.2: Status is required and holds one StatusCode, which may nest one more.
  const top = elements(root, 'samlp:Status/samlp:StatusCode')[0];
  if (!top) throw malformed('The LogoutResponse has no StatusCode.');
  const statusCode: LogoutResponseInfo['statusCode'] = { value: collapsed(top, 'Value') ?? '' };
  const sub = elements(top, 'samlp:StatusCode')[0];
  if (sub) statusCode.subCode = collapsed(sub, 'Value') ?? '';

  const info: LogoutResponseInfo = {
    kind: 'LogoutResponse',
    ...readHeader(root),
    statusCode,
  };
  const inResponseTo = collapsed(root, 'InResponseTo');
  if (inResponseTo !== undefined) info.inResponseTo = inResponseTo;
  const message = elements(root, 'samlp:Status/samlp:StatusMessage')[0];
  if (message) info.statusMessage = fullText(message);
  return info;
}

const READERS = {
  AuthnRequest: readAuthnRequestDoc,
  LogoutRequest: readLogoutRequestDoc,
  LogoutResponse: readLogoutResponseDoc,
} as const;

export function readAuthnRequest(xml: string, limits: InboundLimits = defaultInboundLimits): AuthnRequestInfo {
  return withSamlDocument(xml, limits, readAuthnRequestDoc);
}

export function readLogoutRequest(xml: string, limits: InboundLimits = defaultInboundLimits): LogoutRequestInfo {
  return withSamlDocument(xml, limits, readLogoutRequestDoc);
}

export function readLogoutResponse(xml: string, limits: InboundLimits = defaultInboundLimits): LogoutResponseInfo {
  return withSamlDocument(xml, limits, readLogoutResponseDoc);
}

/** Any of the three, chosen by the root element; anything else is malformed. */
export function readInboundMessage(xml: string, limits: InboundLimits = defaultInboundLimits): InboundMessage {
  return withSamlDocument(xml, limits, (doc) => {
    const root = doc.root;
    if (root.namespaceUri !== NS.protocol || !Object.hasOwn(READERS, root.name)) {
      throw malformed(
        'Expected an AuthnRequest, LogoutRequest or LogoutResponse.',
        `root is {${root.namespaceUri}}${root.name}`,
      );
    }
    return READERS[root.name as InboundMessageKind](doc);
  });
}
