import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { xmlsec1Verify } from '../helpers/xmlsec1.js';
import { addRp, childNames, CLAIM, elems, NAMEID, one, parseXml, signIn, testSp, URI } from '../helpers/adfs-flow.js';

/**
 * FederationMetadata.xml as AD FS publishes it (reference §1.2, §1.13 item 1): signed with the
 * token-signing certificate, in AD FS's layout, with the identifier as entityID — and usable on
 * its own to configure an independent SP.
 */

const METADATA_PATH = '/FederationMetadata/2007-06/FederationMetadata.xml';
const ENTITY_ID_ATTR = 'urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const WS_PROTOCOLS =
  'http://docs.oasis-open.org/ws-sx/ws-trust/200512 http://schemas.xmlsoap.org/ws/2005/02/trust http://docs.oasis-open.org/wsfed/federation/200706';

let lab: Lab;
let xml: string;
let contentType: string | null;

beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs'] });
  const res = await fetch(lab.urls.adfs + METADATA_PATH);
  expect(res.status).toBe(200);
  contentType = res.headers.get('content-type');
  xml = await res.text();
});
afterAll(() => lab.stop());

const ls = () => `${lab.urls.adfs}/adfs/ls/`;
const certText = (keyDescriptor: Element) => one(keyDescriptor, 'ds:KeyInfo/ds:X509Data/ds:X509Certificate').textContent;

