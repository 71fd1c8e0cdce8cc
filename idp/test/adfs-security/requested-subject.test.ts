import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import {
  authnRequestXml,
  endpoints,
  expectErrorPage,
  expectLoginPage,
  expectStatusResponse,
  expectSuccessResponse,
  getLs,
  NS_ASSERTION,
  newId,
  readPosted,
  redirectQuery,
  submitLogin,
} from './lab-saml.js';

/** saml-core §3.4.1: an AuthnRequest <Subject> names the only principal the assertion may be about. */
const subject = (inner: string) => `<saml:Subject xmlns:saml="${NS_ASSERTION}">${inner}</saml:Subject>`;

let lab: Lab;
beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'] });
});
afterAll(() => lab.stop());
beforeEach(() => lab.state.reset());

describe('AuthnRequest <Subject>', () => {
  it('pre-fills the sign-in form with the requested subject and issues the token for that user', async () => {
    const ua = new UserAgent();
    const id = newId();
    const page = await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { id, children: subject('<saml:NameID>agent1@lab.example</saml:NameID>') })));
    expectLoginPage(page);
    expect(page.body).toContain('value="agent1@lab.example"');
    expectSuccessResponse(await submitLogin(ua, page, 'agent1'), lab, endpoints(lab).sampleAcs, id);
  });

  it('answers Requester/UnknownPrincipal, with no assertion, when someone else signs in', async () => {
    const ua = new UserAgent();
    const id = newId();
    const page = await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { id, children: subject('<saml:NameID>agent2@lab.example</saml:NameID>') })));
    const answer = await submitLogin(ua, page, 'agent1');
    expectStatusResponse(answer, lab, {
      code: 'ERR_SAML_UNKNOWN_PRINCIPAL',
      top: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
      second: 'urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal',
      acs: endpoints(lab).sampleAcs,
      inResponseTo: id,
    });
  });

  it('does not let an SSO session of another user answer for the requested subject', async () => {
    const ua = new UserAgent();
    const first = await getLs(ua, lab, redirectQuery(authnRequestXml(lab)));
    expect(readPosted(await submitLogin(ua, first, 'agent1')).status.top).toBe('urn:oasis:names:tc:SAML:2.0:status:Success');
    const id = newId();
    const reused = await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { id, children: subject('<saml:NameID>LAB\\supervisor1</saml:NameID>') })));
    expect(readPosted(reused).status.second).toBe('urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal');
  });

  it('refuses a Subject it cannot read (no NameID) as malformed', async () => {
    const ua = new UserAgent();
    const res = await getLs(
      ua,
      lab,
      redirectQuery(authnRequestXml(lab, { children: subject('<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"/>') })),
    );
    expectErrorPage(res, 'ERR_SAML_REQUEST_MALFORMED');
  });
});
