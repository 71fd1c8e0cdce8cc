import { describe, expect, it } from 'vitest';
import { decodeRedirect } from '../../src/adfs/inbound/decode-redirect.js';
import {
  readAuthnRequest,
  readInboundMessage,
  readLogoutRequest,
  readLogoutResponse,
} from '../../src/adfs/inbound/read-messages.js';
import { spTestKeys } from '../helpers/sp-test-keys.js';
import { errorCode, formFieldsOf, IDP_SSO_URL, nodeSamlSp, rawQueryOf, SP_ACS_URL, SP_ENTITY_ID } from './sp-driver.js';
import { decodePost } from '../../src/adfs/inbound/decode-post.js';

const P = 'urn:oasis:names:tc:SAML:2.0:protocol';
const A = 'urn:oasis:names:tc:SAML:2.0:assertion';
const PPT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

function request(inner: string, attrs = ''): string {
  return (
    `<samlp:AuthnRequest xmlns:samlp="${P}" xmlns:saml="${A}" ID="_req1" Version="2.0" ` +
    `IssueInstant="2026-01-01T00:00:00.000Z" ${attrs}>${inner}</samlp:AuthnRequest>`
  );
}
const ISSUER = `<saml:Issuer>${SP_ENTITY_ID}</saml:Issuer>`;

describe('readAuthnRequest on node-saml requests', () => {
  it('extracts every field of a default Redirect request', async () => {
    const xml = decodeRedirect(rawQueryOf(await nodeSamlSp(undefined).getAuthorizeUrlAsync('', 'h', {}))).xml;
    const r = readAuthnRequest(xml);
    expect(r).toEqual({
      kind: 'AuthnRequest',
      id: expect.stringMatching(/^_[0-9a-f]{40}$/),
      version: '2.0',
      issueInstant: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      destination: IDP_SSO_URL,
      issuer: SP_ENTITY_ID,
      acsUrl: SP_ACS_URL,
      protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
      forceAuthn: false,
      isPassive: false,
      nameIdPolicy: { format: EMAIL, allowCreate: true },
      requestedAuthnContext: { comparison: 'exact', classRefs: [PPT], declRefs: [] },
      hasSignature: false,
    });
  });

  it('extracts ForceAuthn, IsPassive, NameIDPolicy and RequestedAuthnContext options', async () => {
    const sp = nodeSamlSp(undefined, {
      forceAuthn: true,
      passive: true,
      identifierFormat: PERSISTENT,
      allowCreate: false,
      spNameQualifier: 'urn:sp:affiliation',
      racComparison: 'minimum',
      authnContext: [PPT, 'urn:federation:authentication:windows'],
    });
    const r = readAuthnRequest(decodeRedirect(rawQueryOf(await sp.getAuthorizeUrlAsync('', 'h', {}))).xml);
    expect(r.forceAuthn).toBe(true);
    expect(r.isPassive).toBe(true);
    expect(r.nameIdPolicy).toEqual({ format: PERSISTENT, spNameQualifier: 'urn:sp:affiliation', allowCreate: false });
    expect(r.requestedAuthnContext).toEqual({
      comparison: 'minimum',
      classRefs: [PPT, 'urn:federation:authentication:windows'],
      declRefs: [],
    });
  });

  it('reads a signed HTTP-POST request and notes the enveloped signature', async () => {
    const sp = nodeSamlSp(spTestKeys('post SP'), { authnRequestBinding: 'HTTP-POST', skipRequestCompression: true });
    const msg = decodePost(formFieldsOf(await sp.getAuthorizeFormAsync('', 'h', {})));
    const r = readAuthnRequest(msg.xml);
    expect(r.hasSignature).toBe(true);
    expect(r.issuer).toBe(SP_ENTITY_ID);
  });
});