describe('FederationMetadata.xml', () => {
  it('is served as text/xml with no XML declaration, starting with the EntityDescriptor', () => {
    expect(contentType).toMatch(/^text\/xml\b/);
    expect(xml).toMatch(/^<EntityDescriptor ID="_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}" entityID="http:\/\/localhost\/adfs\/services\/trust" xmlns="urn:oasis:names:tc:SAML:2\.0:metadata">/);
  });

  it('has the default identifier http://<host>/adfs/services/trust as entityID (http even when the farm is not)', () => {
    expect(parseXml(xml).documentElement.getAttribute('entityID')).toBe('http://localhost/adfs/services/trust');
    expect(lab.state.adfs!.identifier).toBe('http://localhost/adfs/services/trust');
  });

  it('lists, in order: the signature, two WS-Federation RoleDescriptors, SPSSODescriptor, IDPSSODescriptor, ContactPerson', () => {
    const root = parseXml(xml).documentElement;
    expect(root.namespaceURI).toBe(URI.metadata);
    expect(childNames(root)).toEqual(['Signature', 'RoleDescriptor', 'RoleDescriptor', 'SPSSODescriptor', 'IDPSSODescriptor', 'ContactPerson']);
    const signature = one(root, 'ds:Signature');
    expect(one(signature, 'ds:SignedInfo/ds:Reference').getAttribute('URI')).toBe('#' + root.getAttribute('ID'));
    expect(one(signature, 'ds:SignedInfo/ds:SignatureMethod').getAttribute('Algorithm')).toBe(URI.rsaSha256);
    expect(one(signature, 'ds:KeyInfo/ds:X509Data/ds:X509Certificate').textContent).toBe(lab.state.pki.systems.adfs.signing.certBase64);
    expect(one(root, 'md:ContactPerson').getAttribute('contactType')).toBe('support');
  });

  it('has the application-service and security-token-service RoleDescriptors with their keys and the passive endpoint', () => {
    const [app, sts] = elems(parseXml(xml), '/md:EntityDescriptor/md:RoleDescriptor');
    expect(app!.getAttributeNS(XSI, 'type')).toBe('fed:ApplicationServiceType');
    expect(sts!.getAttributeNS(XSI, 'type')).toBe('fed:SecurityTokenServiceType');
    for (const rd of [app!, sts!]) {
      expect(rd.getAttribute('protocolSupportEnumeration')).toBe(WS_PROTOCOLS);
      expect(rd.getAttribute('ServiceDisplayName')).toBe('idp-harness AD FS');
      expect(elems(rd, 'fed:PassiveRequestorEndpoint//*[local-name()="Address"]').map((a) => a.textContent)).toEqual([ls()]);
    }
    expect(elems(app!, 'md:KeyDescriptor').map((k) => k.getAttribute('use'))).toEqual(['encryption']);
    expect(certText(one(app!, 'md:KeyDescriptor'))).toBe(lab.state.pki.systems.adfs.encryption.certBase64);
    expect(elems(sts!, 'md:KeyDescriptor').map((k) => k.getAttribute('use'))).toEqual(['signing']);
    expect(certText(one(sts!, 'md:KeyDescriptor'))).toBe(lab.state.pki.systems.adfs.signing.certBase64);
    expect(elems(sts!, 'fed:TokenTypesOffered/fed:TokenType').map((t) => t.getAttribute('Uri'))).toContain('urn:oasis:names:tc:SAML:2.0:assertion');
  });

  it('has an SPSSODescriptor with WantAssertionsSigned and SLO at /adfs/ls/', () => {
    const sp = one(parseXml(xml), '/md:EntityDescriptor/md:SPSSODescriptor');
    expect(sp.getAttribute('WantAssertionsSigned')).toBe('true');
    expect(elems(sp, 'md:SingleLogoutService').map((e) => [e.getAttribute('Binding'), e.getAttribute('Location')])).toEqual([
      [REDIRECT, ls()],
      [POST, ls()],
    ]);
  });

  it('has an IDPSSODescriptor: encryption key before signing key, no WantAuthnRequestsSigned, SLO and SSO Redirect+POST at /adfs/ls/, the NameIDFormat trio', () => {
    const idp = one(parseXml(xml), '/md:EntityDescriptor/md:IDPSSODescriptor');
    expect(idp.getAttribute('protocolSupportEnumeration')).toBe(URI.protocol);
    expect(idp.hasAttribute('WantAuthnRequestsSigned')).toBe(false);
    const names = childNames(idp);
    const attrStart = names.indexOf('Attribute');
    expect(names.slice(0, attrStart)).toEqual([
      'KeyDescriptor', 'KeyDescriptor', 'SingleLogoutService', 'SingleLogoutService',
      'NameIDFormat', 'NameIDFormat', 'NameIDFormat', 'SingleSignOnService', 'SingleSignOnService',
    ]);
    expect(names.slice(attrStart).every((n) => n === 'Attribute')).toBe(true);
    const keys = elems(idp, 'md:KeyDescriptor');
    expect(keys.map((k) => k.getAttribute('use'))).toEqual(['encryption', 'signing']);
    expect(certText(keys[0]!)).toBe(lab.state.pki.systems.adfs.encryption.certBase64);
    expect(certText(keys[1]!)).toBe(lab.state.pki.systems.adfs.signing.certBase64);
    expect(elems(idp, 'md:NameIDFormat').map((n) => n.textContent)).toEqual([NAMEID.emailAddress, NAMEID.persistent, NAMEID.transient]);
    const endpoints = (name: string) => elems(idp, `md:${name}`).map((e) => [e.getAttribute('Binding'), e.getAttribute('Location')]);
    expect(endpoints('SingleSignOnService')).toEqual([[REDIRECT, ls()], [POST, ls()]]);
    expect(endpoints('SingleLogoutService')).toEqual([[REDIRECT, ls()], [POST, ls()]]);
  });

  it('advertises the claim types as saml:Attribute with NameFormat uri and a FriendlyName', () => {
    const attrs = elems(parseXml(xml), '/md:EntityDescriptor/md:IDPSSODescriptor/saml:Attribute');
    expect(attrs.length).toBeGreaterThanOrEqual(64); // a stock farm advertises 64–67 (reference §1.2)
    for (const a of attrs) {
      expect(a.getAttribute('NameFormat')).toBe('urn:oasis:names:tc:SAML:2.0:attrname-format:uri');
      expect(a.getAttribute('FriendlyName')).not.toBe('');
      expect(a.hasAttribute('FriendlyName')).toBe(true);
    }
    const friendly = Object.fromEntries(attrs.map((a) => [a.getAttribute('Name'), a.getAttribute('FriendlyName')]));
    expect(friendly[CLAIM.email]).toBe('E-Mail Address');
    expect(friendly[CLAIM.upn]).toBe('UPN');
    expect(friendly[CLAIM.group]).toBe('Group');
    expect(friendly['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier']).toBe('Name ID');
  });

  it('configures node-saml on its own: entry point, issuer and the IDPSSODescriptor signing certificate sign agent1 in', async () => {
    const doc = parseXml(xml);
    const idp = one(doc, '/md:EntityDescriptor/md:IDPSSODescriptor');
    const signingKey = elems(idp, 'md:KeyDescriptor').find((k) => k.getAttribute('use') === 'signing')!;
    const certBody = certText(signingKey)!;
    const entryPoint = elems(idp, 'md:SingleSignOnService').find((e) => e.getAttribute('Binding') === REDIRECT)!.getAttribute('Location')!;
    addRp(lab, { name: 'from-metadata', identifiers: ['urn:test:from-metadata'], endpoints: [{ kind: 'acs', binding: 'POST', url: 'https://sp.test/md/acs' }], nameId: { format: 'emailAddress' } });
    const sp = testSp(lab, {
      issuer: 'urn:test:from-metadata',
      callbackUrl: 'https://sp.test/md/acs',
      entryPoint,
      idpIssuer: doc.documentElement.getAttribute('entityID')!,
      idpCert: `-----BEGIN CERTIFICATE-----\n${certBody.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`,
    });
    const res = await signIn(new UserAgent(), sp);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: res.value });
    expect(profile?.nameID).toBe('agent1@lab.example');
    expect(profile?.issuer).toBe('http://localhost/adfs/services/trust');
  });
});

