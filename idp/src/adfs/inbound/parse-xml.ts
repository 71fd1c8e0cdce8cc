import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ParseOption,
  XmlBufferInputProvider,
  XmlDocument,
  XmlLibError,
  XmlParseError,
  XmlValidateError,
  XsdValidator,
  xmlRegisterInputProvider,
  type ErrorDetail,
} from 'libxml2-wasm';
import { IdpError } from '../../shared/errors.js';
import { assetsDir } from '../../shared/paths.js';
import { defaultInboundLimits, type InboundLimits } from './limits.js';

/**
 * The one door through which untrusted SAML XML reaches a DOM (DESIGN §3, reference §4.1 item 6):
 *   1. a size cap on the decoded text;
 *   2. no DOCTYPE at all: SAML never needs one (saml-core §1.3 / saml-bindings §3.x carry plain
 *      XML), and refusing it removes XXE, internal-entity expansion and billion-laughs outright;
 *   3. libxml2 (WebAssembly, linear-time, depth-capped) checks well-formedness with entity
 *      substitution, DTD loading and network access off;
 *   4. XSD validation against the OASIS SAML 2.0 protocol schema and the W3C schemas it imports,
 *      vendored in idp/assets/xsd and resolved only from memory.
 * Only a document that passed all four is handed to a reader; the document is always disposed.
 * `@xmldom/xmldom` 0.8 is quadratic on unclosed markup, so nothing here uses it.
 */

const XSD_FILES = [
  'saml-schema-protocol-2.0.xsd',
  'saml-schema-assertion-2.0.xsd',
  'xmldsig-core-schema.xsd',
  'xenc-schema.xsd',
] as const;
/** A private virtual folder: schemaLocation imports resolve here and nowhere else (no FS, no network). */
const XSD_URL_BASE = '/idp-harness/adfs-inbound/xsd/';

/**
 * NONET and NO_XXE: never fetch anything. No NOENT (no entity substitution), no DTDLOAD/DTDATTR/
 * DTDVALID, no HUGE (keeps libxml2's depth 256 / name-length limits), no RECOVER. IGNORE_ENC: the
 * text is already a JS string decoded as UTF-8, so an `encoding="..."` declaration must not make
 * libxml2 re-interpret it.
 */
const PARSE_OPTIONS =
  ParseOption.XML_PARSE_NONET |
  ParseOption.XML_PARSE_NO_XXE |
  ParseOption.XML_PARSE_IGNORE_ENC |
  ParseOption.XML_PARSE_NO_SYS_CATALOG;

let validator: XsdValidator | undefined;

/** Compiles the protocol schema once (about 15 ms), on first use, and keeps it for the process. */
function samlValidator(): XsdValidator {
  if (validator) return validator;
  const dir = join(assetsDir, 'xsd');
  const buffers = Object.fromEntries(
    XSD_FILES.map((f) => [XSD_URL_BASE + f, new Uint8Array(readFileSync(join(dir, f)))]),
  );
  xmlRegisterInputProvider(new XmlBufferInputProvider(buffers));
  const schemaDoc = XmlDocument.fromBuffer(buffers[XSD_URL_BASE + XSD_FILES[0]]!, {
    url: XSD_URL_BASE + XSD_FILES[0],
  });
  try {
    validator = XsdValidator.fromDoc(schemaDoc);
  } finally {
    schemaDoc.dispose();
  }
  return validator;
}

function firstError(details: ErrorDetail[] | undefined, fallback: string): string {
  const d = details?.find((x) => x.level >= 2) ?? details?.[0];
  if (!d) return fallback;
  return `line ${d.line}, column ${d.col}: ${d.message.split('\n')[0]!.trim()}`;
}

/** The checks before libxml2 sees the text: size, then DOCTYPE. */
function precheck(xml: string, limits: InboundLimits): void {
  const size = Buffer.byteLength(xml, 'utf8');
  if (size > limits.maxXmlBytes) {
    throw new IdpError('ERR_SAML_REQUEST_TOO_LARGE', 'The SAML message is too large.', {
      debug: `XML is ${size} bytes; the limit is ${limits.maxXmlBytes}`,
    });
  }
  // Anywhere, in any case: inside a comment or CDATA it is harmless but equally unneeded.
  if (/<!DOCTYPE/i.test(xml)) {
    throw new IdpError('ERR_SAML_DOCTYPE_FORBIDDEN', 'The SAML message contains a document type declaration.');
  }
}

function parseAndValidate(xml: string, beforeSchema: ((doc: XmlDocument) => void) | undefined): XmlDocument {
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml, { option: PARSE_OPTIONS });
  } catch (cause) {
    throw new IdpError('ERR_SAML_REQUEST_MALFORMED', 'The SAML message is not well-formed XML.', {
      cause,
      debug: firstError(cause instanceof XmlParseError ? cause.details : undefined, String(cause)),
    });
  }
  try {
    beforeSchema?.(doc);
  } catch (e) {
    doc.dispose();
    throw e;
  }
  try {
    samlValidator().validate(doc);
    return doc;
  } catch (cause) {
    doc.dispose();
    if (cause instanceof XmlValidateError) {
      throw new IdpError('ERR_SAML_SCHEMA_INVALID', 'The SAML message does not conform to the SAML 2.0 schema.', {
        cause,
        debug: firstError(cause.details, cause.message),
      });
    }
    throw new IdpError('ERR_SAML_REQUEST_MALFORMED', 'The SAML message could not be validated.', {
      cause,
      debug: cause instanceof XmlLibError ? firstError(cause.details, cause.message) : String(cause),
    });
  }
}

/** Options of withSamlDocument. */
export interface SamlDocumentOptions {
  /**
   * Runs on the well-formed document before the XSD check, for a caller whose own rule must win
   * over a schema error (CXone's FICAM rules name a wrong assertion namespace or a second
   * AuthnContextClassRef, both of which the protocol schema would also refuse, less precisely).
   * It may only read and throw; the document is disposed when it throws.
   */
  beforeSchema?: (doc: XmlDocument) => void;
}

/**
 * Parses and validates `xml`, runs `read` on the document and disposes it, whatever happens.
 * `read` must return plain data: libxml2 nodes die with the document.
 */
export function withSamlDocument<T>(
  xml: string,
  limits: InboundLimits,
  read: (doc: XmlDocument) => T,
  opts: SamlDocumentOptions = {},
): T {
  precheck(xml, limits);
  const doc = parseAndValidate(xml, opts.beforeSchema);
  try {
    return read(doc);
  } finally {
    doc.dispose();
  }
}

/** What any caller can know about a message once it passed the checks above. */
export interface ParsedSaml {
  /** The validated text, unchanged. */
  xml: string;
  rootLocalName: string;
  rootNamespace: string;
  /** The root's `ID` attribute, if it has one. */
  id: string | undefined;
}

/** Parse + validate + summarize, holding no libxml2 resource afterwards. */
export function parseSamlXml(xml: string, limits: InboundLimits = defaultInboundLimits): ParsedSaml {
  return withSamlDocument(xml, limits, (doc) => {
    const root = doc.root;
    return { xml, rootLocalName: root.name, rootNamespace: root.namespaceUri, id: root.attr('ID')?.value };
  });
}
