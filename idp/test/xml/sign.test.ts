import { DOMParser } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
import xpath from 'xpath';
import { DIGEST_SHA1, DIGEST_SHA256, RSA_SHA1, RSA_SHA256 } from '../../src/shared/xml/algorithms.js';
import { excC14n } from '../../src/shared/xml/c14n.js';
import { toXml } from '../../src/shared/xml/serialize.js';
import { signEnveloped, type SignatureAlgorithm } from '../../src/shared/xml/sign.js';
import { el, findChild, localName } from '../../src/shared/xml/tree.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { throwawayCert, type ThrowawayCert } from '../helpers/throwaway-cert.js';
import { ASSERTION_SIGNATURE_XPATH, MESSAGE_SIGNATURE_XPATH, xmlsec1Verify } from '../helpers/xmlsec1.js';
import { adfsAssertion, adfsResponse, shape } from './adfs-shaped.js';

let idp: ThrowawayCert;
let other: ThrowawayCert;
beforeAll(() => {
  idp = throwawayCert('ADFS Signing - fs.example.test');
  other = throwawayCert('ADFS Signing - impostor.example.test');
});

/** xml-crypto 6 trusting ONLY the given cert (the embedded KeyInfo cert is ignored). */
function xmlCryptoVerify(xml: string, certPem: string, sigXpath: string): { ok: boolean; refs: string[] } {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const nodes = xpath.select(sigXpath, doc as unknown as Node) as Node[];
  expect(nodes).toHaveLength(1);
  const sx = new SignedXml({ publicCert: certPem, getCertFromKeyInfo: () => null });
  sx.loadSignature(nodes[0]!);
  try {
    return { ok: sx.checkSignature(xml), refs: sx.getSignedReferences() };
  } catch (e) {
    return { ok: false, refs: [String(e)] };
  }
}

function signedAssertionOnly(alg: SignatureAlgorithm, key = idp) {
  const s = shape();
  const assertion = signEnveloped(adfsAssertion(s), key, alg);
  const response = adfsResponse(s, assertion);
  return { s, assertion, response, xml: toXml(response) };
}

function signedMessageAndAssertion(alg: SignatureAlgorithm, key = idp) {
  const s = shape();
  const assertion = signEnveloped(adfsAssertion(s), key, alg);
  const response = signEnveloped(adfsResponse(s, assertion), key, alg);
  return { s, assertion, response, xml: toXml(response) };
}

/** Change one character of signed content (an attribute value the SP would consume). */
function tamper(xml: string): string {
  const out = xml.replace('>alice@example.test</AttributeValue>', '>alicf@example.test</AttributeValue>');
  expect(out).not.toBe(xml);
  return out;
}

const URIS: Record<SignatureAlgorithm, [string, string]> = {
  'rsa-sha256': [RSA_SHA256, DIGEST_SHA256],
  'rsa-sha1': [RSA_SHA1, DIGEST_SHA1],
};

