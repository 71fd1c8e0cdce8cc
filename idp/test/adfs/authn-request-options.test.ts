import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ValidateInResponseTo, type SAML, type SamlConfig } from '@node-saml/node-saml';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import {
  AC,
  addRp,
  adfsOf,
  authnRequestXml,
  elems,
  iso,
  isLoginPage,
  NAMEID,
  one,
  parseXml,
  readSamlPost,
  redirectUrl,
  rootId,
  sendAuthnRequest,
  signIn,
  statusOf,
  STATUS,
  submitLogin,
  testSp,
  type Binding,
} from '../helpers/adfs-flow.js';

/**
 * What an AuthnRequest can ask for (saml-core §3.4.1) and how AD FS answers (reference §1.6–§1.8):
 * RequestedAuthnContext, NameIDPolicy, ForceAuthn, IsPassive, RelayState and the choice of ACS.
 * An unsatisfiable request from a known SP gets a signed SAML status response, not an error page.
 */

const acs = (name: string) => `https://sp.test/${name}/acs`;
const ACS = { zero: 'https://sp.test/opts-acs/zero', one: 'https://sp.test/opts-acs/one', two: 'https://sp.test/opts-acs/two' };

let lab: Lab;

beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs'] });
  addRp(lab, {
    name: 'opts-email',
    identifiers: ['urn:test:opts-email'],
    endpoints: [{ kind: 'acs', binding: 'POST', url: acs('opts-email') }],
    nameId: { format: 'emailAddress', value: '{email}' },
  });
  addRp(lab, {
    name: 'opts-transient',
    identifiers: ['urn:test:opts-transient'],
    endpoints: [{ kind: 'acs', binding: 'POST', url: acs('opts-transient') }],
    nameId: { format: 'transient' },
  });
  addRp(lab, {
    name: 'opts-acs',
    identifiers: ['urn:test:opts-acs'],
    endpoints: [
      { kind: 'acs', binding: 'POST', url: ACS.zero, index: 0 },
      { kind: 'acs', binding: 'POST', url: ACS.one, index: 1, isDefault: true },
      { kind: 'acs', binding: 'POST', url: ACS.two, index: 2 },
    ],
    nameId: { format: 'emailAddress' },
  });
});
afterAll(() => lab.stop());
afterEach(() => lab.state.clock.reset());

const emailSp = (cfg: Partial<SamlConfig> = {}) =>
  testSp(lab, { issuer: 'urn:test:opts-email', callbackUrl: acs('opts-email'), ...cfg });

const classRefs = (xml: string) => elems(parseXml(xml), '//saml:AuthnStatement/saml:AuthnContext/saml:AuthnContextClassRef').map((e) => e.textContent);
const authnInstant = (xml: string) => one(parseXml(xml), '//saml:AuthnStatement').getAttribute('AuthnInstant');

/** A status-only response: signed (node-saml demanding a message signature sees the status, not a signature error). */
async function expectSignedStatus(sp: SAML, value: string, top: string, second: string): Promise<void> {
  const xml = Buffer.from(value, 'base64').toString('utf8');
  expect(statusOf(xml)).toEqual({ top, second });
  expect(elems(parseXml(xml), '/samlp:Response/saml:Assertion')).toHaveLength(0);
  sp.options.wantAuthnResponseSigned = true;
  const short = (u: string) => u.slice(u.lastIndexOf(':') + 1);
  await expect(sp.validatePostResponseAsync({ SAMLResponse: value })).rejects.toThrow(`SAML provider returned ${short(top)} error: ${short(second)}`);
  const wrongCert = testSp(lab, {
    issuer: sp.options.issuer,
    callbackUrl: sp.options.callbackUrl,
    idpCert: lab.state.pki.systems['sample-sp'].signing.certPem,
    wantAuthnResponseSigned: true,
    validateInResponseTo: ValidateInResponseTo.never,
  });
  await expect(wrongCert.validatePostResponseAsync({ SAMLResponse: value })).rejects.toThrow('Invalid document signature');
}