describe('readAuthnRequest rules', () => {
  it('defaults Comparison to "exact" (saml-core §3.3.2.2.1) and reads an ACS index (CUCM sends "0")', () => {
    const r = readAuthnRequest(
      request(
        `${ISSUER}<samlp:RequestedAuthnContext><saml:AuthnContextClassRef> ${PPT} </saml:AuthnContextClassRef></samlp:RequestedAuthnContext>`,
        'AssertionConsumerServiceIndex="0" Consent="urn:oasis:names:tc:SAML:2.0:consent:unspecified"',
      ),
    );
    expect(r.requestedAuthnContext).toEqual({ comparison: 'exact', classRefs: [PPT], declRefs: [] });
    expect(r.acsIndex).toBe(0);
    expect(r.acsUrl).toBeUndefined();
    expect(r.consent).toBe('urn:oasis:names:tc:SAML:2.0:consent:unspecified');
    expect(r.nameIdPolicy).toBeUndefined();
  });

  it('refuses AssertionConsumerServiceURL together with AssertionConsumerServiceIndex (saml-core §3.4.1)', () => {
    const xml = request(ISSUER, `AssertionConsumerServiceURL="${SP_ACS_URL}" AssertionConsumerServiceIndex="1"`);
    expect(errorCode(() => readAuthnRequest(xml))).toBe('ERR_SAML_REQUEST_MALFORMED');
  });

  it('reads an Issuer with a comment inside in full (CVE-2017-11427 class), CDATA included', () => {
    expect(readAuthnRequest(request('<saml:Issuer>https://sp.example.test<!---->.evil.example/</saml:Issuer>')).issuer).toBe(
      'https://sp.example.test.evil.example/',
    );
    expect(readAuthnRequest(request('<saml:Issuer>sp<!--x--><![CDATA[.evil]]></saml:Issuer>')).issuer).toBe('sp.evil');
  });

  it('requires exactly one root-level Issuer, in entity format', () => {
    expect(errorCode(() => readAuthnRequest(request('')))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(
      errorCode(() => readAuthnRequest(request(`<saml:Issuer Format="${EMAIL}">a@b.c</saml:Issuer>`))),
    ).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(
      readAuthnRequest(request(`<saml:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">x</saml:Issuer>`)).issuer,
    ).toBe('x');
    // An Issuer nested deeper (inside Subject's NameID is a different element) does not count.
    const nested = request(`<saml:Subject><saml:NameID>${SP_ENTITY_ID}</saml:NameID></saml:Subject>`);
    expect(errorCode(() => readAuthnRequest(nested))).toBe('ERR_SAML_REQUEST_MALFORMED');
  });

  it('requires the expected root in the protocol namespace', () => {
    const logout = `<samlp:LogoutRequest xmlns:samlp="${P}" xmlns:saml="${A}" ID="_l" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">${ISSUER}<saml:NameID>u</saml:NameID></samlp:LogoutRequest>`;
    expect(errorCode(() => readAuthnRequest(logout))).toBe('ERR_SAML_REQUEST_MALFORMED');
    const assertion = `<saml:Assertion xmlns:saml="${A}" ID="_x" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">${ISSUER}</saml:Assertion>`;
    expect(errorCode(() => readAuthnRequest(assertion))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => readInboundMessage(assertion))).toBe('ERR_SAML_REQUEST_MALFORMED');
  });

  it('refuses an ID with surrounding blanks (schema-valid, but a second key for the same message)', () => {
    expect(errorCode(() => readAuthnRequest(request(ISSUER).replace('ID="_req1"', 'ID=" _req1"')))).toBe(
      'ERR_SAML_REQUEST_MALFORMED',
    );
  });

  it('runs the parse checks first (DOCTYPE, schema)', () => {
    expect(errorCode(() => readAuthnRequest('<!DOCTYPE x>' + request(ISSUER)))).toBe('ERR_SAML_DOCTYPE_FORBIDDEN');
    expect(errorCode(() => readAuthnRequest(request(ISSUER, 'ForceAuthn="maybe"')))).toBe('ERR_SAML_SCHEMA_INVALID');
  });
});

