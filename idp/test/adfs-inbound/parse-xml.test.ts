import { describe, expect, it } from 'vitest';
import { inboundLimits } from '../../src/adfs/inbound/limits.js';
import { parseSamlXml, withSamlDocument } from '../../src/adfs/inbound/parse-xml.js';
import { decodeRedirect } from '../../src/adfs/inbound/decode-redirect.js';
import { errorCode, nodeSamlSp, rawQueryOf, timed } from './sp-driver.js';

const P = 'urn:oasis:names:tc:SAML:2.0:protocol';
const A = 'urn:oasis:names:tc:SAML:2.0:assertion';

function authnRequest(inner = `<saml:Issuer>https://sp.example.test/</saml:Issuer>`, attrs = 'ID="_a1"'): string {
  return (
    `<samlp:AuthnRequest xmlns:samlp="${P}" xmlns:saml="${A}" ${attrs} Version="2.0" ` +
    `IssueInstant="2026-01-01T00:00:00Z">${inner}</samlp:AuthnRequest>`
  );
}

describe('parseSamlXml accepts', () => {
  it('a real AuthnRequest from node-saml, and reports its root', async () => {
    const xml = decodeRedirect(rawQueryOf(await nodeSamlSp(undefined).getAuthorizeUrlAsync('', 'h', {}))).xml;
    const first = timed(() => parseSamlXml(xml));
    const parsed = first.result!;
    expect(parsed.rootLocalName).toBe('AuthnRequest');
    expect(parsed.rootNamespace).toBe(P);
    expect(parsed.id).toMatch(/^_[0-9a-f]+$/);
    expect(parsed.xml).toBe(xml);
    const runs = 200;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) parseSamlXml(xml);
    const each = (performance.now() - t0) / runs;
    console.info(
      `[measure] typical AuthnRequest (${xml.length} B) parse+XSD-validate: first call ${first.ms.toFixed(2)} ms ` +
        `(includes the one-time schema compile), then ${each.toFixed(3)} ms each`,
    );
  });

  it('withSamlDocument hands the validated document to the reader and returns plain data', () => {
    const issuer = withSamlDocument(authnRequest(), inboundLimits(), (doc) => doc.root.find('saml:Issuer', { saml: A })[0]!.content);
    expect(issuer).toBe('https://sp.example.test/');
  });
});

describe('parseSamlXml refuses', () => {
  it('a DOCTYPE with an external entity (XXE)', () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + authnRequest('<saml:Issuer>&x;</saml:Issuer>');
    expect(errorCode(() => parseSamlXml(xml))).toBe('ERR_SAML_DOCTYPE_FORBIDDEN');
  });

  it('a DOCTYPE with an internal entity', () => {
    const xml = `<!DOCTYPE r [<!ENTITY sp "https://sp.example.test/">]>` + authnRequest('<saml:Issuer>&sp;</saml:Issuer>');
    expect(errorCode(() => parseSamlXml(xml))).toBe('ERR_SAML_DOCTYPE_FORBIDDEN');
  });

  it('billion laughs', () => {
    let dtd = '<!ENTITY lol0 "lol">';
    for (let i = 1; i < 10; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    const xml = `<?xml version="1.0"?>\n<!doctype lolz [${dtd}]>` + authnRequest('<saml:Issuer>&lol9;</saml:Issuer>');
    expect(errorCode(() => parseSamlXml(xml))).toBe('ERR_SAML_DOCTYPE_FORBIDDEN');
  });

  it('a DOCTYPE in any case, anywhere (it is never needed)', () => {
    expect(errorCode(() => parseSamlXml(authnRequest('<!-- <!DocType x> --><saml:Issuer>i</saml:Issuer>')))).toBe(
      'ERR_SAML_DOCTYPE_FORBIDDEN',
    );
  });

  it('non-XML and empty input', () => {
    expect(errorCode(() => parseSamlXml('this is not XML'))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => parseSamlXml(''))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => parseSamlXml(authnRequest().slice(0, -5)))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => parseSamlXml(authnRequest('<saml:Issuer>a &unknown; b</saml:Issuer>')))).toBe(
      'ERR_SAML_REQUEST_MALFORMED',
    );
  });

  it('60 KB of unclosed markup, quickly (xmldom 0.8 would spend seconds on it)', () => {
    const hostile = '<b>'.repeat(20000);
    const run = timed(() => parseSamlXml(hostile));
    expect(errorCode(() => { if (run.error) throw run.error; })).toBe('ERR_SAML_REQUEST_MALFORMED');
    console.info(`[measure] ${hostile.length} B of '<b>' rejected in ${run.ms.toFixed(2)} ms`);
    const wide = '<samlp:AuthnRequest xmlns:samlp="' + P + '">' + '<b>x</b'.repeat(8000);
    const run2 = timed(() => parseSamlXml(wide));
    expect(errorCode(() => { if (run2.error) throw run2.error; })).toBe('ERR_SAML_REQUEST_MALFORMED');
    console.info(`[measure] ${wide.length} B of broken sibling markup rejected in ${run2.ms.toFixed(2)} ms`);
  });

  it('XML that is too large, before parsing it', () => {
    expect(errorCode(() => parseSamlXml(authnRequest(), inboundLimits({ maxXmlBytes: 64 })))).toBe('ERR_SAML_REQUEST_TOO_LARGE');
    expect(errorCode(() => parseSamlXml(`<a>${'x'.repeat(128 * 1024)}</a>`))).toBe('ERR_SAML_REQUEST_TOO_LARGE');
  });

  it('schema-invalid messages: unknown element, missing ID, bad dateTime, elements out of order, foreign root', () => {
    expect(errorCode(() => parseSamlXml(authnRequest('<saml:Issuer>i</saml:Issuer><samlp:Bogus/>')))).toBe(
      'ERR_SAML_SCHEMA_INVALID',
    );
    expect(errorCode(() => parseSamlXml(authnRequest(undefined, '')))).toBe('ERR_SAML_SCHEMA_INVALID');
    expect(errorCode(() => parseSamlXml(authnRequest(undefined, 'ID="not an NCName"')))).toBe('ERR_SAML_SCHEMA_INVALID');
    expect(
      errorCode(() => parseSamlXml(authnRequest().replace('2026-01-01T00:00:00Z', 'yesterday'))),
    ).toBe('ERR_SAML_SCHEMA_INVALID');
    expect(
      errorCode(() => parseSamlXml(authnRequest('<samlp:NameIDPolicy/><saml:Issuer>i</saml:Issuer>'))),
    ).toBe('ERR_SAML_SCHEMA_INVALID');
    expect(errorCode(() => parseSamlXml('<html><body/></html>'))).toBe('ERR_SAML_SCHEMA_INVALID');
  });

  it('carries libxml2\'s first error line in debug', () => {
    try {
      parseSamlXml(authnRequest('<saml:Issuer>i</saml:Issuer><samlp:Bogus/>'));
      expect.unreachable();
    } catch (e) {
      expect((e as { debug?: string }).debug).toMatch(/^line 1, column \d+: Element '\{urn:oasis:names:tc:SAML:2.0:protocol\}Bogus'/);
    }
  });
});
