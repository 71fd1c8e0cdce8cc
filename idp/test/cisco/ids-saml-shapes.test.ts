import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { adfsOf, childNames, elems, NAMEID, one, parseXml, URI } from '../helpers/adfs-flow.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { expectAccepted, IdsFlow, type CapturedResponse } from '../helpers/ids-flow.js';
import { ASSERTION_SIGNATURE_XPATH, MESSAGE_SIGNATURE_XPATH, xmlsec1Verify } from '../helpers/xmlsec1.js';

/**
 * The SAML messages between IdS and AD FS, against the documented shapes: the AuthnRequest IdS
 * sends (reference A.1.5 step 3), IdS's SP metadata (A.1.7, TAC 212428), and the response AD FS
 * issues to IdS under the "Cisco Identity Service" trust (docs/cisco.md, A.1.7). Expected values
 * are derived from the lab's URLs, not read from the code under test; xmlsec1 (an independent
 * XML-DSig implementation) verifies the response IdS accepted.
 */

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

let lab: Lab;
let idsHost: string;
let acs: string;
let captured: CapturedResponse;
beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'ids', 'console'], tls: false });
  idsHost = new URL(lab.urls.ids!).hostname;
  acs = `${lab.urls.ids}/ids/saml/response`;
  // One sign-in, accepted by IdS, shared by the read-only checks below.
  const flow = new IdsFlow(lab);
  captured = await flow.capture();
  expectAccepted(lab, await flow.post(captured));
});
afterAll(async () => {
  await lab?.stop();
});

describe('the AuthnRequest IdS sends (HTTP-POST binding)', () => {
  it('auto-POSTs an unsigned AuthnRequest with the Cisco IdS attributes, Issuer and NameIDPolicy to the AD FS SSO URL', () => {
    const req = captured.request;
    const ssoUrl = `${lab.urls.adfs}/adfs/ls/`;
    expect(req.action).toBe(ssoUrl);
    expect(Object.keys(req.fields).sort()).toEqual(['RelayState', 'SAMLRequest']);
    const doc = parseXml(req.xml);
    const root = doc.documentElement;
    expect({ ns: root.namespaceURI, name: root.localName }).toEqual({ ns: URI.protocol, name: 'AuthnRequest' });
    expect(root.getAttribute('ID')).toMatch(/^s2[0-9a-f]{16,}$/);
    expect({
      Version: root.getAttribute('Version'),
      Destination: root.getAttribute('Destination'),
      ForceAuthn: root.getAttribute('ForceAuthn'),
      IsPassive: root.getAttribute('IsPassive'),
      ProtocolBinding: root.getAttribute('ProtocolBinding'),
      AssertionConsumerServiceURL: root.getAttribute('AssertionConsumerServiceURL'),
    }).toEqual({ Version: '2.0', Destination: ssoUrl, ForceAuthn: 'false', IsPassive: 'false', ProtocolBinding: POST, AssertionConsumerServiceURL: acs });
    expect(Number.isNaN(Date.parse(root.getAttribute('IssueInstant')!))).toBe(false);
    expect(childNames(root)).toEqual(['Issuer', 'NameIDPolicy']); // no Signature: IdS sends it unsigned
    expect(one(root, 'saml:Issuer').textContent).toBe(idsHost);
    const policy = one(root, 'samlp:NameIDPolicy');
    expect({ Format: policy.getAttribute('Format'), SPNameQualifier: policy.getAttribute('SPNameQualifier'), AllowCreate: policy.getAttribute('AllowCreate') }).toEqual({
      Format: NAMEID.transient,
      SPNameQualifier: idsHost,
      AllowCreate: 'true',
    });
  });
});

describe('the SP metadata (sp.xml of the IdS Trust tab)', () => {
  it('GET /ids/saml/metadata: entityID = host, two POST ACS (incl. ?metaAlias=/sp), transient, the IdS signing certificate', async () => {
    const res = await fetch(`${lab.urls.ids}/ids/saml/metadata`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/samlmetadata\+xml/);
    const doc = parseXml(await res.text());
    const entity = one(doc, '/md:EntityDescriptor');
    expect(entity.getAttribute('entityID')).toBe(idsHost);
    const sp = one(entity, 'md:SPSSODescriptor');
    expect(sp.getAttribute('protocolSupportEnumeration')).toBe(URI.protocol);
    const acsList = elems(sp, 'md:AssertionConsumerService').map((e) => ({
      Binding: e.getAttribute('Binding'),
      Location: e.getAttribute('Location'),
      index: e.getAttribute('index'),
      isDefault: e.getAttribute('isDefault') || null,
    }));
    expect(acsList).toEqual([
      { Binding: POST, Location: acs, index: '0', isDefault: 'true' },
      { Binding: POST, Location: `${acs}?metaAlias=/sp`, index: '1', isDefault: null },
    ]);
    expect(elems(sp, 'md:NameIDFormat').map((e) => e.textContent)).toEqual([NAMEID.transient]);
    const certs = elems(sp, "md:KeyDescriptor[@use='signing']/ds:KeyInfo/ds:X509Data/ds:X509Certificate").map((e) => e.textContent!.replace(/\s+/g, ''));
    expect(certs).toEqual([lab.state.pki.systems.ids.signing.certBase64]);
    // IdS takes no encrypted assertions (reference A.1.7): nothing to encrypt to.
    expect(elems(sp, "md:KeyDescriptor[@use='encryption']")).toHaveLength(0);
  });

  it('?download=true makes it the sp.xml attachment', async () => {
    const res = await fetch(`${lab.urls.ids}/ids/saml/metadata?download=true`);
    expect(res.status).toBe(200);
    // RFC 6266: a token or a quoted string; express writes the token form.
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?sp\.xml"?$/);
    expect((await fetch(`${lab.urls.ids}/ids/saml/metadata`)).headers.get('content-disposition')).toBeNull();
  });
});