describe('readLogoutRequest / readLogoutResponse', () => {
  it('extracts a node-saml LogoutRequest (Redirect binding)', async () => {
    const sp = nodeSamlSp(undefined);
    const url = await sp.getLogoutUrlAsync(
      {
        issuer: SP_ENTITY_ID,
        nameID: 'alice@example.test',
        nameIDFormat: EMAIL,
        nameQualifier: 'https://localhost:9443/adfs/services/trust',
        spNameQualifier: SP_ENTITY_ID,
        sessionIndex: '_session-1',
      },
      'rs',
      {},
    );
    const r = readLogoutRequest(decodeRedirect(rawQueryOf(url)).xml);
    expect(r).toEqual({
      kind: 'LogoutRequest',
      id: expect.stringMatching(/^_/),
      version: '2.0',
      issueInstant: expect.any(String),
      destination: IDP_SSO_URL,
      issuer: SP_ENTITY_ID,
      nameId: {
        value: 'alice@example.test',
        format: EMAIL,
        nameQualifier: 'https://localhost:9443/adfs/services/trust',
        spNameQualifier: SP_ENTITY_ID,
      },
      sessionIndexes: ['_session-1'],
      hasSignature: false,
    });
  });

  it('reads NameID and SessionIndex text in full, and several SessionIndex values', () => {
    const xml =
      `<samlp:LogoutRequest xmlns:samlp="${P}" xmlns:saml="${A}" ID="_l" Version="2.0" IssueInstant="2026-01-01T00:00:00Z" ` +
      `NotOnOrAfter="2026-01-01T00:05:00Z" Reason="urn:oasis:names:tc:SAML:2.0:logout:user">${ISSUER}` +
      `<saml:NameID>admin<!---->@evil.example</saml:NameID><samlp:SessionIndex>_s<!---->1</samlp:SessionIndex>` +
      `<samlp:SessionIndex>_s2</samlp:SessionIndex></samlp:LogoutRequest>`;
    const r = readLogoutRequest(xml);
    expect(r.nameId).toEqual({ value: 'admin@evil.example' });
    expect(r.sessionIndexes).toEqual(['_s1', '_s2']);
    expect(r.notOnOrAfter).toBe('2026-01-01T00:05:00Z');
    expect(r.reason).toBe('urn:oasis:names:tc:SAML:2.0:logout:user');
    expect(readInboundMessage(xml).kind).toBe('LogoutRequest');
  });

  it('refuses an EncryptedID (not supported) with ERR_SAML_LOGOUT_INVALID', () => {
    const xml =
      `<samlp:LogoutRequest xmlns:samlp="${P}" xmlns:saml="${A}" ID="_l" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">${ISSUER}` +
      `<saml:EncryptedID><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"><xenc:CipherData>` +
      `<xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml:EncryptedID></samlp:LogoutRequest>`;
    expect(errorCode(() => readLogoutRequest(xml))).toBe('ERR_SAML_LOGOUT_INVALID');
  });

  it('extracts a LogoutResponse with a two-level status', () => {
    const xml =
      `<samlp:LogoutResponse xmlns:samlp="${P}" xmlns:saml="${A}" ID="_resp" InResponseTo="_l" Version="2.0" ` +
      `IssueInstant="2026-01-01T00:00:00Z" Destination="https://localhost:9443/adfs/ls/">${ISSUER}` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder">` +
      `<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:PartialLogout"/></samlp:StatusCode>` +
      `<samlp:StatusMessage>partly</samlp:StatusMessage></samlp:Status></samlp:LogoutResponse>`;
    expect(readLogoutResponse(xml)).toEqual({
      kind: 'LogoutResponse',
      id: '_resp',
      version: '2.0',
      issueInstant: '2026-01-01T00:00:00Z',
      inResponseTo: '_l',
      destination: 'https://localhost:9443/adfs/ls/',
      issuer: SP_ENTITY_ID,
      statusCode: {
        value: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
        subCode: 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout',
      },
      statusMessage: 'partly',
      hasSignature: false,
    });
    expect(readInboundMessage(xml).kind).toBe('LogoutResponse');
    // The profile requires the Issuer on a LogoutResponse too (saml-profiles §4.4.4.2).
    expect(errorCode(() => readLogoutResponse(xml.replace(ISSUER, '')))).toBe('ERR_SAML_REQUEST_MALFORMED');
  });
});
