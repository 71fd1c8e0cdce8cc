import { afterAll, beforeAll, expect, it } from 'vitest';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import {
  authnRequestXml,
  getLs,
  newId,
  NS_PROTOCOL,
  readPosted,
  redirectQuery,
  STATUS,
  submitLogin,
} from '../adfs-security/lab-saml.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { xmlsec1Verify } from '../helpers/xmlsec1.js';

/**
 * xmlsec1 (Debian, an independent XML-DSig implementation) verifies the message-level signatures
 * AD FS puts on what is not a token: status-only responses and its own LogoutRequests.
 */
const MESSAGE_SIGNATURE = "/*/*[local-name()='Signature']";
const SLO_POST = 'http://127.0.0.1:9/post-slo/slo';
const ACS = 'http://127.0.0.1:9/post-slo/acs';
const ISSUER = 'urn:idp-harness:test:post-slo';

let lab: Lab;
let adfsCert: string;
let otherCert: string;
beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'] });
  adfsCert = lab.state.pki.systems.adfs.signing.certPem;
  otherCert = lab.state.pki.systems.oidc.signing.certPem;
  lab.state.relyingParties.add({
    name: 'post-slo',
    identifiers: [ISSUER],
    endpoints: [
      { kind: 'acs', binding: 'POST', url: ACS, isDefault: true },
      { kind: 'slo', binding: 'POST', url: SLO_POST },
    ],
    nameId: { format: 'transient', nameQualifier: 'http://localhost/adfs/services/trust', spNameQualifier: ISSUER },
  });
});
afterAll(() => lab.stop());

describeWithTool('xmlsec1', 'xmlsec1 on AD FS protocol messages', () => {
  it('verifies the signature of a status-only Response (Requester/InvalidNameIDPolicy), and rejects another key', async () => {
    const ua = new UserAgent();
    const policy = `<samlp:NameIDPolicy xmlns:samlp="${NS_PROTOCOL}" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"/>`;
    const page = await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { id: newId(), children: policy })));
    const answer = readPosted(await submitLogin(ua, page));
    expect(answer.status).toEqual({ top: STATUS.Requester, second: 'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy' });
    const ids = ['urn:oasis:names:tc:SAML:2.0:protocol:Response'];
    expect(xmlsec1Verify(answer.xml, adfsCert, { idAttrs: ids, nodeXpath: MESSAGE_SIGNATURE }).ok).toBe(true);
    expect(xmlsec1Verify(answer.xml, otherCert, { idAttrs: ids, nodeXpath: MESSAGE_SIGNATURE }).ok).toBe(false);
  });

  it('verifies the signature of the LogoutRequest AD FS posts to an SP over HTTP-POST', async () => {
    const ua = new UserAgent();
    const page = await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { issuer: ISSUER, acsUrl: ACS })));
    expect(readPosted(await submitLogin(ua, page)).status.top).toBe(STATUS.Success);
    const logout = readPosted(await ua.get(`${lab.state.adfs!.urls.ls}?wa=wsignout1.0`), 'SAMLRequest');
    expect(logout.target).toBe(SLO_POST);
    expect(logout.root.localName).toBe('LogoutRequest');
    const ids = ['urn:oasis:names:tc:SAML:2.0:protocol:LogoutRequest'];
    expect(xmlsec1Verify(logout.xml, adfsCert, { idAttrs: ids, nodeXpath: MESSAGE_SIGNATURE }).ok).toBe(true);
    const tampered = logout.xml.replace(ISSUER, 'urn:tampered');
    expect(tampered).not.toBe(logout.xml);
    expect(xmlsec1Verify(tampered, adfsCert, { idAttrs: ids, nodeXpath: MESSAGE_SIGNATURE }).ok).toBe(false);
  });
});