describe.each(['rsa-sha256', 'rsa-sha1'] as const)('signEnveloped (%s)', (alg) => {
  it('writes the AD FS Signature layout right after the Assertion Issuer', () => {
    const { s, assertion, xml } = signedAssertionOnly(alg);
    const [sigUri, digestUri] = URIS[alg];
    const sig = assertion.children[1];
    expect(typeof sig !== 'string' && sig?.name).toBe('ds:Signature');
    const b64 = '[A-Za-z0-9+/]+={0,2}';
    const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const layout = new RegExp(
      esc(`<Assertion ID="${s.assertionId}" `) +
        '[^>]*' +
        esc(`xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><Issuer>http://fs.example.test/adfs/services/trust</Issuer>`) +
        esc('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>') +
        esc('<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" />') +
        esc(`<ds:SignatureMethod Algorithm="${sigUri}" />`) +
        esc(`<ds:Reference URI="#${s.assertionId}"><ds:Transforms>`) +
        esc('<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature" />') +
        esc('<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" /></ds:Transforms>') +
        esc(`<ds:DigestMethod Algorithm="${digestUri}" />`) +
        `<ds:DigestValue>${b64}</ds:DigestValue></ds:Reference></ds:SignedInfo>` +
        `<ds:SignatureValue>${b64}</ds:SignatureValue>` +
        esc('<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>') +
        esc(idp.certBase64) +
        esc('</ds:X509Certificate></ds:X509Data></KeyInfo></ds:Signature><Subject>'),
    );
    expect(xml).toMatch(layout);
  });

  it('assertion signature verifies with xml-crypto pinned to the cert, over exactly our c14n bytes', () => {
    const { assertion, xml } = signedAssertionOnly(alg);
    const r = xmlCryptoVerify(xml, idp.certPem, ASSERTION_SIGNATURE_XPATH);
    expect(r.ok).toBe(true);
    expect(r.refs).toEqual([excC14n(assertion, { omit: (n) => localName(n.name) === 'Signature' })]);
  });

  it('message and assertion signatures both verify with xml-crypto; the message one sits before Status', () => {
    const { response, xml } = signedMessageAndAssertion(alg);
    expect(response.children.map((c) => (typeof c === 'string' ? c : c.name))).toEqual([
      'Issuer',
      'ds:Signature',
      'samlp:Status',
      'Assertion',
    ]);
    expect(xmlCryptoVerify(xml, idp.certPem, ASSERTION_SIGNATURE_XPATH).ok).toBe(true);
    const msg = xmlCryptoVerify(xml, idp.certPem, MESSAGE_SIGNATURE_XPATH);
    expect(msg.ok).toBe(true);
    // The message digest covers the assertion including its own (not enveloped) signature.
    expect(msg.refs[0]).toContain('<ds:SignatureValue>');
  });

  it('xml-crypto rejects a one-character tamper and a different key', () => {
    const { xml } = signedMessageAndAssertion(alg);
    expect(xmlCryptoVerify(tamper(xml), idp.certPem, ASSERTION_SIGNATURE_XPATH).ok).toBe(false);
    expect(xmlCryptoVerify(tamper(xml), idp.certPem, MESSAGE_SIGNATURE_XPATH).ok).toBe(false);
    const forged = signedMessageAndAssertion(alg, other).xml;
    expect(xmlCryptoVerify(forged, idp.certPem, ASSERTION_SIGNATURE_XPATH).ok).toBe(false);
    expect(xmlCryptoVerify(forged, idp.certPem, MESSAGE_SIGNATURE_XPATH).ok).toBe(false);
  });

  describeWithTool('xmlsec1', `xmlsec1 (${alg})`, () => {
    it('verifies the assertion signature of an AssertionOnly response', () => {
      const { xml } = signedAssertionOnly(alg);
      const r = xmlsec1Verify(xml, idp.certPem, { nodeXpath: ASSERTION_SIGNATURE_XPATH });
      expect(r.output).toMatch(/^OK$/m);
      expect(r.ok).toBe(true);
    });

    it('verifies both signatures of a MessageAndAssertion response', () => {
      const { xml } = signedMessageAndAssertion(alg);
      expect(xmlsec1Verify(xml, idp.certPem, { nodeXpath: ASSERTION_SIGNATURE_XPATH }).ok).toBe(true);
      expect(xmlsec1Verify(xml, idp.certPem, { nodeXpath: MESSAGE_SIGNATURE_XPATH }).ok).toBe(true);
    });

    it('rejects a one-character tamper and a different key', () => {
      const { xml } = signedMessageAndAssertion(alg);
      for (const nodeXpath of [ASSERTION_SIGNATURE_XPATH, MESSAGE_SIGNATURE_XPATH]) {
        const tampered = xmlsec1Verify(tamper(xml), idp.certPem, { nodeXpath });
        expect(tampered.ok).toBe(false);
        expect(tampered.output).toMatch(/FAIL/);
      }
      const forged = signedMessageAndAssertion(alg, other).xml;
      expect(xmlsec1Verify(forged, idp.certPem, { nodeXpath: ASSERTION_SIGNATURE_XPATH }).ok).toBe(false);
      expect(xmlsec1Verify(forged, idp.certPem, { nodeXpath: MESSAGE_SIGNATURE_XPATH }).ok).toBe(false);
      expect(xmlsec1Verify(forged, other.certPem, { nodeXpath: MESSAGE_SIGNATURE_XPATH }).ok).toBe(true);
    });
  });
});

describe('signEnveloped placement', () => {
  const key = () => ({ privateKey: idp.privateKey, certBase64: idp.certBase64 });

  it('goes first when there is no Issuer (metadata), or at insertAt when given', () => {
    const md = signEnveloped(el('EntityDescriptor', { ID: '_m', xmlns: 'urn:md' }, [el('RoleDescriptor')]), key(), 'rsa-sha256');
    expect(md.children.map((c) => (typeof c === 'string' ? c : c.name))).toEqual(['ds:Signature', 'RoleDescriptor']);
    const at = signEnveloped(el('R', { ID: '_r' }, [el('Issuer'), el('A'), el('B')]), key(), 'rsa-sha256', { insertAt: 2 });
    expect(at.children.map((c) => (typeof c === 'string' ? c : c.name))).toEqual(['Issuer', 'A', 'ds:Signature', 'B']);
  });

  it('finds Issuer by local name even when it is not the first child', () => {
    const n = signEnveloped(el('R', { ID: '_r' }, [el('Ext'), el('saml:Issuer', { 'xmlns:saml': 'urn:a' }), el('B')]), key(), 'rsa-sha1');
    expect(n.children.map((c) => (typeof c === 'string' ? c : c.name))).toEqual(['Ext', 'saml:Issuer', 'ds:Signature', 'B']);
    expect(findChild(n, 'Signature')).toBeDefined();
  });

  it('refuses a node without an ID to reference', () => {
    expect(() => signEnveloped(el('R'), key(), 'rsa-sha256')).toThrow(/ID/);
  });
});
