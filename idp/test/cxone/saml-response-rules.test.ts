import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { UserAgent } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';
import { readRedirect, rootId } from '../helpers/adfs-flow.js';
import { throwawayCert, type ThrowawayCert } from '../helpers/throwaway-cert.js';
import { b64, ENCRYPTED_ASSERTION, handResponseXml, PPT, signHand, type HandResponse } from './saml-hand-idp.js';
import { acsOf, adminApi, AGENT1, browser, cxoneOf, entityOf, expectHome, expectRefused, submitUsername } from './saml-flow.js';

/**
 * Each rule CXone applies to a SAML response (docs/cxone.md), one at a time, with a hand-made IdP
 * whose certificate is uploaded to a new SAML authenticator: only the rule under test is broken
 * in each response, and the unbroken response is accepted (the first test).
 */
const HAND_USER = 'hand.user@lab.example';
const PASSWORD_CLASS = 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password';
const SAML1_ASSERTION = 'urn:oasis:names:tc:SAML:1.0:assertion';

describe('CXone SAML response rules (hand-made IdP)', () => {
  let lab: Lab;
  let idp: ThrowawayCert;
  let stranger: ThrowawayCert;
  let authenticatorId: string;
  let ua: UserAgent;

  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'cxone'] });
    idp = throwawayCert('Partner IdP signing');
    stranger = throwawayCert('Someone else');
  });
  afterAll(async () => {
    await lab?.stop();
  });

  async function createAuthenticator(ficam: boolean): Promise<void> {
    const a = await adminApi(lab, 'POST', '/login-authenticators', {
      name: `Hand IdP${ficam ? ' FICAM' : ''}`,
      type: 'SAML',
      saml: { endpointUrl: 'https://idp.partner.test/sso', certificate: idp.certPem, ficam },
    });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    authenticatorId = a.body.id;
    const u = await adminApi(lab, 'POST', '/users', {
      username: HAND_USER,
      email: HAND_USER,
      firstName: 'Hand',
      lastName: 'User',
      active: true,
      loginAuthenticatorId: authenticatorId,
      externalIdentity: 'hand-user-1',
    });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
  }

  beforeEach(async () => {
    lab.state.reset();
    ua = browser(lab);
    await createAuthenticator(false);
  });

  const base = (over: Partial<HandResponse> = {}): HandResponse => ({
    acsUrl: acsOf(lab, authenticatorId),
    audience: entityOf(lab, authenticatorId),
    now: lab.state.clock.now(),
    ...over,
  });
  /** The response, signed at message level by the uploaded key unless `keys` says otherwise. */
  const response = (over: Partial<HandResponse> = {}, keys: Parameters<typeof signHand>[1] = { response: idp }) => signHand(handResponseXml(base(over)), keys);
  const post = (xml: string) => ua.post(acsOf(lab, authenticatorId), { SAMLResponse: b64(xml) });

  it('the unbroken response, unsolicited, signs the user in (the control for every row below)', async () => {
    await expectHome(ua, lab, await post(response()), HAND_USER);
    expect(cxoneOf(lab).sessions.list()[0]).toMatchObject({ acr: PPT, external: { kind: 'saml', nameId: 'hand-user-1', authenticatorId } });
  });

  describe('signatures: only the uploaded certificate, every signature present, at least one', () => {
    it('a signed assertion in an unsigned Response is accepted; so are both signed', async () => {
      await expectHome(ua, lab, await post(response({}, { assertion: idp })), HAND_USER);
      await expectHome(ua, lab, await post(response({}, { assertion: idp, response: idp })), HAND_USER);
    });

    it('nothing signed → ERR_SAML_SIGNATURE_REQUIRED', async () => {
      expectRefused(await post(response({}, {})), 403, 'ERR_SAML_SIGNATURE_REQUIRED');
    });

    it('signed by another key (its certificate in KeyInfo) → ERR_CXONE_SAML_SIGNATURE, on the Response or on the assertion', async () => {
      expectRefused(await post(response({}, { response: stranger })), 403, 'ERR_CXONE_SAML_SIGNATURE');
      expectRefused(await post(response({}, { assertion: stranger })), 403, 'ERR_CXONE_SAML_SIGNATURE');
      // A good Response signature does not excuse a bad one on the assertion.
      expectRefused(await post(response({}, { response: idp, assertion: stranger })), 403, 'ERR_CXONE_SAML_SIGNATURE');
    });
  });

  describe('structure (signature wrapping, comments, encryption, status)', () => {
    it('a second Assertion beside the signed one (XSW) → ERR_CXONE_SAML_STRUCTURE', async () => {
      const xsw = response({ assertionXml: (a) => a + a.replace(/ID="_a\d+"/, 'ID="_evil"') });
      expectRefused(await post(xsw), 403, 'ERR_CXONE_SAML_STRUCTURE');
    });

    it('a comment inside the NameID (CVE-2017-11427 class) → ERR_CXONE_SAML_COMMENT', async () => {
      expectRefused(await post(response({ nameId: 'hand-user-1<!---->.evil' })), 403, 'ERR_CXONE_SAML_COMMENT');
    });

    it('an EncryptedAssertion → ERR_CXONE_SAML_ENCRYPTED', async () => {
      expectRefused(await post(response({ assertionXml: () => ENCRYPTED_ASSERTION })), 403, 'ERR_CXONE_SAML_ENCRYPTED');
    });

    it('a Responder status (even unsigned) → ERR_CXONE_SAML_STATUS; a Success without an assertion → ERR_CXONE_SAML_STRUCTURE', async () => {
      expectRefused(await post(response({ status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' }, {})), 403, 'ERR_CXONE_SAML_STATUS');
      expectRefused(await post(response({ assertionXml: () => '' })), 403, 'ERR_CXONE_SAML_STRUCTURE');
    });
  });

  describe('addressing', () => {
    it('the assertion names another Issuer than the Response → ERR_CXONE_SAML_ISSUER', async () => {
      expectRefused(await post(response({ assertionIssuer: 'https://evil.example/' })), 403, 'ERR_CXONE_SAML_ISSUER');
    });

    it('Destination: another URL → ERR_CXONE_SAML_DESTINATION; absent from a signed Response → refused; absent from an unsigned one → accepted', async () => {
      expectRefused(await post(response({ destination: acsOf(lab, 'x') })), 403, 'ERR_CXONE_SAML_DESTINATION');
      expectRefused(await post(response({ destination: null })), 403, 'ERR_CXONE_SAML_DESTINATION');
      expectRefused(await post(response({ destination: acsOf(lab, 'x') }, { assertion: idp })), 403, 'ERR_CXONE_SAML_DESTINATION');
      await expectHome(ua, lab, await post(response({ destination: null }, { assertion: idp })), HAND_USER);
    });

    it('Audience and bearer Recipient must be this authenticator’s entity ID and ACS URL', async () => {
      expectRefused(await post(response({ audience: `${lab.urls.cxone}/need_to_change` })), 403, 'ERR_CXONE_SAML_AUDIENCE');
      expectRefused(await post(response({ recipient: `${lab.urls.cxone}/need_to_change` })), 403, 'ERR_CXONE_SAML_RECIPIENT');
    });

    it('no NameID → ERR_CXONE_SAML_NAMEID', async () => {
      expectRefused(await post(response({ nameId: null })), 403, 'ERR_CXONE_SAML_NAMEID');
    });
  });

  describe('time window (± clockSkewSeconds = 60 on the lab clock)', () => {
    it('NotBefore 30 s ahead is tolerated; 2 min ahead → ERR_CXONE_SAML_NOT_YET_VALID', async () => {
      const now = lab.state.clock.now();
      await expectHome(ua, lab, await post(response({ notBefore: now + 30_000 })), HAND_USER);
      expectRefused(await post(response({ notBefore: now + 120_000 })), 403, 'ERR_CXONE_SAML_NOT_YET_VALID');
    });

    it('NotOnOrAfter 2 min ago → ERR_CXONE_SAML_EXPIRED', async () => {
      expectRefused(await post(response({ notOnOrAfter: lab.state.clock.now() - 120_000 })), 403, 'ERR_CXONE_SAML_EXPIRED');
    });
  });

  describe('InResponseTo (SP-initiated)', () => {
    async function startAt(username: string): Promise<{ id: string; relayState: string }> {
      const sent = await submitUsername(ua, lab, username);
      expect(sent.status).toBe(302);
      const { xml, params } = readRedirect(sent.location!);
      return { id: rootId(xml), relayState: params['RelayState']! };
    }

    it('the answer to its own request signs in the user who typed the username', async () => {
      const { id, relayState } = await startAt(HAND_USER);
      const res = await ua.post(acsOf(lab, authenticatorId), { SAMLResponse: b64(response({ inResponseTo: id })), RelayState: relayState });
      await expectHome(ua, lab, res, HAND_USER);
    });

    it('an unknown request ID, one the assertion does not repeat, or one already answered → ERR_CXONE_SAML_IN_RESPONSE_TO', async () => {
      expectRefused(await post(response({ inResponseTo: '_never-sent' })), 403, 'ERR_CXONE_SAML_IN_RESPONSE_TO');
      const { id } = await startAt(HAND_USER);
      expectRefused(await post(response({ inResponseTo: id, confirmationInResponseTo: '_other' })), 403, 'ERR_CXONE_SAML_IN_RESPONSE_TO');
      // A refused answer leaves the request pending; the right one finishes it, once.
      await expectHome(ua, lab, await post(response({ inResponseTo: id })), HAND_USER);
      expectRefused(await post(response({ inResponseTo: id })), 403, 'ERR_CXONE_SAML_IN_RESPONSE_TO');
    });

    it("a request another authenticator sent (agent1's, to the lab AD FS) → ERR_CXONE_SAML_IN_RESPONSE_TO", async () => {
      const { id } = await startAt(AGENT1.username);
      expectRefused(await post(response({ inResponseTo: id })), 403, 'ERR_CXONE_SAML_IN_RESPONSE_TO');
    });
  });

  describe('FICAM on (seed 002 SAML step 3.5)', () => {
    beforeEach(async () => {
      lab.state.reset();
      await createAuthenticator(true);
    });

    it('exactly one AuthnContextClassRef in the SAML 2.0 namespace is accepted', async () => {
      await expectHome(ua, lab, await post(response()), HAND_USER);
    });

    it('two class refs (in one AuthnContext, or in two AuthnStatements), or none → ERR_CXONE_FICAM_AUTHN_CONTEXT', async () => {
      for (const authnStatements of [[[PPT, PASSWORD_CLASS]], [[PPT], [PASSWORD_CLASS]], [[]]]) {
        expectRefused(await post(response({ authnStatements })), 403, 'ERR_CXONE_FICAM_AUTHN_CONTEXT');
      }
    });

    it('an assertion (or its Subject) in another namespace → ERR_CXONE_FICAM_ASSERTION_NAMESPACE', async () => {
      const saml1 = (a: string) => a.replace(/^<saml:Assertion xmlns:saml="[^"]+"/, `<saml:Assertion xmlns:saml="${SAML1_ASSERTION}"`);
      expectRefused(await post(response({ assertionXml: saml1 })), 403, 'ERR_CXONE_FICAM_ASSERTION_NAMESPACE');
      const subject = (a: string) => a.replace('<saml:Subject>', `<saml:Subject xmlns:saml="${SAML1_ASSERTION}">`);
      expectRefused(await post(response({ assertionXml: subject })), 403, 'ERR_CXONE_FICAM_ASSERTION_NAMESPACE');
    });
  });

  it('FICAM off: two AuthnStatements are fine, and another namespace is a schema error', async () => {
    await expectHome(ua, lab, await post(response({ authnStatements: [[PPT], [PASSWORD_CLASS]] })), HAND_USER);
    const saml1 = (a: string) => a.replace(/^<saml:Assertion xmlns:saml="[^"]+"/, `<saml:Assertion xmlns:saml="${SAML1_ASSERTION}"`);
    expectRefused(await post(response({ assertionXml: saml1 })), 400, 'ERR_SAML_SCHEMA_INVALID');
  });
});
