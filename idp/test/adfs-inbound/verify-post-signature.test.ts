import { beforeAll, describe, expect, it } from 'vitest';
import { decodePost } from '../../src/adfs/inbound/decode-post.js';
import { readAuthnRequest, readLogoutRequest, readLogoutResponse } from '../../src/adfs/inbound/read-messages.js';
import { verifyPostSignature } from '../../src/adfs/inbound/verify-post-signature.js';
import { spTestKeys, type SpTestKeys } from '../helpers/sp-test-keys.js';
import {
  errorCode,
  formFieldsOf,
  naiveXmlCryptoCheck,
  nodeSamlSp,
  signXml,
  SP_ENTITY_ID,
  URI,
} from './sp-driver.js';

const P = 'urn:oasis:names:tc:SAML:2.0:protocol';
const A = 'urn:oasis:names:tc:SAML:2.0:assertion';

let sp: SpTestKeys;
let attacker: SpTestKeys;
/** A real signed HTTP-POST AuthnRequest from node-saml (rsa-sha256, enveloped, exc-c14n). */
let signed: string;
let signedSha1: string;

async function postRequest(alg: 'sha256' | 'sha1'): Promise<string> {
  const saml = nodeSamlSp(sp, { authnRequestBinding: 'HTTP-POST', skipRequestCompression: true, signatureAlgorithm: alg });
  return decodePost(formFieldsOf(await saml.getAuthorizeFormAsync('rs', 'sp.example.test', {}))).xml;
}

beforeAll(async () => {
  sp = spTestKeys('post SP');
  attacker = spTestKeys('attacker');
  signed = await postRequest('sha256');
  signedSha1 = await postRequest('sha1');
});

/** Pieces of the signed request, for building attacks by hand. */
function parts(xml: string) {
  const body = xml.replace(/^<\?xml[^>]*\?>/, '');
  const signature = /<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*<\/Signature>/.exec(body)![0];
  const id = /^<samlp:AuthnRequest [^>]*?ID="([^"]+)"/.exec(body)![1]!;
  return { body, signature, id, unsigned: body.replace(signature, '') };
}

function evilRoot(id: string, afterIssuer: string): string {
  return (
    `<samlp:AuthnRequest xmlns:samlp="${P}" xmlns:saml="${A}" ID="${id}" Version="2.0" ` +
    `IssueInstant="2026-01-01T00:00:00Z" AssertionConsumerServiceURL="https://evil.example/acs">` +
    `<saml:Issuer>${SP_ENTITY_ID}</saml:Issuer>${afterIssuer}</samlp:AuthnRequest>`
  );
}

const wrap = (inner: string) => `<samlp:Extensions><x:wrap xmlns:x="urn:example:attacker">${inner}</x:wrap></samlp:Extensions>`;