describe('RequestedAuthnContext', () => {
  it('exact PasswordProtectedTransport is satisfied by the forms sign-in', async () => {
    const sp = emailSp({ disableRequestedAuthnContext: false, authnContext: [AC.PasswordProtectedTransport], racComparison: 'exact' });
    const res = await signIn(new UserAgent(), sp);
    expect(classRefs(res.xml)).toEqual([AC.PasswordProtectedTransport]);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: res.value });
    expect(profile?.nameID).toBe('agent1@lab.example');
  });

  it('minimum Password is satisfied by the forms sign-in, which asserts PasswordProtectedTransport', async () => {
    const sp = emailSp({ disableRequestedAuthnContext: false, authnContext: [AC.Password], racComparison: 'minimum' });
    const res = await signIn(new UserAgent(), sp);
    expect(classRefs(res.xml)).toEqual([AC.PasswordProtectedTransport]);
    await expect(sp.validatePostResponseAsync({ SAMLResponse: res.value })).resolves.toMatchObject({ loggedOut: false });
  });

  it('exact X509 cannot be met: a signed Response with Responder / NoAuthnContext, without showing the form', async () => {
    const sp = emailSp({ disableRequestedAuthnContext: false, authnContext: [AC.X509], racComparison: 'exact' });
    const page = await sendAuthnRequest(new UserAgent(), sp, 'redirect');
    expect(isLoginPage(page)).toBe(false);
    expect(page.headers['x-idp-harness-error']).toBe('ERR_SAML_NO_AUTHN_CONTEXT');
    const post = readSamlPost(page);
    expect(post.action).toBe(acs('opts-email'));
    await expectSignedStatus(sp, post.value, STATUS.Responder, STATUS.NoAuthnContext);
  });
});

describe('NameIDPolicy', () => {
  it('emailAddress is honoured by an RP that issues an emailAddress NameID', async () => {
    const sp = emailSp({ identifierFormat: NAMEID.emailAddress });
    const res = await signIn(new UserAgent(), sp);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: res.value });
    expect(profile?.nameIDFormat).toBe(NAMEID.emailAddress);
    expect(profile?.nameID).toBe('agent1@lab.example');
  });

  it('emailAddress against an RP that issues transient: Requester / InvalidNameIDPolicy after sign-in', async () => {
    const sp = testSp(lab, { issuer: 'urn:test:opts-transient', callbackUrl: acs('opts-transient'), identifierFormat: NAMEID.emailAddress });
    const res = await signIn(new UserAgent(), sp);
    expect(res.loginShown).toBe(true);
    expect(res.page.headers['x-idp-harness-error']).toBe('ERR_SAML_NAMEID_POLICY');
    expect(res.action).toBe(acs('opts-transient'));
    await expectSignedStatus(sp, res.value, STATUS.Requester, STATUS.InvalidNameIDPolicy);
  });
});

describe('ForceAuthn', () => {
  it('shows the form again to a signed-in user and asserts the new AuthnInstant; without it the original one stays', async () => {
    const ua = new UserAgent();
    const t1 = Date.now() - 60_000;
    lab.state.clock.freeze(t1);
    const first = await signIn(ua, emailSp());
    expect(first.loginShown).toBe(true);
    expect(authnInstant(first.xml)).toBe(iso(t1));

    lab.state.clock.freeze(t1 + 20_000);
    const sso = await signIn(ua, emailSp());
    expect(sso.loginShown).toBe(false);
    expect(authnInstant(sso.xml)).toBe(iso(t1));

    const t3 = t1 + 40_000;
    lab.state.clock.freeze(t3);
    const sp = emailSp({ forceAuthn: true });
    const forced = await signIn(ua, sp);
    expect(forced.loginShown).toBe(true);
    expect(authnInstant(forced.xml)).toBe(iso(t3));
    await expect(sp.validatePostResponseAsync({ SAMLResponse: forced.value })).resolves.toMatchObject({ loggedOut: false });
  });
});

