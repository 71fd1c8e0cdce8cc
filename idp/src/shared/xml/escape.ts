/**
 * Character escaping shared by the wire writer (serialize.ts) and the canonicalizer (c14n.ts).
 *
 * The two writers use the same rules on purpose: a signature verifies only if the verifier, after
 * parsing our wire bytes, canonicalizes back to exactly what we digested. Canonical XML 1.0 §2.3
 * ("Character Modifications and Character References") fixes the canonical escapes:
 *   text:       `&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;`, CR → `&#xD;`
 *   attributes: `&` → `&amp;`, `<` → `&lt;`, `"` → `&quot;`, TAB → `&#x9;`, LF → `&#xA;`, CR → `&#xD;`
 * Writing the wire form with the same escapes makes it survive parsing unchanged: XML 1.0 §2.11
 * turns a literal CR into LF and §3.3.3 turns literal TAB/LF/CR in attribute values into spaces,
 * but character references are kept. (.NET's XmlWriter entitizes attribute whitespace the same way.)
 *
 * Characters XML 1.0 §2.2 does not allow at all (C0 controls other than TAB/LF/CR, U+FFFE/U+FFFF,
 * unpaired surrogates) cannot be written in any form; we throw rather than emit a document that no
 * SP can parse or whose signature cannot verify.
 *
 * Hot path: most values contain nothing to escape, so one charCode scan decides and the string is
 * returned unchanged.
 */

const TAB = 9;
const LF = 10;
const CR = 13;
const QUOT = 34;
const AMP = 38;
const LT = 60;
const GT = 62;

/** Text content (Canonical XML 1.0 §2.3). */
export function escapeText(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === AMP || c === LT || c === GT || c < 32 || c >= 0xd800) return slow(s, i, false);
  }
  return s;
}

/** Attribute values, written between double quotes (Canonical XML 1.0 §2.3). */
export function escapeAttr(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === AMP || c === LT || c === QUOT || c < 32 || c >= 0xd800) return slow(s, i, true);
  }
  return s;
}

function slow(s: string, from: number, inAttr: boolean): string {
  let out = s.slice(0, from);
  let start = from;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c === AMP) rep = '&amp;';
    else if (c === LT) rep = '&lt;';
    else if (c === GT) rep = inAttr ? undefined : '&gt;';
    else if (c === QUOT) rep = inAttr ? '&quot;' : undefined;
    else if (c === CR) rep = '&#xD;';
    else if (c === TAB) rep = inAttr ? '&#x9;' : undefined;
    else if (c === LF) rep = inAttr ? '&#xA;' : undefined;
    else if (c < 32) throw notXmlChar(c);
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) throw notXmlChar(c);
      i++; // a valid pair: keep both halves as they are
    } else if ((c >= 0xdc00 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) throw notXmlChar(c);
    if (rep !== undefined) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return out + s.slice(start);
}

function notXmlChar(c: number): RangeError {
  const hex = c.toString(16).toUpperCase().padStart(4, '0');
  return new RangeError(`U+${hex} is not a legal XML 1.0 character (XML 1.0 §2.2) and cannot be written`);
}
