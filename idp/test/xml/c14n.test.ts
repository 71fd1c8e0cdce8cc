import { XmlC14NMode, XmlDocument } from 'libxml2-wasm';
import { describe, expect, it } from 'vitest';
import { excC14n } from '../../src/shared/xml/c14n.js';
import { toXml } from '../../src/shared/xml/serialize.js';
import { el, localName, type XmlNode } from '../../src/shared/xml/tree.js';
import { adfsAssertion, adfsResponse, shape } from './adfs-shaped.js';

/** libxml2's Exclusive C14N 1.0 (no comments) of the element at `xpath` (default: the root). */
function libxmlExcC14n(xml: string, xpath?: string): string {
  const doc = XmlDocument.fromString(xml);
  try {
    const node = xpath === undefined ? doc.root : doc.get(xpath);
    if (node === null) throw new Error(`no node at ${xpath}`);
    return node.canonicalizeToString({ mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0 });
  } finally {
    doc.dispose();
  }
}

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

const cases: Array<[title: string, tree: XmlNode]> = [
  [
    'AD FS response: prefixed root, default ns on Issuer and Assertion, namespace declarations last',
    adfsResponse(shape(0), adfsAssertion(shape(0))),
  ],
  [
    'prefix declared on the root but used only by a grandchild is rendered on the grandchild',
    el('r', { 'xmlns:a': 'urn:a' }, [el('m', {}, [el('a:x', {}, ['t'])]), el('a:y')]),
  ],
  [
    'prefix re-declared with a different value deeper down is rendered again',
    el('a:r', { 'xmlns:a': 'urn:one' }, [el('a:c', { 'xmlns:a': 'urn:two' }, [el('a:g')]), el('a:d')]),
  ],
  [
    'redundant re-declaration with the same value is not rendered twice',
    el('a:r', { 'xmlns:a': 'urn:a' }, [el('a:c', { 'xmlns:a': 'urn:a' }, [el('a:g', { 'xmlns:a': 'urn:a' })])]),
  ],
  [
    'unused namespace declarations are dropped (QName-valued attributes do not utilize a prefix)',
    el('r', { xmlns: 'urn:d', 'xmlns:unused': 'urn:u', 'xmlns:xsi': XSI, 'xmlns:xs': 'urn:xs' }, [
      el('v', { 'xsi:type': 'xs:string' }, ['x']),
    ]),
  ],
  [
    'namespace declarations sorted by prefix, attributes by namespace URI then local name',
    el(
      'p:e',
      {
        z: '1',
        'b:attr': '2',
        a: '3',
        'a:attr': '4',
        'xml:lang': 'en',
        'a:b': '5',
        xmlns: 'urn:default',
        'xmlns:p': 'urn:m',
        'xmlns:a': 'urn:zzz',
        'xmlns:b': 'urn:aaa',
      },
      [el('c', { 'b:q': '', id: 'x' })],
    ),
  ],
  [
    'escaping of every special character in text and attribute values',
    el('r', { a: 'amp& lt< gt> quot" apos\' tab\t lf\n cr\r end', b: '&&<<""' }, [
      'amp& lt< gt> quot" apos\' tab\t lf\n cr\r crlf\r\n ]]> end',
      el('u', { k: 'ünïcødé € 😀' }, ['ünïcødé € 😀 \u00a0']),
    ]),
  ],
  [
    'empty elements become start/end tag pairs; empty text and empty attribute values kept right',
    el('r', { e: '' }, [el('a'), el('b', { x: '1' }), el('c', {}, ['']), el('d', {}, [el('e')])]),
  ],
  [
    'xmlns="" undeclares an inherited default namespace, and is written only where needed',
    el('r', { xmlns: 'urn:d' }, [
      el('n', { xmlns: '' }, [el('nn', {}, [el('back', { xmlns: 'urn:d' }, [el('x')])])]),
      el('y'),
    ]),
  ],
  [
    'xmlns="" at the apex with no default namespace in scope renders nothing',
    el('r', { xmlns: '' }, [el('c', { xmlns: '' })]),
  ],
  [
    'prefixed child of a default-namespace parent; unprefixed grandchild does not redeclare',
    el('r', { xmlns: 'urn:d', 'xmlns:p': 'urn:p' }, [el('p:c', {}, [el('g', { 'p:a': 'v' }, [el('p:h')])])]),
  ],
  [
    'the same URI bound to two prefixes: each utilized prefix rendered separately',
    el('a:r', { 'xmlns:a': 'urn:same', 'xmlns:b': 'urn:same' }, [el('b:c', { 'a:x': '1', 'b:y': '2' })]),
  ],
  [
    'mixed content, whitespace text and adjacent text nodes',
    el('r', {}, ['  lead ', el('i', {}, ['in']), '\n\t', 'tail', el('j'), ' ']),
  ],
];