describeWithTool('xmlsec1', 'xmlsec1 and the metadata signature', () => {
  const idAttrs = [ENTITY_ID_ATTR];

  it('verifies with the AD FS signing certificate', () => {
    const r = xmlsec1Verify(xml, lab.state.pki.systems.adfs.signing.certPem, { idAttrs });
    expect(r.output).toContain('OK');
    expect(r.ok).toBe(true);
  });

  it('fails with another certificate', () => {
    expect(xmlsec1Verify(xml, lab.state.pki.systems.adfs.encryption.certPem, { idAttrs }).ok).toBe(false);
    expect(xmlsec1Verify(xml, lab.state.pki.systems['sample-sp'].signing.certPem, { idAttrs }).ok).toBe(false);
  });

  it('fails once a signed byte changes', () => {
    const tampered = xml.replace('ServiceDisplayName="idp-harness AD FS"', 'ServiceDisplayName="idp-harness AD FT"');
    expect(tampered).not.toBe(xml);
    expect(xmlsec1Verify(tampered, lab.state.pki.systems.adfs.signing.certPem, { idAttrs }).ok).toBe(false);
  });
});

describe('a configured identifier', () => {
  const IDENTIFIER = 'https://fs.lab.example/adfs/services/trust';
  let custom: Lab;
  beforeAll(async () => {
    custom = await startTestLab({ services: ['adfs'], config: { adfs: { identifier: IDENTIFIER } } });
  });
  afterAll(() => custom.stop());

  it('becomes the entityID, and the Issuer of the Response and of the Assertion', async () => {
    const md = await (await fetch(custom.urls.adfs + METADATA_PATH)).text();
    expect(parseXml(md).documentElement.getAttribute('entityID')).toBe(IDENTIFIER);
    addRp(custom, { name: 'custom', identifiers: ['urn:test:custom'], endpoints: [{ kind: 'acs', binding: 'POST', url: 'https://sp.test/custom/acs' }] });
    const sp = testSp(custom, { issuer: 'urn:test:custom', callbackUrl: 'https://sp.test/custom/acs' });
    const res = await signIn(new UserAgent(), sp);
    const doc = parseXml(res.xml);
    expect(one(doc, '/samlp:Response/saml:Issuer').textContent).toBe(IDENTIFIER);
    expect(one(doc, '/samlp:Response/saml:Assertion/saml:Issuer').textContent).toBe(IDENTIFIER);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: res.value });
    expect(profile?.issuer).toBe(IDENTIFIER);
  });
});
