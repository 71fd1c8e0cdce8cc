import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';
import { acsOf, expectRefused, LAB_ADFS_ID } from './saml-flow.js';

/**
 * Bad input at CXone's ACS gets CXone's error page with a stable code and a 4xx, never a 500 or a
 * crash (DESIGN §5): the shared parser door (size caps, no DOCTYPE, libxml2, the SAML schema)
 * answers before any SAML rule runs.
 */
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const RESPONSE_NS = 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"';

describe('malformed input at the CXone ACS', () => {
  let lab: Lab;
  const ua = new UserAgent();
  beforeAll(async () => {
    lab = await startTestLab({ services: ['cxone'] });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  const acs = () => acsOf(lab, LAB_ADFS_ID);

  const cases: Array<[string, Record<string, string> | string, number, string]> = [
    ['not base64', { SAMLResponse: '%%%not-base64%%%' }, 400, 'ERR_SAML_REQUEST_MALFORMED'],
    ['base64 of bytes that are not UTF-8', { SAMLResponse: b64(Buffer.from([0xc3, 0x28, 0xff])) }, 400, 'ERR_SAML_REQUEST_MALFORMED'],
    ['unclosed XML', { SAMLResponse: b64(`<samlp:Response ${RESPONSE_NS}><b><b><b>`) }, 400, 'ERR_SAML_REQUEST_MALFORMED'],
    [
      'a DOCTYPE (entity expansion, XXE)',
      { SAMLResponse: b64(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "x">]><samlp:Response ${RESPONSE_NS}/>`) },
      400,
      'ERR_SAML_DOCTYPE_FORBIDDEN',
    ],
    ['well-formed, not the SAML schema', { SAMLResponse: b64(`<samlp:Response ${RESPONSE_NS} ID="_1"/>`) }, 400, 'ERR_SAML_SCHEMA_INVALID'],
    ['no SAMLResponse at all', { RelayState: 'x' }, 400, 'ERR_SAML_NO_PROTOCOL_MESSAGE'],
    ['SAMLResponse sent twice (parameter pollution)', 'SAMLResponse=PGE%2B&SAMLResponse=PGI%2B', 400, 'ERR_SAML_REQUEST_MALFORMED'],
    ['larger than the 256 KiB cap', { SAMLResponse: 'A'.repeat(300 * 1024) }, 400, 'ERR_SAML_REQUEST_TOO_LARGE'],
  ];
  for (const [what, form, status, code] of cases) {
    it(`${what} → ${status} ${code}`, async () => {
      const res =
        typeof form === 'string'
          ? await fetch(acs(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }).then(async (r) => ({
              status: r.status,
              headers: { 'x-idp-harness-error': r.headers.get('x-idp-harness-error') ?? undefined, 'set-cookie': r.headers.get('set-cookie') ?? undefined },
              body: await r.text(),
              url: acs(),
              location: undefined,
            }))
          : await ua.post(acs(), form);
      expectRefused(res, status, code);
    });
  }

  it('a SAMLRequest (an AuthnRequest) posted to the ACS → 403 ERR_CXONE_SAML_STRUCTURE', async () => {
    const request = `<samlp:AuthnRequest ${RESPONSE_NS} xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_q" Version="2.0" IssueInstant="2024-01-01T00:00:00Z"><saml:Issuer>x</saml:Issuer></samlp:AuthnRequest>`;
    expectRefused(await ua.post(acs(), { SAMLRequest: b64(request) }), 403, 'ERR_CXONE_SAML_STRUCTURE');
    // The same document named SAMLResponse: read, and refused for not being a Response.
    expectRefused(await ua.post(acs(), { SAMLResponse: b64(request) }), 403, 'ERR_CXONE_SAML_STRUCTURE');
  });

  it('the service keeps answering after all of that', async () => {
    const res = await ua.get(`${lab.urls.cxone}/login`);
    expect(res.status).toBe(200);
  });
});
