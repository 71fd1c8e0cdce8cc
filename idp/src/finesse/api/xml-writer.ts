import { escapeAttr, escapeText } from '../../shared/xml/escape.js';

/**
 * The few lines the Finesse XML writers need. Finesse writes plain, namespace-free elements and
 * empty ones as `<x></x>` (e.g. `<pendingState></pendingState>`, reference A.2.4).
 */

/** Characters XML 1.0 §2.2 forbids: replaced, so that a stray value can never make a writer throw. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function clean(s: string): string {
  return s.replace(NOT_XML, '\uFFFD');
}

/** `<name>value</name>`, the value escaped; an undefined value is an empty element. */
export function leaf(name: string, value: string | number | boolean | undefined): string {
  return `<${name}>${value === undefined ? '' : escapeText(clean(String(value)))}</${name}>`;
}

/** `<name attrs>children</name>`, children already written. */
export function node(name: string, children: readonly string[], attrs: Record<string, string> = {}): string {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeAttr(clean(v))}"`)
    .join('');
  return `<${name}${a}>${children.join('')}</${name}>`;
}

/** The XML declaration Finesse's REST answers start with. */
export function document(root: string): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${root}`;
}