describe('excC14n equals libxml2 Exclusive C14N 1.0 of the parsed wire form', () => {
  it.each(cases)('%s', (_title, tree) => {
    const xml = toXml(tree);
    expect(excC14n(tree)).toBe(libxmlExcC14n(xml));
  });

  it('renders namespaces bound outside the subtree from `inScope`', () => {
    const inner = el('Inner', { 'a:attr': 'v', plain: 'p' }, [el('a:Child', {}, [el('Grand', { xmlns: '' })]), el('w:X')]);
    const outer = el('w:Outer', { xmlns: 'urn:default', 'xmlns:w': 'urn:w', 'xmlns:a': 'urn:a', 'xmlns:n': 'urn:n' }, [
      el('Mid', { 'xmlns:a': 'urn:a2' }, [inner]),
    ]);
    const expected = libxmlExcC14n(toXml(outer), "//*[local-name()='Inner']");
    const got = excC14n(inner, { inScope: { '': 'urn:default', w: 'urn:w', a: 'urn:a2', n: 'urn:n' } });
    expect(got).toBe(expected);
    expect(got).toBe(
      '<Inner xmlns="urn:default" xmlns:a="urn:a2" plain="p" a:attr="v"><a:Child><Grand xmlns=""></Grand></a:Child>' +
        '<w:X xmlns:w="urn:w"></w:X></Inner>',
    );
  });

  it('drops an omitted element (enveloped-signature) exactly as if it were not in the document', () => {
    const s = shape(0);
    const sig = el('ds:Signature', { 'xmlns:ds': DS }, [el('ds:SignedInfo', {}, ['x'])]);
    const withSig = adfsAssertion(s);
    withSig.children.splice(1, 0, sig);
    const omitted = excC14n(withSig, { omit: (n) => n === sig });
    expect(omitted).toBe(libxmlExcC14n(toXml(adfsAssertion(s))));
    expect(omitted).not.toContain('Signature');
    expect(excC14n(withSig)).toBe(libxmlExcC14n(toXml(withSig)));
    expect(excC14n(sig, { omit: (n) => localName(n.name) === 'Signature' })).toBe('');
  });

  it('produces the exact canonical bytes for a small known tree', () => {
    const tree = el('samlp:R', { ID: '_1', 'xmlns:samlp': 'urn:p' }, [
      el('Issuer', { xmlns: 'urn:a' }, ['i&<>\r']),
      el('samlp:S', { B: 'x"\t\n\r<>&', A: '' }),
    ]);
    expect(excC14n(tree)).toBe(
      '<samlp:R xmlns:samlp="urn:p" ID="_1"><Issuer xmlns="urn:a">i&amp;&lt;&gt;&#xD;</Issuer>' +
        '<samlp:S A="" B="x&quot;&#x9;&#xA;&#xD;&lt;>&amp;"></samlp:S></samlp:R>',
    );
  });

  it('rejects an element or attribute prefix that is not bound', () => {
    expect(() => excC14n(el('a:r'))).toThrow(/prefix "a"/);
    expect(() => excC14n(el('r', { 'b:x': '1' }))).toThrow(/prefix "b"/);
  });
});
