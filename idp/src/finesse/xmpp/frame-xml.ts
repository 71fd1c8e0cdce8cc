import { ParseOption, XmlCData, XmlDocument, XmlElement, XmlParseError, XmlText } from 'libxml2-wasm';
import { XmppStreamError } from './xmpp-errors.js';

/**
 * One XML element received from a desktop, as plain data (libxml2 nodes die with their document).
 * `name` is the local name and `ns` its namespace URI, so `<stream:features>` and
 * `<features xmlns="http://etherx.jabber.org/streams">` are the same thing, as XML Namespaces says.
 * `attrs` holds unqualified attributes by name, `xml:lang` as `xml:lang`, and other qualified
 * ones as `{uri}local` (BOSH's `xmpp:restart` is `{urn:xmpp:xbosh}restart` whatever its prefix).
 */
export interface XEl {
  name: string;
  ns: string;
  attrs: Record<string, string>;
  children: Array<XEl | string>;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** Never fetch anything, never substitute entities; the text is already a decoded JS string. */
const PARSE_OPTIONS =
  ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_IGNORE_ENC | ParseOption.XML_PARSE_NO_SYS_CATALOG;

/**
 * Parses one WebSocket frame (RFC 7395 §3.3.3: each frame is one complete element) or one BOSH
 * `<body>` (XEP-0124 §4). Enforces RFC 6120 §11.1 before anything else looks at the element:
 * no DTD, comment or processing instruction (`restricted-xml`), well-formed (`not-well-formed`),
 * and a size cap (`policy-violation`, §4.9.3.14). The libxml2 document is always disposed.
 */
export function parseFrame(text: string, maxBytes: number): XEl {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new XmppStreamError('policy-violation', 'ERR_XMPP_TOO_LARGE', `The stanza exceeds ${maxBytes} bytes.`);
  }
  // RFC 6120 §11.1: "An XMPP entity MUST NOT accept data containing ... XML DTD". Checked on the
  // text so that no DTD ever reaches the parser (entity expansion, external fetches); XML keywords
  // are case-sensitive, so `<!doctype` is not one (libxml2 then refuses it as not well-formed).
  if (text.includes('<!DOCTYPE')) throw new XmppStreamError('restricted-xml', 'ERR_XMPP_RESTRICTED_XML', 'A document type declaration is not allowed (RFC 6120 §11.1).');
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(text, { option: PARSE_OPTIONS });
  } catch (cause) {
    const d = cause instanceof XmlParseError ? cause.details[0] : undefined;
    const where = d ? ` (line ${d.line}, column ${d.col}: ${d.message.trim()})` : '';
    throw new XmppStreamError('not-well-formed', 'ERR_XMPP_NOT_WELL_FORMED', `The XML is not well-formed${where}.`);
  }
  try {
    // Comments or processing instructions beside the root are restricted too.
    if (doc.root.prev || doc.root.next) restricted();
    return toXEl(doc.root);
  } finally {
    doc.dispose();
  }
}

function restricted(): never {
  throw new XmppStreamError('restricted-xml', 'ERR_XMPP_RESTRICTED_XML', 'Comments and processing instructions are not allowed (RFC 6120 §11.1).');
}

function toXEl(el: XmlElement): XEl {
  const attrs: Record<string, string> = {};
  for (const a of el.attrs) {
    const ns = a.namespaceUri;
    attrs[!ns ? a.name : ns === XML_NS ? `xml:${a.name}` : `{${ns}}${a.name}`] = a.value;
  }
  const children: Array<XEl | string> = [];
  for (let n = el.firstChild; n; n = n.next) {
    if (n instanceof XmlElement) children.push(toXEl(n));
    else if (n instanceof XmlText || n instanceof XmlCData) children.push(n.content);
    else restricted();
  }
  return { name: el.name, ns: el.namespaceUri, attrs, children };
}

/** The first child element with this local name (and namespace, when given). */
export function childEl(el: XEl, name: string, ns?: string): XEl | undefined {
  for (const c of el.children) if (typeof c !== 'string' && c.name === name && (ns === undefined || c.ns === ns)) return c;
  return undefined;
}

export function childEls(el: XEl): XEl[] {
  return el.children.filter((c): c is XEl => typeof c !== 'string');
}

/** The element's own text (its text children joined). */
export function textOf(el: XEl): string {
  return el.children.filter((c): c is string => typeof c === 'string').join('');
}
