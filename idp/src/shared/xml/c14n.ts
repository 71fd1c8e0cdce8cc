import { escapeAttr, escapeText } from './escape.js';
import type { XmlNode } from './tree.js';

/**
 * Exclusive XML Canonicalization 1.0, without comments (http://www.w3.org/2001/10/xml-exc-c14n#),
 * computed straight from our tree. The result must equal what a conforming implementation (xmlsec1,
 * libxml2, xml-crypto) produces after parsing `toXml(node)`, because that is what a verifier
 * digests; idp/test/xml/c14n.test.ts checks it against libxml2.
 *
 * Rules enforced (section numbers of the Exc-C14N Recommendation unless noted):
 *  - §3 "Specification of Exclusive XML Canonicalization": a namespace node is output only when it
 *    is *visibly utilized* by the element (the element's own prefix, or the default namespace for
 *    an unprefixed element, or a prefix of one of its attributes) and the nearest output ancestor
 *    that utilizes the prefix has not already rendered it with the same value.
 *  - §3 / C14N 1.0 §2.3: the empty default namespace is only written (`xmlns=""`) to undo a
 *    non-empty default rendered by an output ancestor.
 *  - C14N 1.0 §2.2 ("Document Order"): namespace nodes first, sorted by local name (prefix; the
 *    default namespace, whose local name is empty, first); then attributes sorted by namespace URI
 *    (unqualified attributes have none, so they come first) and then local name.
 *  - C14N 1.0 §2.3: empty elements become start/end tag pairs; escaping as in escape.ts. The `xml`
 *    prefix is bound by definition and never declared (Namespaces in XML §3).
 *  - Exc-C14N does not inherit xml:* attributes from ancestors (unlike inclusive C14N), so none are
 *    imported here.
 *
 * `inScope` supplies bindings declared on ancestors outside the subtree (they are in scope when
 * the verifier canonicalizes the same subtree in its document). `omit` removes an element and its
 * descendants from the node-set, which is how the enveloped-signature transform (XML-DSig §6.6.4)
 * drops the Signature being computed.
 */
export interface ExcC14nOptions {
  omit?: (n: XmlNode) => boolean;
  inScope?: Record<string, string>;
}

/** prefix → namespace URI; '' is the default namespace. Chained via prototypes per element. */
type Bindings = Record<string, string>;

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const EMPTY: Bindings = Object.freeze(Object.create(null) as Bindings);

export function excC14n(node: XmlNode, opts: ExcC14nOptions = {}): string {
  if (opts.omit?.(node)) return '';
  let scope = EMPTY;
  if (opts.inScope !== undefined) {
    scope = Object.create(null) as Bindings;
    for (const p in opts.inScope) scope[p] = opts.inScope[p]!;
  }
  return write(node, scope, EMPTY, opts.omit, '');
}

function write(
  node: XmlNode,
  parentScope: Bindings,
  parentRendered: Bindings,
  omit: ((n: XmlNode) => boolean) | undefined,
  out: string,
): string {
  const attrs = node.attrs;

  // Namespace declarations on this element extend the scope of it and its descendants.
  let scope = parentScope;
  let plainCount = 0;
  for (let i = 0; i < attrs.length; i++) {
    const k = attrs[i]![0];
    const p = declaredPrefix(k);
    if (p === undefined) {
      plainCount++;
      continue;
    }
    if (p === 'xml' || p === 'xmlns') continue; // reserved, never (re)declared
    if (scope === parentScope) scope = Object.create(parentScope) as Bindings;
    scope[p] = attrs[i]![1];
  }

  // Visibly utilized prefixes: the element's own, then those of its attributes.
  const name = node.name;
  const colon = name.indexOf(':');
  const elPrefix = colon < 0 ? '' : name.slice(0, colon);
  let rendered = parentRendered;
  let nsOut: string[] | undefined;
  const renderIfNeeded = (p: string): void => {
    const uri = scope[p] ?? '';
    if (uri === '' && p !== '') throw new Error(`c14n: prefix "${p}" on <${name}> is not bound`);
    if ((rendered[p] ?? '') === uri) return;
    if (rendered === parentRendered) rendered = Object.create(parentRendered) as Bindings;
    rendered[p] = uri;
    (nsOut ??= []).push(p);
  };
  if (elPrefix !== 'xml') renderIfNeeded(elPrefix);

  // Plain attributes with their namespace URI, for sorting.
  let plain: Array<[uri: string, local: string, qname: string, value: string]> | undefined;
  if (plainCount > 0) {
    plain = [];
    for (let i = 0; i < attrs.length; i++) {
      const [k, v] = attrs[i]!;
      if (declaredPrefix(k) !== undefined) continue;
      const c = k.indexOf(':');
      if (c < 0) {
        plain.push(['', k, k, v]);
        continue;
      }
      const p = k.slice(0, c);
      if (p === 'xml') {
        plain.push([XML_NS, k.slice(c + 1), k, v]);
        continue;
      }
      renderIfNeeded(p); // idempotent: a prefix already rendered here matches itself
      plain.push([scope[p]!, k.slice(c + 1), k, v]);
    }
    if (plain.length > 1) plain.sort(byUriThenLocal);
  }

  out += '<' + name;
  if (nsOut !== undefined) {
    if (nsOut.length > 1) nsOut.sort(); // code-unit order; '' (default) sorts first
    for (const p of nsOut) {
      out += (p === '' ? ' xmlns="' : ' xmlns:' + p + '="') + escapeAttr(rendered[p]!) + '"';
    }
  }
  if (plain !== undefined) for (const a of plain) out += ' ' + a[2] + '="' + escapeAttr(a[3]) + '"';
  out += '>';

  for (const ch of node.children) {
    if (typeof ch === 'string') out += escapeText(ch);
    else if (omit === undefined || !omit(ch)) out = write(ch, scope, rendered, omit, out);
  }
  return out + '</' + name + '>';
}

/** `xmlns` → '', `xmlns:p` → 'p', anything else → undefined (an ordinary attribute). */
function declaredPrefix(k: string): string | undefined {
  if (k.charCodeAt(0) !== 120 /* x */ || !k.startsWith('xmlns')) return undefined;
  if (k.length === 5) return '';
  return k.charCodeAt(5) === 58 /* : */ ? k.slice(6) : undefined;
}

function byUriThenLocal(a: [string, string, string, string], b: [string, string, string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}
