import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAgent, type UaResponse } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { b64, expectRefused, idsOf, issued } from '../helpers/ids-flow.js';

/**
 * Whatever reaches the IdS ACS, the browser gets the IdS error page with a 4xx status and our
 * code (docs/cisco.md "What IdS checks in the response", first rows: the parser door shared with
 * AD FS, idp/src/adfs/inbound/), never a 500 and never the relay page.
 */

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';

describe('IdS ACS with malformed input', () => {
  let lab: Lab;
  let acs: string;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'console'], tls: false });
    acs = idsOf(lab).urls.acs;
  });
  afterAll(async () => {
    await lab?.stop();
  });

  const now = () => new Date(lab.state.clock.now()).toISOString();
  const response = (inner: string) =>
    `<samlp:Response xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}" ID="_r1" Version="2.0" IssueInstant="${now()}" Destination="${acs}">` +
    `<saml:Issuer>${idsOf(lab).trust.entityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${inner}</samlp:Response>`;

  /** Raw form bodies: some cases are about how the fields are sent, not what they hold. */
  const cases: Array<{ name: string; body: () => string; status: number; code: string }> = [
    { name: 'no SAMLResponse', body: () => 'RelayState=x', status: 400, code: 'ERR_SAML_NO_PROTOCOL_MESSAGE' },
    { name: 'an empty body', body: () => '', status: 400, code: 'ERR_SAML_NO_PROTOCOL_MESSAGE' },
    { name: 'bad base64', body: () => 'SAMLResponse=' + encodeURIComponent('%%% not base64 %%%'), status: 400, code: 'ERR_SAML_REQUEST_MALFORMED' },
    { name: 'base64 of text that is not XML', body: () => 'SAMLResponse=' + encodeURIComponent(b64('hello, IdS')), status: 400, code: 'ERR_SAML_REQUEST_MALFORMED' },
    { name: 'base64 of unclosed XML', body: () => 'SAMLResponse=' + encodeURIComponent(b64(`<samlp:Response xmlns:samlp="${PROTOCOL}">`)), status: 400, code: 'ERR_SAML_REQUEST_MALFORMED' },
    {
      name: 'a DOCTYPE (XXE / entity expansion)',
      body: () => 'SAMLResponse=' + encodeURIComponent(b64(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${response('')}`)),
      status: 400,
      code: 'ERR_SAML_DOCTYPE_FORBIDDEN',
    },
    { name: 'well-formed XML that is not SAML 2.0', body: () => 'SAMLResponse=' + encodeURIComponent(b64('<hello xmlns="urn:example">IdS</hello>')), status: 400, code: 'ERR_SAML_SCHEMA_INVALID' },
    {
      name: 'a SAMLRequest instead of a SAMLResponse',
      body: () =>
        'SAMLRequest=' +
        encodeURIComponent(b64(`<samlp:AuthnRequest xmlns:samlp="${PROTOCOL}" ID="_q1" Version="2.0" IssueInstant="${now()}"/>`)),
      status: 403,
      code: 'ERR_IDS_SAML_STRUCTURE',
    },
    {
      name: 'an AuthnRequest sent as SAMLResponse',
      body: () => 'SAMLResponse=' + encodeURIComponent(b64(`<samlp:AuthnRequest xmlns:samlp="${PROTOCOL}" ID="_q1" Version="2.0" IssueInstant="${now()}"/>`)),
      status: 403,
      code: 'ERR_IDS_SAML_STRUCTURE',
    },
    { name: 'a Success Response with no Assertion', body: () => 'SAMLResponse=' + encodeURIComponent(b64(response(''))), status: 403, code: 'ERR_IDS_SAML_STRUCTURE' },
    {
      name: 'SAMLResponse twice (parameter pollution)',
      body: () => `SAMLResponse=${encodeURIComponent(b64(response('')))}&SAMLResponse=${encodeURIComponent(b64(response('')))}`,
      status: 400,
      code: 'ERR_SAML_REQUEST_MALFORMED',
    },
    {
      name: 'both SAMLRequest and SAMLResponse',
      body: () => `SAMLRequest=${encodeURIComponent(b64(response('')))}&SAMLResponse=${encodeURIComponent(b64(response('')))}`,
      status: 400,
      code: 'ERR_SAML_REQUEST_MALFORMED',
    },
    { name: 'a SAMLResponse over the 256 KiB cap', body: () => 'SAMLResponse=' + 'A'.repeat(300 * 1024), status: 400, code: 'ERR_SAML_REQUEST_TOO_LARGE' },
    { name: 'a body over the 512 KiB form limit', body: () => 'SAMLResponse=' + 'A'.repeat(600 * 1024), status: 413, code: 'ERR_HTTP_BODY_TOO_LARGE' },
  ];

  async function postRaw(body: string): Promise<UaResponse> {
    // UserAgent.post encodes a record; these bodies are sent exactly as written.
    const res = await fetch(acs, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => (headers[name] = value));
    return { status: res.status, url: acs, headers, body: await res.text(), location: res.headers.get('location') ?? undefined };
  }

  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      const res = await postRaw(c.body());
      expectRefused(res, c.status, c.code);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain(c.code); // the page shows the code to the user
      expect(issued(lab)).toEqual({ relays: 0, codes: 0, tokens: 0 });
    });
  }

  it('GET on the ACS (the binding is POST) → 404 error page, not a 500', async () => {
    const res = await new UserAgent().get(acs);
    expectRefused(res, 404, 'ERR_HTTP_NOT_FOUND');
  });
});
