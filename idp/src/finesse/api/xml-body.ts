import type { Request } from 'express';
import { ParseOption, XmlDocument, XmlElement, XmlParseError } from 'libxml2-wasm';
import { IdpError } from '../../shared/errors.js';
import { finesseError } from './error-handler.js';

/** Largest request body (bytes of UTF-8). Finesse bodies are a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** An element of a request body as plain data (libxml2 nodes die with their document). */
export interface XmlData {
  name: string;
  /** Trimmed text of an element without child elements; '' otherwise. */
  text: string;
  children: XmlData[];
}

/** Never fetch anything, never substitute entities; the text is already a decoded JS string. */
const PARSE_OPTIONS =
  ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_IGNORE_ENC | ParseOption.XML_PARSE_NO_SYS_CATALOG;

const XML_TYPES = new Set(['application/xml', 'text/xml']);

/**
 * The body of a PUT/POST, checked in this order (DESIGN §3: untrusted XML reaches a DOM only
 * after a size cap and a linear-time parser):
 *   1. `Content-Type: application/xml` (or text/xml): scripts fail without it (reference A.2.1);
 *   2. at most 64 KiB, no DOCTYPE anywhere (removes XXE and entity expansion outright);
 *   3. well-formed for libxml2 (network, DTD loading and entity substitution off; depth-capped);
 *   4. the root element is `root` (`User`, `Dialog`).
 * Returns the root as plain data; the libxml2 document is always disposed.
 */
export function readXmlBody(req: Request, root: string): XmlData {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!XML_TYPES.has(type)) {
    throw finesseError('ERR_FINESSE_CONTENT_TYPE', 'The request must have Content-Type application/xml.', 'Content-Type');
  }
  const xml = typeof req.body === 'string' ? req.body : '';
  if (Buffer.byteLength(xml, 'utf8') > MAX_BODY_BYTES) {
    throw new IdpError('ERR_HTTP_BODY_TOO_LARGE', 'The request body is too large.', { status: 400 });
  }
  if (xml.trim() === '') throw finesseError('ERR_FINESSE_MALFORMED_XML', 'The request body is empty.');
  if (/<!DOCTYPE/i.test(xml)) throw finesseError('ERR_FINESSE_MALFORMED_XML', 'The request body must not contain a document type declaration.');
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml, { option: PARSE_OPTIONS });
  } catch (cause) {
    const d = cause instanceof XmlParseError ? cause.details[0] : undefined;
    throw new IdpError('ERR_FINESSE_MALFORMED_XML', 'The request body is not well-formed XML.', {
      status: 400,
      cause,
      debug: d ? `line ${d.line}, column ${d.col}: ${d.message.trim()}` : String(cause),
    });
  }
  let data: XmlData;
  try {
    data = toData(doc.root);
  } finally {
    doc.dispose();
  }
  if (data.name !== root) {
    throw finesseError('ERR_FINESSE_INVALID_INPUT', `The request body must be a <${root}> element.`, data.name);
  }
  return data;
}

/** Namespaces are ignored: Finesse's XML has none, and a client that adds one means the same element. */
function toData(el: XmlElement): XmlData {
  const children: XmlData[] = [];
  for (let n = el.firstChild; n; n = n.next) if (n instanceof XmlElement) children.push(toData(n));
  return { name: el.name, text: children.length === 0 ? el.content.trim() : '', children };
}

/**
 * The text of the one `name` child; undefined when absent. Twice is refused: which one a client
 * meant cannot be known.
 */
export function childText(parent: XmlData, name: string): string | undefined {
  const found = children(parent, name);
  if (found.length > 1) throw finesseError('ERR_FINESSE_INVALID_INPUT', `<${name}> appears more than once.`, name);
  return found[0]?.text;
}

export function child(parent: XmlData, name: string): XmlData | undefined {
  const found = children(parent, name);
  if (found.length > 1) throw finesseError('ERR_FINESSE_INVALID_INPUT', `<${name}> appears more than once.`, name);
  return found[0];
}

export function children(parent: XmlData, name: string): XmlData[] {
  return parent.children.filter((c) => c.name === name);
}