describe('the response AD FS issues to IdS', () => {
  it('signs message and assertion; transient NameID qualified by both hosts; uid and user_principal; addressed to IdS', () => {
    const a = adfsOf(lab);
    const adfsHost = new URL(lab.urls.adfs!).hostname;
    expect(captured.action).toBe(acs);
    expect(captured.relayState).toBe(captured.request.id);
    const doc = parseXml(captured.xml);
    const response = one(doc, '/samlp:Response');
    expect({ Destination: response.getAttribute('Destination'), InResponseTo: response.getAttribute('InResponseTo') }).toEqual({
      Destination: acs,
      InResponseTo: captured.request.id,
    });
    expect(one(response, 'saml:Issuer').textContent).toBe(a.identifier);
    expect(one(response, 'samlp:Status/samlp:StatusCode').getAttribute('Value')).toBe('urn:oasis:names:tc:SAML:2.0:status:Success');
    const assertion = one(response, 'saml:Assertion');
    // Message and assertion signed (the trust's MessageAndAssertion), SHA-256.
    for (const sig of [one(response, 'ds:Signature'), one(assertion, 'ds:Signature')]) {
      expect(one(sig, 'ds:SignedInfo/ds:SignatureMethod').getAttribute('Algorithm')).toBe(URI.rsaSha256);
    }
    expect(one(response, 'ds:Signature/ds:SignedInfo/ds:Reference').getAttribute('URI')).toBe('#' + response.getAttribute('ID'));
    expect(one(assertion, 'ds:Signature/ds:SignedInfo/ds:Reference').getAttribute('URI')).toBe('#' + assertion.getAttribute('ID'));
    const nameId = one(assertion, 'saml:Subject/saml:NameID');
    expect({
      Format: nameId.getAttribute('Format'),
      NameQualifier: nameId.getAttribute('NameQualifier'),
      SPNameQualifier: nameId.getAttribute('SPNameQualifier'),
      value: nameId.textContent,
    }).toEqual({ Format: NAMEID.transient, NameQualifier: `http://${adfsHost}/adfs/com/adfs/services/trust`, SPNameQualifier: idsHost, value: 'LAB\\agent1' });
    const scd = one(assertion, "saml:Subject/saml:SubjectConfirmation[@Method='urn:oasis:names:tc:SAML:2.0:cm:bearer']/saml:SubjectConfirmationData");
    expect({ Recipient: scd.getAttribute('Recipient'), InResponseTo: scd.getAttribute('InResponseTo') }).toEqual({ Recipient: acs, InResponseTo: captured.request.id });
    expect(elems(assertion, 'saml:Conditions/saml:AudienceRestriction/saml:Audience').map((e) => e.textContent)).toEqual([idsHost]);
    const attributes = elems(assertion, 'saml:AttributeStatement/saml:Attribute').map((at) => [at.getAttribute('Name'), elems(at, 'saml:AttributeValue').map((v) => v.textContent)]);
    expect(attributes).toEqual([
      ['uid', ['agent1']],
      ['user_principal', ['agent1@lab.example']],
    ]);
  });
});

describeWithTool('xmlsec1', 'xmlsec1 on the response IdS accepted', () => {
  it('verifies the message and the assertion signature with the AD FS certificate, and neither with another', () => {
    const adfsCert = lab.state.pki.systems.adfs.signing.certPem;
    const otherCert = lab.state.pki.systems.ids.signing.certPem;
    for (const nodeXpath of [MESSAGE_SIGNATURE_XPATH, ASSERTION_SIGNATURE_XPATH]) {
      const ok = xmlsec1Verify(captured.xml, adfsCert, { nodeXpath });
      expect(ok.ok, ok.output).toBe(true);
      expect(xmlsec1Verify(captured.xml, otherCert, { nodeXpath }).ok).toBe(false);
    }
  });

  it('a comment in the uid leaves both signatures valid (c14n drops it), which is why IdS refuses comments (ERR_IDS_SAML_COMMENT)', () => {
    const adfsCert = lab.state.pki.systems.adfs.signing.certPem;
    const commented = captured.xml.replace('<AttributeValue>agent1</AttributeValue>', '<AttributeValue>agent<!---->1</AttributeValue>');
    expect(commented).not.toBe(captured.xml);
    for (const nodeXpath of [MESSAGE_SIGNATURE_XPATH, ASSERTION_SIGNATURE_XPATH]) {
      expect(xmlsec1Verify(commented, adfsCert, { nodeXpath }).ok).toBe(true);
    }
    // ...whereas changing the text itself breaks them (the control for the line above).
    const changed = captured.xml.replace('<AttributeValue>agent1</AttributeValue>', '<AttributeValue>agent2</AttributeValue>');
    expect(xmlsec1Verify(changed, adfsCert, { nodeXpath: ASSERTION_SIGNATURE_XPATH }).ok).toBe(false);
  });
});
