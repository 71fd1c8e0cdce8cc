import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { elems, isLoginPage, one, parseXml, PASSWORD, readRedirect, readSamlPost, submitLogin, URI } from '../helpers/adfs-flow.js';
import { describeWithTool } from '../helpers/debian-tool.js';
import { MESSAGE_SIGNATURE_XPATH, xmlsec1Verify } from '../helpers/xmlsec1.js';
import { acsOf, AGENT1, browser, cxoneOf, entityOf, expectHome, idpInitiatedAtAdfs, LAB_ADFS_ID, postToAcs, signInAtAdfs, submitUsername } from './saml-flow.js';

/**
 * F4 end to end (DESIGN §1, seed 002): CXone's "Lab AD FS" SAML login authenticator against the
 * lab's AD FS, SP-initiated (username page → AuthnRequest → AD FS forms page → ACS) and
 * IdP-initiated (AD FS's IdpInitiatedSignOn page → unsolicited response at the ACS), on plain
 * HTTP and on TLS.
 */
for (const tls of [false, true]) {
  describe(`CXone SAML sign-in with the lab AD FS (${tls ? 'TLS' : 'plain HTTP'})`, () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await startTestLab({ services: ['adfs', 'cxone'], tls });
    });
    afterAll(async () => {
      await lab?.stop();
    });
    beforeEach(() => {
      lab.state.reset();
    });

    it('SP-initiated: username → AD FS (HTTP-Redirect AuthnRequest) → forms sign-in → ACS → CXone home page', async () => {
      const ua = browser(lab);
      const sent = await submitUsername(ua, lab, AGENT1.username);
      expect(sent.status).toBe(302);
      // saml-bindings §3.4: DEFLATE + base64 on the query, RelayState = the sign-in transaction.
      const { xml, params, base } = readRedirect(sent.location!);
      expect(base).toBe(`${lab.urls.adfs}/adfs/ls/`);
      const tx = params['RelayState']!;
      expect(tx).toMatch(/^[\w-]{16,}$/);
      const req = parseXml(xml).documentElement;
      expect(req.localName).toBe('AuthnRequest');
      expect(req.namespaceURI).toBe(URI.protocol);
      expect(req.getAttribute('Destination')).toBe(`${lab.urls.adfs}/adfs/ls/`);
      expect(req.getAttribute('AssertionConsumerServiceURL')).toBe(acsOf(lab, LAB_ADFS_ID));
      expect(req.getAttribute('ProtocolBinding')).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
      expect(Date.parse(req.getAttribute('IssueInstant')!)).toBe(Math.floor(lab.state.clock.now() / 1000) * 1000);
      expect(one(req, 'saml:Issuer').textContent).toBe(entityOf(lab, LAB_ADFS_ID));
      const requestId = req.getAttribute('ID')!;
      expect(cxoneOf(lab).samlRequests.peek(requestId)).toMatchObject({ authenticatorId: LAB_ADFS_ID, transactionId: tx });

      const login = await ua.get(sent.location!);
      expect(isLoginPage(login)).toBe(true);
      const post = readSamlPost(await submitLogin(ua, login, AGENT1.adfsUser, PASSWORD[AGENT1.adfsUser]!));
      expect(post.action).toBe(acsOf(lab, LAB_ADFS_ID));
      expect(post.relayState).toBe(tx);
      const res = parseXml(post.xml).documentElement;
      expect(res.getAttribute('InResponseTo')).toBe(requestId);
      expect(one(res, 'saml:Assertion/saml:Subject/saml:NameID').textContent).toBe('agent1@lab.example');

      const accepted = await postToAcs(ua, post);
      await expectHome(ua, lab, accepted);
      const session = cxoneOf(lab).sessions.list()[0]!;
      expect(session.amr).toEqual(['fed']);
      expect(session.acr).toBe('urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport');
      expect(session.external).toMatchObject({ kind: 'saml', authenticatorId: LAB_ADFS_ID, nameId: 'agent1@lab.example' });
      expect(session.external?.sessionIndex).toBe(one(res, 'saml:Assertion').getAttribute('ID'));
      // The request is used up: the same answer cannot finish another sign-in.
      expect(cxoneOf(lab).samlRequests.peek(requestId)).toBeUndefined();
    });

    it('started by an application at /auth/authorize (cxone-sample-web): ends at its redirect URI with a code and its state', async () => {
      const ua = browser(lab);
      const authorize = new URL(`${lab.urls.cxone}/auth/authorize`);
      authorize.search = new URLSearchParams({
        client_id: 'cxone-sample-web',
        redirect_uri: 'http://localhost:8080/cxone/callback',
        response_type: 'code',
        scope: 'openid',
        state: 'st-123',
      }).toString();
      const post = await signInAtAdfs(ua, lab, AGENT1.username, AGENT1.adfsUser, authorize.toString());
      const res = await postToAcs(ua, post);
      expect(res.status, res.body.slice(0, 300)).toBe(302);
      const back = new URL(res.location!);
      expect(`${back.origin}${back.pathname}`).toBe('http://localhost:8080/cxone/callback');
      expect(back.searchParams.get('state')).toBe('st-123');
      const code = back.searchParams.get('code')!;
      expect(cxoneOf(lab).op.codes.peek(code)).toMatchObject({ clientId: 'cxone-sample-web', amr: ['fed'] });
    });

    it("IdP-initiated: AD FS's IdpInitiatedSignOn for the CXone trust → unsolicited response at the ACS → signed in", async () => {
      const ua = browser(lab);
      const post = await idpInitiatedAtAdfs(ua, lab);
      expect(post.action).toBe(acsOf(lab, LAB_ADFS_ID));
      expect(post.xml).not.toContain('InResponseTo=');
      const accepted = await postToAcs(ua, post);
      await expectHome(ua, lab, accepted);
      expect(cxoneOf(lab).sessions.list()).toHaveLength(1);
    });

    it('an AD FS session is reused: a second SP-initiated sign-in needs no form', async () => {
      const ua = browser(lab);
      await expectHome(ua, lab, await postToAcs(ua, await signInAtAdfs(ua, lab)));
      const sent = await submitUsername(ua, lab, AGENT1.username);
      const page = await ua.get(sent.location!);
      expect(isLoginPage(page)).toBe(false);
      await expectHome(ua, lab, await postToAcs(ua, readSamlPost(page)));
    });
  });
}

describeWithTool('xmlsec1', 'an independent verifier agrees with CXone', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'cxone'] });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('xmlsec1 verifies the Response CXone accepted with the certificate uploaded to the authenticator', async () => {
    const ua = browser(lab);
    const post = await signInAtAdfs(ua, lab);
    await expectHome(ua, lab, await postToAcs(ua, post));
    const uploaded = cxoneOf(lab).store.authenticators.get(LAB_ADFS_ID)!.saml!.certificate;
    // CXone's recommended IdP setting (reference B.2.1): the Response is signed, the assertion not.
    expect(elems(parseXml(post.xml), '/samlp:Response/ds:Signature')).toHaveLength(1);
    const verdict = xmlsec1Verify(post.xml, uploaded, { nodeXpath: MESSAGE_SIGNATURE_XPATH });
    expect(verdict.ok, verdict.output).toBe(true);
  });
});
