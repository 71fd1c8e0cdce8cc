import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidateInResponseTo } from '@node-saml/node-saml';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { addRp, adfsOf, isLoginPage, one, parseXml, readSamlPost, signIn, statusOf, STATUS, submitLogin, testSp } from '../helpers/adfs-flow.js';

/**
 * IdP-initiated sign-on at /adfs/ls/IdpInitiatedSignOn.aspx (reference §1.9): `loginToRp`, the
 * double-encoded RPID RelayState, the relying-party picker, and the EnableIdpInitiatedSignonPage
 * switch. What arrives at the SP is an unsolicited Response, which node-saml accepts when it does
 * not insist on InResponseTo.
 */

const ENTITY = 'urn:test:idp-init';
const ACS = { first: 'https://sp.test/idp-init/acs0', default: 'https://sp.test/idp-init/acs1' };

let lab: Lab;

beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs'] });
  addRp(lab, {
    name: 'IdP-initiated test SP',
    identifiers: [ENTITY, 'https://sp.test/idp-init/second-identifier'],
    endpoints: [
      { kind: 'acs', binding: 'POST', url: ACS.first, index: 0 },
      { kind: 'acs', binding: 'POST', url: ACS.default, index: 1, isDefault: true },
    ],
    nameId: { format: 'emailAddress' },
  });
});
afterAll(() => lab.stop());

const page = () => adfsOf(lab).urls.idpInitiated;
const unsolicitedSp = (mode: ValidateInResponseTo = ValidateInResponseTo.never) =>
  testSp(lab, { issuer: ENTITY, callbackUrl: ACS.default, validateInResponseTo: mode });

async function loginThrough(ua: UserAgent, url: string) {
  const login = await ua.get(url);
  expect(isLoginPage(login)).toBe(true);
  return readSamlPost(await submitLogin(ua, login, 'agent1', 'Agent1Pass!'));
}