describe('IsPassive', () => {
  it('with no session: a signed Responder / NoPassive response, no form', async () => {
    const sp = emailSp({ passive: true });
    const page = await sendAuthnRequest(new UserAgent(), sp, 'redirect');
    expect(isLoginPage(page)).toBe(false);
    expect(page.headers['x-idp-harness-error']).toBe('ERR_SAML_NO_PASSIVE');
    const post = readSamlPost(page);
    expect(statusOf(post.xml)).toEqual({ top: STATUS.Responder, second: STATUS.NoPassive });
    // node-saml accepts a NoPassive answer only when its signature is valid, and returns no profile.
    await expect(sp.validatePostResponseAsync({ SAMLResponse: post.value })).resolves.toEqual({ profile: null, loggedOut: false });
  });

  it('with a session: the response comes without any form', async () => {
    const ua = new UserAgent();
    await signIn(ua, emailSp());
    const sp = emailSp({ passive: true });
    const page = await sendAuthnRequest(ua, sp, 'redirect');
    expect(isLoginPage(page)).toBe(false);
    const post = readSamlPost(page);
    expect(statusOf(post.xml)).toEqual({ top: STATUS.Success, second: null });
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: post.value });
    expect(profile?.nameID).toBe('agent1@lab.example');
  });
});

describe('RelayState', () => {
  const RELAY_STATE = `a b"c<d>&e'f/g?h=i%j+k#l`;
  const ESCAPED = 'a b&#34;c&#60;d&#62;&#38;e&#39;f/g?h=i%j+k#l';

  it.each<Binding>(['redirect', 'post'])('over HTTP-%s is echoed byte for byte, HTML-escaped in the Working page', async (binding) => {
    const sp = emailSp();
    const res = await signIn(new UserAgent(), sp, { binding, relayState: RELAY_STATE });
    expect(res.page.body).toContain(`<input type="hidden" name="RelayState" value="${ESCAPED}" />`);
    expect(res.relayState).toBe(RELAY_STATE);
    await expect(sp.validatePostResponseAsync({ SAMLResponse: res.value, RelayState: res.relayState! })).resolves.toMatchObject({ loggedOut: false });
  });

  it('is absent from the Working page when the request had none', async () => {
    const res = await signIn(new UserAgent(), emailSp());
    expect(res.page.body).not.toContain('RelayState');
  });
});

describe('AssertionConsumerService', () => {
  async function viaHandMadeRequest(spec: { acsIndex?: number }) {
    const ls = adfsOf(lab).urls.ls;
    const xml = authnRequestXml({ issuer: 'urn:test:opts-acs', destination: ls, issueInstant: lab.state.clock.now(), ...spec });
    const ua = new UserAgent();
    const page = await ua.get(redirectUrl(ls, 'SAMLRequest', xml));
    return { post: readSamlPost(await submitLogin(ua, page, 'agent1', 'Agent1Pass!')), requestId: rootId(xml) };
  }

  it.each([
    { index: 0, url: ACS.zero },
    { index: 2, url: ACS.two },
  ])('AssertionConsumerServiceIndex=$index selects that endpoint', async ({ index, url }) => {
    const { post, requestId } = await viaHandMadeRequest({ acsIndex: index });
    expect(post.action).toBe(url);
    const doc = parseXml(post.xml);
    expect(doc.documentElement.getAttribute('Destination')).toBe(url);
    expect(doc.documentElement.getAttribute('InResponseTo')).toBe(requestId);
    expect(one(doc, '//saml:SubjectConfirmationData').getAttribute('Recipient')).toBe(url);
    const sp = testSp(lab, { issuer: 'urn:test:opts-acs', callbackUrl: url, validateInResponseTo: ValidateInResponseTo.never });
    await expect(sp.validatePostResponseAsync({ SAMLResponse: post.value })).resolves.toMatchObject({ loggedOut: false });
  });

  it('with neither URL nor index, the isDefault endpoint is used (not the lowest index)', async () => {
    const sp = testSp(lab, { issuer: 'urn:test:opts-acs', callbackUrl: ACS.one, disableRequestAcsUrl: true });
    const res = await signIn(new UserAgent(), sp);
    expect(res.action).toBe(ACS.one);
    expect(one(parseXml(res.xml), '//saml:SubjectConfirmationData').getAttribute('Recipient')).toBe(ACS.one);
    await expect(sp.validatePostResponseAsync({ SAMLResponse: res.value })).resolves.toMatchObject({ loggedOut: false });
  });

  it('a registered AssertionConsumerServiceURL is used as sent', async () => {
    const sp = testSp(lab, { issuer: 'urn:test:opts-acs', callbackUrl: ACS.two });
    const res = await signIn(new UserAgent(), sp);
    expect(res.action).toBe(ACS.two);
  });
});
