import { escapeAttr, escapeText } from './escape.js';
import type { XmlNode } from './tree.js';

/**
 * The AD FS wire form of a tree: what .NET's XmlWriter emits for a SAML token (reference §0,
 * "Serialization", and the raw bytes in §1.3/§1.5):
 *  - no XML declaration, no whitespace between elements (no pretty-printing);
 *  - attributes, namespace declarations included, in tree order (AD FS puts `xmlns` last);
 *  - an element without content is written `<x a="b" />`, with the space before `/>`.
 * Escaping is shared with c14n.ts (see escape.ts for why the two must agree).
 */
export function toXml(node: XmlNode): string {
  return write(node, '');
}

function write(node: XmlNode, out: string): string {
  out += '<' + node.name;
  for (const [k, v] of node.attrs) out += ' ' + k + '="' + escapeAttr(v) + '"';
  if (isEmpty(node)) return out + ' />';
  out += '>';
  for (const ch of node.children) out = typeof ch === 'string' ? out + escapeText(ch) : write(ch, out);
  return out + '</' + node.name + '>';
}

/** Empty-string text children carry no content, so they do not turn `<x />` into `<x></x>`. */
function isEmpty(node: XmlNode): boolean {
  for (const ch of node.children) if (typeof ch !== 'string' || ch.length > 0) return false;
  return true;
}