describe('IdpInitiatedSignOn.aspx?loginToRp=', () => {
  it('signs in and posts an unsolicited Response, with no InResponseTo anywhere, to the default ACS', async () => {
    const res = await loginThrough(new UserAgent(), `${page()}?loginToRp=${encodeURIComponent(ENTITY)}`);
    expect(res.action).toBe(ACS.default);
    expect(res.relayState).toBeUndefined();
    expect(res.xml).not.toContain('InResponseTo');
    expect(statusOf(res.xml)).toEqual({ top: STATUS.Success, second: null });
    const doc = parseXml(res.xml);
    expect(doc.documentElement.getAttribute('Destination')).toBe(ACS.default);
    expect(one(doc, '//saml:SubjectConfirmationData').getAttribute('Recipient')).toBe(ACS.default);
    expect(one(doc, '//saml:Audience').textContent).toBe(ENTITY);

    for (const mode of [ValidateInResponseTo.never, ValidateInResponseTo.ifPresent]) {
      const { profile } = await unsolicitedSp(mode).validatePostResponseAsync({ SAMLResponse: res.value });
      expect(profile?.nameID).toBe('agent1@lab.example');
    }
    // An SP that only takes answers to its own requests sees that this one is unsolicited.
    await expect(unsolicitedSp(ValidateInResponseTo.always).validatePostResponseAsync({ SAMLResponse: res.value })).rejects.toThrow(
      'InResponseTo is missing from response',
    );
  });

  it('takes any identifier of the RP and a lower-case page name, and reuses the SSO session', async () => {
    const ua = new UserAgent();
    const url = `${adfsOf(lab).urls.base}/adfs/ls/idpinitiatedsignon.aspx?loginToRp=${encodeURIComponent('https://sp.test/idp-init/second-identifier')}`;
    const first = await loginThrough(ua, url);
    expect(first.action).toBe(ACS.default);
    // The Audience is the RP's primary identifier.
    expect(one(parseXml(first.xml), '//saml:Audience').textContent).toBe(ENTITY);
    const again = await ua.get(`${page()}?loginToRp=${encodeURIComponent(ENTITY)}`);
    expect(isLoginPage(again)).toBe(false);
    await expect(unsolicitedSp().validatePostResponseAsync({ SAMLResponse: readSamlPost(again).value })).resolves.toMatchObject({ loggedOut: false });
  });

  it('with the double-encoded RPID RelayState, hands the inner RelayState to the RP', async () => {
    const target = '/app/home?tab=1&x=y z';
    const inner = `RPID=${encodeURIComponent(ENTITY)}&RelayState=${encodeURIComponent(target)}`;
    const res = await loginThrough(new UserAgent(), `${page()}?RelayState=${encodeURIComponent(inner)}`);
    expect(res.action).toBe(ACS.default);
    expect(res.relayState).toBe(target);
    expect(res.xml).not.toContain('InResponseTo');
    await expect(unsolicitedSp().validatePostResponseAsync({ SAMLResponse: res.value, RelayState: target })).resolves.toMatchObject({ loggedOut: false });
  });

  it('with an unknown RP shows the MSIS7007 error page and sends nothing', async () => {
    const res = await new UserAgent().get(`${page()}?loginToRp=${encodeURIComponent('urn:test:nobody')}`);
    expect(res.status).toBe(200);
    expect(res.headers['x-idp-harness-error']).toBe('ERR_SAML_UNKNOWN_RELYING_PARTY');
    expect(res.body).toContain('data-msis="MSIS7007"');
    expect(res.body).toContain('An error occurred');
    expect(res.body).toContain("MSIS7007: The requested relying party trust &#39;urn:test:nobody&#39; is unspecified or unsupported.");
    expect(res.body).toMatch(/Activity ID: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(res.body).not.toContain('SAMLResponse');
  });
});

describe('the IdP-initiated picker page', () => {
  it('lists the relying parties by identifier and name', async () => {
    const res = await new UserAgent().get(page());
    expect(res.status).toBe(200);
    expect(res.body).toContain('Sign in to one of the following sites:');
    expect(res.body).toContain(`<form method="post" id="idpForm" action="${page()}">`);
    const options = [...res.body.matchAll(/<option value="([^"]*)">([^<]*)<\/option>/g)].map((m) => [m[1], m[2]]);
    expect(options).toContainEqual([ENTITY, 'IdP-initiated test SP']);
    expect(options).toContainEqual(['urn:idp-harness:sample-sp', 'idp-harness sample SP']);
  });

  it('signs in to the RP chosen in its POST', async () => {
    const ua = new UserAgent();
    const login = await ua.post(page(), { RelyingParty: ENTITY });
    expect(isLoginPage(login)).toBe(true);
    const res = readSamlPost(await submitLogin(ua, login, 'agent1', 'Agent1Pass!'));
    expect(res.action).toBe(ACS.default);
    expect(res.xml).not.toContain('InResponseTo');
    const { profile } = await unsolicitedSp().validatePostResponseAsync({ SAMLResponse: res.value });
    expect(profile?.nameID).toBe('agent1@lab.example');
  });
});

describe('an SP-initiated sign-in in the same lab', () => {
  it('still carries InResponseTo (the unsolicited shape is specific to IdP-initiated)', async () => {
    const sp = testSp(lab, { issuer: ENTITY, callbackUrl: ACS.first });
    const res = await signIn(new UserAgent(), sp);
    expect(res.action).toBe(ACS.first);
    expect(parseXml(res.xml).documentElement.getAttribute('InResponseTo')).toMatch(/^_/);
  });
});

describe('with idpInitiatedSignOn.enabled: false (a stock AD FS 2016+ farm)', () => {
  let off: Lab;
  beforeAll(async () => {
    off = await startTestLab({ services: ['adfs'], config: { adfs: { idpInitiatedSignOn: { enabled: false, relayState: false } } } });
  });
  afterAll(() => off.stop());

  it.each(['?loginToRp=urn%3Aidp-harness%3Asample-sp', ''])('answers IdpInitiatedSignOn.aspx%s with the 404 error page', async (query) => {
    const res = await new UserAgent().get(`${adfsOf(off).urls.idpInitiated}${query}`);
    expect(res.status).toBe(404);
    expect(res.headers['x-idp-harness-error']).toBe('ERR_SAML_IDP_INITIATED_DISABLED');
    expect(res.body).toContain('An error occurred');
    expect(isLoginPage(res)).toBe(false);
    expect(res.body).not.toContain('RelyingParty');
  });
});
