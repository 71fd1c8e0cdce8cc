/**
 * AD FS's HTML error page, end to end (reference §1.12, §1.8 rule 1; issue 2 "Errors"): an
 * unknown relying party or a malformed request is answered with "An error occurred", an Activity
 * ID and its MSIS code — and no SAML message, since no ACS can be trusted. Each case is told
 * apart by our stable code (`X-Idp-Harness-Error` / `data-error-code`) and the MSIS code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';
import {
  ERROR_HEADER,
  authnRequestXml,
  b64,
  deflateB64,
  endpoints,
  expectErrorPage,
  expectLoginPage,
  getLs,
  newId,
  postLs,
  redirectQuery,
} from './lab-saml.js';

let lab: Lab;
const ua = new UserAgent();
beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'] });
});
afterAll(() => lab.stop());

describe('unknown relying party (MSIS7007)', () => {
  it('HTTP-Redirect: the error page, no SAMLResponse, no relying party named', async () => {
    const res = await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { issuer: 'urn:evil:not-registered' })));
    expectErrorPage(res, 'ERR_SAML_UNKNOWN_RELYING_PARTY', 'MSIS7007');
    expect(res.body).toContain('Error details: MSIS7007: The requested relying party trust &#39;urn:evil:not-registered&#39;');
    expect(res.body).not.toContain('Relying party:');
  });

  it('HTTP-POST: the same page', async () => {
    const res = await postLs(ua, lab, { SAMLRequest: b64(authnRequestXml(lab, { issuer: 'https://sp.evil.example/' })) });
    expectErrorPage(res, 'ERR_SAML_UNKNOWN_RELYING_PARTY', 'MSIS7007');
  });

  it('an identifier differing only in case or a trailing slash is unknown (exact match)', async () => {
    for (const issuer of ['URN:IDP-HARNESS:SAMPLE-SP', 'urn:idp-harness:sample-sp/', ' urn:idp-harness:sample-sp']) {
      const res = await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { issuer })));
      expectErrorPage(res, 'ERR_SAML_UNKNOWN_RELYING_PARTY', 'MSIS7007');
    }
  });

  it('a disabled relying party trust is unknown', async () => {
    const sample = lab.state.relyingParties.require('idp-harness sample SP');
    const { requestSigningCerts: _c, encryptionRecipient: _e, ...data } = sample;
    lab.state.relyingParties.replace(sample.name, { ...data, enabled: false });
    try {
      const res = await getLs(ua, lab, redirectQuery(authnRequestXml(lab)));
      expectErrorPage(res, 'ERR_SAML_UNKNOWN_RELYING_PARTY', 'MSIS7007');
    } finally {
      lab.state.reset();
    }
    expectLoginPage(await getLs(ua, lab, redirectQuery(authnRequestXml(lab))));
  });

  it('reflected values are HTML-escaped: the Issuer and the User-Agent', async () => {
    const issuer = '&lt;img src=x onerror=alert(1)&gt;';
    const res = await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { issuer })), { 'user-agent': '<script>alert(2)</script>' });
    expectErrorPage(res, 'ERR_SAML_UNKNOWN_RELYING_PARTY', 'MSIS7007');
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(res.body).not.toContain('<script>alert(2)');
    expect(res.body).toContain('User agent string: &#60;script&#62;alert(2)&#60;/script&#62;');
  });

  it('every error gets its own Activity ID', async () => {
    const q = redirectQuery(authnRequestXml(lab, { issuer: 'urn:evil:x' }));
    const a = expectErrorPage(await getLs(ua, lab, q), 'ERR_SAML_UNKNOWN_RELYING_PARTY');
    const b = expectErrorPage(await getLs(ua, lab, q), 'ERR_SAML_UNKNOWN_RELYING_PARTY');
    expect(a.activityId).not.toBe(b.activityId);
  });
});

describe('no protocol message (MSIS7065)', () => {
  it('GET /adfs/ls/ and GET /adfs/ls (no trailing slash) with nothing', async () => {
    expectErrorPage(await ua.get(endpoints(lab).ls), 'ERR_SAML_NO_PROTOCOL_MESSAGE', 'MSIS7065');
    expectErrorPage(await ua.get(`${lab.urls.adfs}/adfs/ls`), 'ERR_SAML_NO_PROTOCOL_MESSAGE', 'MSIS7065');
  });

  it('GET with only unrelated parameters, and a RelayState without a message', async () => {
    expectErrorPage(await getLs(ua, lab, 'client-request-id=abc&foo=bar'), 'ERR_SAML_NO_PROTOCOL_MESSAGE', 'MSIS7065');
    expectErrorPage(await getLs(ua, lab, 'RelayState=xyz'), 'ERR_SAML_NO_PROTOCOL_MESSAGE', 'MSIS7065');
  });

  it('POST with an empty form and with an unrelated field', async () => {
    expectErrorPage(await postLs(ua, lab, {}), 'ERR_SAML_NO_PROTOCOL_MESSAGE', 'MSIS7065');
    expectErrorPage(await postLs(ua, lab, { RelayState: 'x', foo: 'bar' }), 'ERR_SAML_NO_PROTOCOL_MESSAGE', 'MSIS7065');
  });
});

describe('malformed requests (HTML error page, never a SAML answer)', () => {
  const MALFORMED = 'ERR_SAML_REQUEST_MALFORMED';
  const SCHEMA = 'ERR_SAML_SCHEMA_INVALID';

  it('HTTP-Redirect: bad base64, base64 that is not DEFLATE, DEFLATE that is not XML, not UTF-8', async () => {
    const cases: Array<[string, string]> = [
      ['SAMLRequest=%25%25%25not-base64%25%25', MALFORMED],
      ['SAMLRequest=abc', MALFORMED], // not a multiple of 4
      [`SAMLRequest=${encodeURIComponent(b64(authnRequestXml(lab)))}`, MALFORMED], // POST-style: not deflated
      [`SAMLRequest=${encodeURIComponent(deflateB64('hello, this is not XML'))}`, MALFORMED],
      [`SAMLRequest=${encodeURIComponent(deflateB64(Buffer.from([0x3c, 0xff, 0xfe, 0x3e])))}`, MALFORMED],
      ['SAMLRequest=', MALFORMED],
    ];
    for (const [query, code] of cases) {
      const page = expectErrorPage(await getLs(ua, lab, query), code, 'MSIS7012');
      expect(page.code, query).toBe(code);
    }
  });

  it('HTTP-POST: bad base64, deflated (Redirect-style) content, not XML, truncated XML', async () => {
    const xml = authnRequestXml(lab);
    const cases: Array<Record<string, string>> = [
      { SAMLRequest: '!!!!' },
      { SAMLRequest: deflateB64(xml) },
      { SAMLRequest: b64('just text') },
      { SAMLRequest: b64(xml.slice(0, xml.length - 10)) },
      { SAMLRequest: b64('') },
    ];
    for (const form of cases) expectErrorPage(await postLs(ua, lab, form), MALFORMED, 'MSIS7012');
  });

  it('schema-invalid AuthnRequests, over both bindings', async () => {
    const bad = [
      authnRequestXml(lab).replace(/ ID="[^"]*"/, ''), // ID is required
      authnRequestXml(lab).replace(/IssueInstant="[^"]*"/, 'IssueInstant="yesterday"'),
      authnRequestXml(lab).replace('Version="2.0"', 'Version="2.0" Bogus="1"'),
      authnRequestXml(lab, { children: '<samlp:Unknown/>' }),
      authnRequestXml(lab, { acsIndex: 70000, acsUrl: null }), // xs:unsignedShort
      // Issuer after NameIDPolicy: elements out of order
      authnRequestXml(lab).replace(/(<saml:Issuer[^]*<\/saml:Issuer>)/, '<samlp:NameIDPolicy AllowCreate="true"/>$1'),
    ];
    for (const xml of bad) {
      expectErrorPage(await getLs(ua, lab, redirectQuery(xml)), SCHEMA, 'MSIS7012');
      expectErrorPage(await postLs(ua, lab, { SAMLRequest: b64(xml) }), SCHEMA, 'MSIS7012');
    }
  });

  it('a well-formed message that is not a protocol request AD FS takes', async () => {
    const response = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="${newId()}" Version="2.0" IssueInstant="${new Date().toISOString()}"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:Response>`;
    expectErrorPage(await postLs(ua, lab, { SAMLResponse: b64(response) }), MALFORMED, 'MSIS7012');
    const foreign = '<x:AuthnRequest xmlns:x="urn:evil" ID="_1" Version="2.0"/>';
    // Not a SAML 2.0 protocol element at all: the schema has no declaration for it.
    expectErrorPage(await getLs(ua, lab, redirectQuery(foreign)), SCHEMA, 'MSIS7012');
  });

  it('SigAlg without Signature, duplicated protocol parameters, both SAMLRequest and SAMLResponse', async () => {
    const msg = encodeURIComponent(deflateB64(authnRequestXml(lab)));
    for (const query of [
      `SAMLRequest=${msg}&SigAlg=${encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')}`,
      `SAMLRequest=${msg}&Signature=AAAA`,
      `SAMLRequest=${msg}&SAMLRequest=${msg}`,
      `SAMLRequest=${msg}&SAMLResponse=${msg}`,
      `SAMLRequest=${msg}&RelayState=a&RelayState=b`,
    ]) {
      expectErrorPage(await getLs(ua, lab, query), MALFORMED, 'MSIS7012');
    }
  });

  it('a request that was fine before is still fine (the checks are not sticky)', async () => {
    expectLoginPage(await getLs(ua, lab, redirectQuery(authnRequestXml(lab))));
  });
});

describe('unknown paths (404 page)', () => {
  it('answers 404 with the error page, for GET and POST, under /adfs and elsewhere', async () => {
    const base = lab.urls.adfs!;
    for (const path of ['/', '/adfs/', '/adfs/ls/nothing', '/adfs/services/trust', '/FederationMetadata/2007-06/other.xml', '/../etc/passwd', '/%2e%2e/']) {
      expectErrorPage(await ua.get(base + path), 'ERR_HTTP_NOT_FOUND', 'MSIS7012');
    }
    expectErrorPage(await ua.post(`${base}/adfs/oauth2/token`, { grant_type: 'x' }), 'ERR_HTTP_NOT_FOUND', 'MSIS7012');
  });

  it('other methods on /adfs/ls/ are not served (404, no 500)', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(endpoints(lab).ls, { method, body: 'x' });
      expect(res.status, method).toBe(404);
      expect(res.headers.get(ERROR_HEADER)).toBe('ERR_HTTP_NOT_FOUND');
    }
  });
});
