import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { NS } from '../../adfs/saml-constants.js';
import { IdpError, type IdpErrorCode } from '../../shared/errors.js';

/** What a SAML SP emulation (IdS, CXone) reads from a Response, as plain data (the libxml2 document is gone afterwards). */
export interface ResponseInfo {
  id: string;
  destination: string | undefined;
  inResponseTo: string | undefined;
  issuer: string | undefined;
  statusCode: string;
  statusDetail: string | undefined;
  signed: boolean;
  assertion: AssertionInfo | undefined;
}

export interface AssertionInfo {
  id: string;
  issuer: string;
  signed: boolean;
  nameId: { value: string; format: string | undefined } | undefined;
  /** Bearer SubjectConfirmationData entries (saml-profiles §4.1.4.2). */
  bearer: Array<{ recipient: string | undefined; notOnOrAfter: string | undefined; notBefore: string | undefined; inResponseTo: string | undefined }>;
  notBefore: string | undefined;
  notOnOrAfter: string | undefined;
  /** Every Audience of every AudienceRestriction. */
  audienceRestrictions: string[][];
  hasAuthnStatement: boolean;
  /** Every AuthnContextClassRef of every AuthnStatement, in document order. */
  authnContextClassRefs: string[];
  /** The first AuthnStatement's SessionIndex (what a later LogoutRequest names). */
  sessionIndex: string | undefined;
  attributes: Map<string, string[]>;
}

/**
 * The error codes a reading SP reports the structure problems under (each SP emulation keeps
 * its own stable codes: IdS `ERR_IDS_SAML_*`, CXone `ERR_CXONE_SAML_*`).
 */
export interface ReadCodes {
  /** Not a Response, or not exactly one Assertion directly inside it. */
  structure: IdpErrorCode;
  /** An EncryptedAssertion (neither SP takes one). */
  encrypted: IdpErrorCode;
  /** A comment inside the assertion. */
  comment: IdpErrorCode;
}

const NSMAP = { samlp: NS.protocol, saml: NS.assertion, ds: NS.dsig };
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

function fail(code: IdpErrorCode, message: string, debug?: string): IdpError {
  return new IdpError(code, message, { status: 403, debug });
}

function find(ctx: XmlElement | XmlDocument, xpath: string): XmlElement[] {
  return ctx.find(xpath, NSMAP) as XmlElement[];
}

function attr(e: XmlElement | undefined, name: string): string | undefined {
  return e?.attr(name)?.value.trim();
}

/**
 * Reads a Response from a document parse-xml.ts parsed and schema-checked (size cap, no DOCTYPE,
 * libxml2, the SAML 2.0 protocol XSD). The structure rules that keep signature wrapping out are checked here, on the same
 * document: exactly one Assertion in the whole document and it is a direct child of the Response
 * (a second one, wrapped anywhere, is how XSW smuggles an unsigned assertion past a check of the
 * signed one); no EncryptedAssertion (IdS takes none, reference A.1.7; CXone neither, B.2.1); no comment inside the
 * assertion (CVE-2017-11427 class: `uid` of `admin<!---->.evil` read as "admin" by a parser that
 * stops at the first text node; every value here is the full text, and comments are refused).
 */
export function readResponseDocument(doc: XmlDocument, codes: ReadCodes): ResponseInfo {
  {
    const root = doc.root;
    if (root.name !== 'Response' || root.namespaceUri !== NS.protocol) {
      throw fail(codes.structure, 'The SAML message is not a Response.', `root is {${root.namespaceUri}}${root.name}`);
    }
    const status = find(root, 'samlp:Status/samlp:StatusCode')[0];
    const second = status ? find(status, 'samlp:StatusCode')[0] : undefined;
    if (find(doc, '//saml:EncryptedAssertion').length > 0) {
      throw fail(codes.encrypted, 'The IdP encrypted the assertion; this service provider requires an unencrypted assertion.');
    }
    const all = find(doc, '//saml:Assertion');
    const direct = find(root, 'saml:Assertion');
    if (all.length > 1 || all.length !== direct.length) {
      throw fail(codes.structure, 'The Response must contain exactly one Assertion, directly inside it.', `${all.length} Assertion elements, ${direct.length} direct`);
    }
    const info: ResponseInfo = {
      id: attr(root, 'ID') ?? '',
      destination: attr(root, 'Destination'),
      inResponseTo: attr(root, 'InResponseTo'),
      issuer: find(root, 'saml:Issuer')[0]?.content.trim(),
      statusCode: attr(status, 'Value') ?? '',
      statusDetail: attr(second, 'Value'),
      signed: find(root, 'ds:Signature').length > 0,
      assertion: direct[0] ? readAssertion(direct[0], codes) : undefined,
    };
    return info;
  }
}

function readAssertion(a: XmlElement, codes: ReadCodes): AssertionInfo {
  if (a.find('.//comment()').length > 0) {
    throw fail(codes.comment, 'The assertion contains an XML comment; it is refused rather than guess which text is meant.');
  }
  const nameIdEl = find(a, 'saml:Subject/saml:NameID')[0];
  const attributes = new Map<string, string[]>();
  for (const at of find(a, 'saml:AttributeStatement/saml:Attribute')) {
    const name = attr(at, 'Name') ?? '';
    const values = find(at, 'saml:AttributeValue').map((v) => v.content);
    attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
  }
  const conditions = find(a, 'saml:Conditions')[0];
  return {
    id: attr(a, 'ID') ?? '',
    issuer: find(a, 'saml:Issuer')[0]?.content.trim() ?? '',
    signed: find(a, 'ds:Signature').length > 0,
    nameId: nameIdEl ? { value: nameIdEl.content, format: attr(nameIdEl, 'Format') } : undefined,
    bearer: find(a, 'saml:Subject/saml:SubjectConfirmation')
      .filter((sc) => attr(sc, 'Method') === BEARER)
      .map((sc) => {
        const d = find(sc, 'saml:SubjectConfirmationData')[0];
        return { recipient: attr(d, 'Recipient'), notOnOrAfter: attr(d, 'NotOnOrAfter'), notBefore: attr(d, 'NotBefore'), inResponseTo: attr(d, 'InResponseTo') };
      }),
    notBefore: attr(conditions, 'NotBefore'),
    notOnOrAfter: attr(conditions, 'NotOnOrAfter'),
    audienceRestrictions: conditions ? find(conditions, 'saml:AudienceRestriction').map((r) => find(r, 'saml:Audience').map((x) => x.content.trim())) : [],
    hasAuthnStatement: find(a, 'saml:AuthnStatement').length > 0,
    authnContextClassRefs: find(a, 'saml:AuthnStatement/saml:AuthnContext/saml:AuthnContextClassRef').map((c) => c.content.trim()),
    sessionIndex: attr(find(a, 'saml:AuthnStatement')[0], 'SessionIndex'),
    attributes,
  };
}
