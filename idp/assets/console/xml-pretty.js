// A small XML pretty-printer over the browser's parsed DOM. The result is TEXT (shown with
// textContent): the message is never inserted as markup. Whitespace-only text between elements
// is dropped and other text trimmed, so the layout is readable; the exact bytes are in "raw".

const MAX_LINES = 5000;
const MAX_DEPTH = 100;

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s) => esc(s).replace(/"/g, '&quot;');

/** The indented text of an XML document, or null when it is not well-formed (or has a DOCTYPE). */
export function prettyXml(text) {
  // A DOCTYPE could declare entities to expand; SAML never has one, so it is shown raw instead.
  if (typeof text !== 'string' || /<!DOCTYPE/i.test(text)) return null;
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length > 0) return null;
  const out = [];
  const walk = (node, depth) => {
    if (out.length >= MAX_LINES) return;
    const pad = '  '.repeat(Math.min(depth, MAX_DEPTH));
    switch (node.nodeType) {
      case Node.ELEMENT_NODE: {
        const name = node.nodeName;
        const attrs = Array.from(node.attributes, (a) => ` ${a.name}="${escAttr(a.value)}"`).join('');
        const kids = Array.from(node.childNodes).filter((c) => !(c.nodeType === Node.TEXT_NODE && c.nodeValue.trim() === ''));
        if (kids.length === 0) return void out.push(`${pad}<${name}${attrs}/>`);
        if (kids.length === 1 && kids[0].nodeType === Node.TEXT_NODE) return void out.push(`${pad}<${name}${attrs}>${esc(kids[0].nodeValue.trim())}</${name}>`);
        out.push(`${pad}<${name}${attrs}>`);
        for (const k of kids) walk(k, depth + 1);
        out.push(`${pad}</${name}>`);
        return;
      }
      case Node.TEXT_NODE:
        return void out.push(pad + esc(node.nodeValue.trim()));
      case Node.CDATA_SECTION_NODE:
        return void out.push(`${pad}<![CDATA[${node.nodeValue}]]>`);
      case Node.COMMENT_NODE:
        return void out.push(`${pad}<!--${node.nodeValue}-->`);
      case Node.PROCESSING_INSTRUCTION_NODE:
        return void out.push(`${pad}<?${node.target} ${node.data}?>`);
      default:
        return undefined;
    }
  };
  for (const n of doc.childNodes) walk(n, 0);
  if (out.length >= MAX_LINES) out.push('… (cut: see raw)');
  return out.join('\n');
}

/** Whether a text looks like XML worth pretty-printing (an HTTP body). */
export function looksLikeXml(text) {
  return typeof text === 'string' && /^\s*</.test(text);
}
