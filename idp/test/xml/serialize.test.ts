import { describe, expect, it } from 'vitest';
import { toXml } from '../../src/shared/xml/serialize.js';
import { attr, el, findChild } from '../../src/shared/xml/tree.js';

describe('toXml writes the AD FS (.NET XmlWriter) wire form', () => {
  it('keeps attribute order, namespace declarations where given, and writes empty elements as `<x a="b" />`', () => {
    const tree = el('samlp:Response', { ID: '_a', Version: '2.0', 'xmlns:samlp': 'urn:p' }, [
      el('Issuer', { xmlns: 'urn:a' }, ['http://fs/adfs/services/trust']),
      el('samlp:Status', {}, [el('samlp:StatusCode', { Value: 'urn:s' })]),
      el('Empty'),
    ]);
    expect(toXml(tree)).toBe(
      '<samlp:Response ID="_a" Version="2.0" xmlns:samlp="urn:p"><Issuer xmlns="urn:a">http://fs/adfs/services/trust</Issuer>' +
        '<samlp:Status><samlp:StatusCode Value="urn:s" /></samlp:Status><Empty /></samlp:Response>',
    );
  });

  it('escapes text (& < > and CR) and attribute values (& < " TAB LF CR)', () => {
    const tree = el('r', { a: `&<>"'\t\n\r` }, [`a&b<c>d"e'f\tg\nh\ri`]);
    expect(toXml(tree)).toBe(`<r a="&amp;&lt;>&quot;'&#x9;&#xA;&#xD;">a&amp;b&lt;c&gt;d"e'f\tg\nh&#xD;i</r>`);
  });

  it('passes non-ASCII through, including surrogate pairs', () => {
    expect(toXml(el('r', { n: 'Zoë 😀' }, ['€ 😀']))).toBe('<r n="Zoë 😀">€ 😀</r>');
  });

  it('refuses characters XML 1.0 cannot represent', () => {
    expect(() => toXml(el('r', {}, ['a\u0001b']))).toThrow(RangeError);
    expect(() => toXml(el('r', { a: '\u0000' }))).toThrow(/U\+0000/);
    expect(() => toXml(el('r', {}, ['lone \ud83d surrogate']))).toThrow(/U\+D83D/);
    expect(() => toXml(el('r', {}, ['\udc00']))).toThrow(RangeError);
    expect(() => toXml(el('r', {}, ['\uffff']))).toThrow(RangeError);
  });

  it('el drops null/undefined attributes and null/undefined/false children, stringifies the rest', () => {
    const tree = el('r', { a: undefined, b: null, c: 0, d: false, e: 'x' }, [null, undefined, false, 't', el('k')]);
    expect(tree.attrs).toEqual([
      ['c', '0'],
      ['d', 'false'],
      ['e', 'x'],
    ]);
    expect(toXml(tree)).toBe('<r c="0" d="false" e="x">t<k /></r>');
    expect(toXml(el('r', {}, ['']))).toBe('<r />');
  });

  it('findChild matches on local name and attr on the exact qualified name', () => {
    const issuer = el('saml:Issuer');
    const tree = el('r', { ID: '_1', 'x:ID': '_2' }, ['text', el('a'), issuer]);
    expect(findChild(tree, 'Issuer')).toBe(issuer);
    expect(findChild(tree, 'Missing')).toBeUndefined();
    expect(attr(tree, 'ID')).toBe('_1');
    expect(attr(tree, 'x:ID')).toBe('_2');
    expect(attr(tree, 'id')).toBeUndefined();
  });
});