describe('verifyPostSignature accepts', () => {
  it('a node-saml signed AuthnRequest with the SP certificate (rsa-sha256)', () => {
    expect(() => verifyPostSignature(signed, [sp.cert], 'rsa-sha256')).not.toThrow();
    expect(() => verifyPostSignature(signed, [attacker.cert, sp.publicKey], 'rsa-sha256')).not.toThrow();
    expect(readAuthnRequest(signed).hasSignature).toBe(true);
  });

  it('an rsa-sha1 request when the relying party expects rsa-sha1, and refuses it otherwise (MSIS7093)', () => {
    expect(() => verifyPostSignature(signedSha1, [sp.cert], 'rsa-sha1')).not.toThrow();
    expect(errorCode(() => verifyPostSignature(signedSha1, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_ALGORITHM');
    expect(errorCode(() => verifyPostSignature(signed, [sp.cert], 'rsa-sha1'))).toBe('ERR_SAML_SIGNATURE_ALGORITHM');
  });

  it('signed LogoutRequest and LogoutResponse (POST binding), inclusive c14n too', () => {
    const logout =
      `<samlp:LogoutRequest xmlns:samlp="${P}" xmlns:saml="${A}" ID="_lr1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">` +
      `<saml:Issuer>${SP_ENTITY_ID}</saml:Issuer><saml:NameID>alice@example.test</saml:NameID>` +
      `<samlp:SessionIndex>_s1</samlp:SessionIndex></samlp:LogoutRequest>`;
    const signedLogout = signXml(logout, sp.privateKeyPem);
    expect(() => verifyPostSignature(signedLogout, [sp.cert], 'rsa-sha256')).not.toThrow();
    expect(readLogoutRequest(signedLogout).hasSignature).toBe(true);

    const response =
      `<samlp:LogoutResponse xmlns:samlp="${P}" xmlns:saml="${A}" ID="_lresp" InResponseTo="_x" Version="2.0" ` +
      `IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>${SP_ENTITY_ID}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>`;
    const inclusive = signXml(response, sp.privateKeyPem, {
      canonicalizationAlgorithm: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
      transforms: [URI.enveloped, 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315'],
    });
    expect(() => verifyPostSignature(inclusive, [sp.cert], 'rsa-sha256')).not.toThrow();
    expect(readLogoutResponse(inclusive).statusCode.value).toBe('urn:oasis:names:tc:SAML:2.0:status:Success');
  });

  it('a comment injected into the signed Issuer: the signature stays valid, and the Issuer is read in full', () => {
    const injected = signed.replace(`>${SP_ENTITY_ID}<`, `>${SP_ENTITY_ID.replace('sp.', 'sp.<!---->')}<`);
    expect(injected).not.toBe(signed);
    expect(() => verifyPostSignature(injected, [sp.cert], 'rsa-sha256')).not.toThrow();
    expect(readAuthnRequest(injected).issuer).toBe(SP_ENTITY_ID);
  });
});

describe('verifyPostSignature rejects', () => {
  it('the wrong certificate, and an empty certificate list (never fails open)', () => {
    expect(errorCode(() => verifyPostSignature(signed, [attacker.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
    expect(errorCode(() => verifyPostSignature(signed, [], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
  });

  it('an unsigned message: ERR_SAML_SIGNATURE_REQUIRED', () => {
    expect(errorCode(() => verifyPostSignature(parts(signed).unsigned, [sp.cert], 'rsa-sha256'))).toBe(
      'ERR_SAML_SIGNATURE_REQUIRED',
    );
  });

  it('a modified signed message', () => {
    const tampered = signed.replace('AssertionConsumerServiceURL="https://sp.example.test/acs"', 'AssertionConsumerServiceURL="https://evil.example/acs"');
    expect(tampered).not.toBe(signed);
    expect(errorCode(() => verifyPostSignature(tampered, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
  });

  it('XSW: the signed request wrapped inside an unsigned evil one (signature under a child)', () => {
    const { body } = parts(signed);
    const xsw = evilRoot('_evil', wrap(body));
    expect(naiveXmlCryptoCheck(xsw, sp.certPem)).toBe(true); // a real attack on a naive verifier
    expect(readAuthnRequest(xsw).acsUrl).toBe('https://evil.example/acs'); // what would be consumed
    expect(errorCode(() => verifyPostSignature(xsw, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
  });

  it('XSW: the Signature moved to an evil root, the signed content wrapped below (Reference points elsewhere)', () => {
    const { signature, unsigned } = parts(signed);
    const xsw = evilRoot('_evil', signature + wrap(unsigned));
    expect(naiveXmlCryptoCheck(xsw, sp.certPem)).toBe(true);
    expect(errorCode(() => verifyPostSignature(xsw, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
  });

  it('XSW: a captured signed LogoutRequest carried in an evil AuthnRequest (samlify #634 pattern)', () => {
    const logout =
      `<samlp:LogoutRequest xmlns:samlp="${P}" xmlns:saml="${A}" ID="_captured" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">` +
      `<saml:Issuer>${SP_ENTITY_ID}</saml:Issuer><saml:NameID>alice@example.test</saml:NameID></samlp:LogoutRequest>`;
    const captured = signXml(logout, sp.privateKeyPem);
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(captured)![0];
    const xsw = evilRoot('_evil', sig + wrap(captured.replace(sig, '')));
    expect(naiveXmlCryptoCheck(xsw, sp.certPem)).toBe(true);
    expect(errorCode(() => verifyPostSignature(xsw, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
  });

  it('XSW: an extra element carrying the same ID', () => {
    const { signature, id } = parts(signed);
    const xsw = signed.replace(signature, signature + wrap(`<x:copy xmlns:x="urn:example:attacker" ID="${id}"/>`));
    expect(errorCode(() => verifyPostSignature(xsw, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
    // Two SAML elements with the same xs:ID do not even pass the schema.
    const { unsigned } = parts(signed);
    const sameIdRoot = evilRoot(id, signature + wrap(unsigned));
    expect(errorCode(() => verifyPostSignature(sameIdRoot, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SCHEMA_INVALID');
  });

  it('XSW: two Signatures', () => {
    const { signature } = parts(signed);
    const twice = signed.replace(signature, signature + wrap(signature));
    expect(errorCode(() => verifyPostSignature(twice, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
  });

  it('a Reference URI that is not "#" + the root ID (empty URI = whole document)', () => {
    const { id } = parts(signed);
    const emptyUri = signed.replace(`URI="#${id}"`, 'URI=""');
    expect(errorCode(() => verifyPostSignature(emptyUri, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
  });

  it('an attacker re-signing with their own key and embedding their certificate in KeyInfo', () => {
    const forged = signXml(
      parts(signed).unsigned.replace('https://sp.example.test/acs', 'https://evil.example/acs'),
      attacker.privateKeyPem,
      { embedCertPem: attacker.certPem },
    );
    expect(forged).toContain('<ds:X509Certificate>');
    expect(naiveXmlCryptoCheck(forged, null)).toBe(true); // trusting KeyInfo would accept it
    expect(errorCode(() => verifyPostSignature(forged, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
  });

  it('#WithComments canonicalization, as a Transform or as the CanonicalizationMethod, though validly signed', () => {
    const { unsigned } = parts(signed);
    const asTransform = signXml(unsigned, sp.privateKeyPem, { transforms: [URI.enveloped, URI.excC14nWithComments] });
    expect(naiveXmlCryptoCheck(asTransform, sp.certPem)).toBe(true);
    expect(errorCode(() => verifyPostSignature(asTransform, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_ALGORITHM');
    const asMethod = signXml(unsigned, sp.privateKeyPem, { canonicalizationAlgorithm: URI.excC14nWithComments });
    expect(naiveXmlCryptoCheck(asMethod, sp.certPem)).toBe(true);
    expect(errorCode(() => verifyPostSignature(asMethod, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_ALGORITHM');
  });

  it('XPath and XSLT transforms, and digests outside the allow-list', () => {
    const xpath = signed.replace(
      `<Transform Algorithm="${URI.enveloped}"/>`,
      `<Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><XPath>not(ancestor-or-self::Signature)</XPath></Transform><Transform Algorithm="${URI.enveloped}"/>`,
    );
    expect(xpath).not.toBe(signed);
    expect(errorCode(() => verifyPostSignature(xpath, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_ALGORITHM');
    const xslt = signed.replace(`<Transform Algorithm="${URI.enveloped}"/>`, '<Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>');
    expect(errorCode(() => verifyPostSignature(xslt, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_ALGORITHM');
    const md5 = signed.replace('http://www.w3.org/2000/09/xmldsig#sha1"', 'http://www.w3.org/2001/04/xmldsig-more#md5"');
    expect(md5).not.toBe(signed);
    expect(errorCode(() => verifyPostSignature(md5, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_ALGORITHM');
  });

  it('a transform chain ending with enveloped-signature (AD FS ID6027), though validly signed', () => {
    const onlyEnveloped = signXml(parts(signed).unsigned, sp.privateKeyPem, { transforms: [URI.enveloped] });
    expect(naiveXmlCryptoCheck(onlyEnveloped, sp.certPem)).toBe(true);
    expect(errorCode(() => verifyPostSignature(onlyEnveloped, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
  });

  it('a comment inside DigestValue, and a second SignedInfo', () => {
    const digestComment = signed.replace(/<DigestValue>([^<]{4})/, '<DigestValue>$1<!---->');
    expect(digestComment).not.toBe(signed);
    expect(errorCode(() => verifyPostSignature(digestComment, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
    const signedInfo = /<SignedInfo>[\s\S]*<\/SignedInfo>/.exec(signed)![0];
    const twoSignedInfo = signed.replace(signedInfo, signedInfo + signedInfo);
    expect(errorCode(() => verifyPostSignature(twoSignedInfo, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SCHEMA_INVALID');
  });

  it('a ds:Object carried inside the Signature', () => {
    const withObject = signed.replace('</SignatureValue>', '</SignatureValue><Object><x:evil xmlns:x="urn:example:attacker"/></Object>');
    expect(errorCode(() => verifyPostSignature(withObject, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
  });

  it('hostile text before any DOM: DOCTYPE and unclosed markup', () => {
    expect(errorCode(() => verifyPostSignature('<!DOCTYPE x [<!ENTITY a "b">]>' + parts(signed).body, [sp.cert], 'rsa-sha256'))).toBe(
      'ERR_SAML_DOCTYPE_FORBIDDEN',
    );
    expect(errorCode(() => verifyPostSignature('<b>'.repeat(20000), [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_REQUEST_MALFORMED');
  });
});
