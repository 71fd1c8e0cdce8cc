/**
 * The one in-memory shape for XML we emit. Deliberately tiny: no DOM, no namespace objects. Names
 * are qualified names exactly as written on the wire (`samlp:Response`, `Assertion`), and namespace
 * declarations are ordinary attributes (`xmlns`, `xmlns:ds`) so their position is under our
 * control. AD FS writes them after the other attributes (reference §0, "Serialization"), which
 * a DOM serializer would not let us reproduce.
 *
 * The same tree feeds two writers: `toXml` (the AD FS wire bytes) and `excC14n` (the bytes that
 * get digested and signed), so signing never re-parses what we just built.
 */
export interface XmlNode {
  name: string;
  attrs: Array<[string, string]>;
  children: Array<XmlNode | string>;
}

export type AttrValue = string | number | boolean | undefined | null;
export type ChildInput = XmlNode | string | null | undefined | false;

/**
 * Builds an element. Attributes keep insertion order (JS objects preserve it for non-integer
 * keys, and XML names never are integers); undefined/null attributes and null/undefined/false
 * children are dropped so optional parts read inline: `el('NameID', { Format: fmt }, [value])`.
 */
export function el(name: string, attrs?: Record<string, AttrValue>, children?: ChildInput[]): XmlNode {
  const a: Array<[string, string]> = [];
  if (attrs !== undefined) {
    for (const k in attrs) {
      const v = attrs[k];
      if (v !== undefined && v !== null) a.push([k, String(v)]);
    }
  }
  const c: Array<XmlNode | string> = [];
  if (children !== undefined) {
    for (const ch of children) {
      if (ch !== undefined && ch !== null && ch !== false) c.push(ch);
    }
  }
  return { name, attrs: a, children: c };
}

/** The part of a qualified name after the colon (`ds:Signature` → `Signature`). */
export function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/** First direct child element with the given local name, ignoring its prefix. */
export function findChild(node: XmlNode, local: string): XmlNode | undefined {
  for (const ch of node.children) {
    if (typeof ch !== 'string' && localName(ch.name) === local) return ch;
  }
  return undefined;
}

/** Value of the attribute with exactly this qualified name, if present. */
export function attr(node: XmlNode, name: string): string | undefined {
  for (const [k, v] of node.attrs) if (k === name) return v;
  return undefined;
}
