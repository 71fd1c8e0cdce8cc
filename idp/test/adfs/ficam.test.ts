import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SamlConfig } from '@node-saml/node-saml';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import { elems, NAMEID, one, parseXml, signIn, statusOf, STATUS, testSp, URI } from '../helpers/adfs-flow.js';

/**
 * FICAM mode for an RP trust (issue 2; reference §3, FICAM SAML 2.0 Web Browser SSO Profile):
 * exactly one AuthnContextClassRef carrying the assurance level the user achieved, the SAML 2.0
 * assertion namespace, a signed assertion, and only persistent or transient NameIDs — enforced
 * when the trust is created through the control API.
 */

const loa = (n: number) => `http://idmanagement.gov/icam/2009/12/saml_2.0_profile/assurancelevel${n}`;
const ENTITY = 'urn:test:ficam';
const ACS = 'https://sp.test/ficam/acs';

const FICAM_RP = {
  name: 'ficam-sp',
  identifiers: [ENTITY],
  endpoints: [{ kind: 'acs', binding: 'POST', url: ACS }],
  ficam: true,
  nameId: { format: 'persistent' },
  claims: [{ type: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', value: '{upn}' }],
};

let lab: Lab;

async function postRp(body: unknown): Promise<{ status: number; json: { error?: { code: string; details: { issues: { path: string }[] } } } & Record<string, unknown> }> {
  const res = await fetch(`${lab.urls.console}/api/relying-parties`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as never };
}

beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'] });
  const created = await postRp(FICAM_RP);
  expect(created.status).toBe(201);
  expect(created.json).toMatchObject({ name: 'ficam-sp', ficam: true, samlResponseSignature: 'AssertionOnly' });
});
afterAll(() => lab.stop());

const ficamSp = (cfg: Partial<SamlConfig> = {}) => testSp(lab, { issuer: ENTITY, callbackUrl: ACS, ...cfg });
const classRefs = (xml: string) => elems(parseXml(xml), '//saml:AuthnStatement/saml:AuthnContext/saml:AuthnContextClassRef').map((e) => e.textContent);

describe('an RP trust with ficam: true', () => {
  it.each([
    { user: 'agent1', level: 2 },
    { user: 'agent2', level: 3 },
    { user: 'supervisor1', level: 4 },
  ])("gives $user exactly one AuthnContextClassRef: the user's FICAM level $level", async ({ user, level }) => {
    const sp = ficamSp();
    const res = await signIn(new UserAgent(), sp, { user });
    expect(classRefs(res.xml)).toEqual([loa(level)]);
    await expect(sp.validatePostResponseAsync({ SAMLResponse: res.value })).resolves.toMatchObject({ loggedOut: false });
  });

  it('writes a signed assertion in urn:oasis:names:tc:SAML:2.0:assertion, with a persistent pairwise NameID', async () => {
    const sp = ficamSp();
    const res = await signIn(new UserAgent(), sp);
    const assertion = one(parseXml(res.xml), '/samlp:Response/saml:Assertion');
    expect(assertion.namespaceURI).toBe('urn:oasis:names:tc:SAML:2.0:assertion');
    expect(elems(assertion, 'ds:Signature')).toHaveLength(1);
    expect(one(assertion, 'ds:Signature/ds:SignedInfo/ds:Reference').getAttribute('URI')).toBe('#' + assertion.getAttribute('ID'));
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: res.value });
    expect(profile?.nameIDFormat).toBe(NAMEID.persistent);
    expect(profile?.nameID).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(profile?.nameID).not.toContain('agent1');
  });

  it('answers RequestedAuthnContext LOA3 exact for agent2 (LOA 3) with LOA3', async () => {
    const sp = ficamSp({ disableRequestedAuthnContext: false, authnContext: [loa(3)], racComparison: 'exact' });
    const res = await signIn(new UserAgent(), sp, { user: 'agent2' });
    expect(classRefs(res.xml)).toEqual([loa(3)]);
    await expect(sp.validatePostResponseAsync({ SAMLResponse: res.value })).resolves.toMatchObject({ loggedOut: false });
  });

  it('answers RequestedAuthnContext LOA3 exact for agent1 (LOA 2) with a signed Responder / NoAuthnContext', async () => {
    const sp = ficamSp({ disableRequestedAuthnContext: false, authnContext: [loa(3)], racComparison: 'exact', wantAuthnResponseSigned: true });
    const res = await signIn(new UserAgent(), sp, { user: 'agent1' });
    expect(res.loginShown).toBe(true);
    expect(res.page.headers['x-idp-harness-error']).toBe('ERR_SAML_NO_AUTHN_CONTEXT');
    expect(statusOf(res.xml)).toEqual({ top: STATUS.Responder, second: STATUS.NoAuthnContext });
    expect(res.xml).not.toContain('<Assertion');
    expect(elems(parseXml(res.xml), '/samlp:Response/ds:Signature')).toHaveLength(1);
    expect(elems(parseXml(res.xml), '/samlp:Response/ds:Signature/ds:SignedInfo/ds:SignatureMethod')[0]!.getAttribute('Algorithm')).toBe(URI.rsaSha256);
    await expect(sp.validatePostResponseAsync({ SAMLResponse: res.value })).rejects.toThrow('SAML provider returned Responder error: NoAuthnContext');
  });
});

describe('the control API validates FICAM trusts', () => {
  it('refuses a FICAM RP with an emailAddress NameID: 400 ERR_CONTROL_INVALID at nameId.format, nothing added', async () => {
    const { status, json } = await postRp({ ...FICAM_RP, name: 'ficam-email', identifiers: ['urn:test:ficam-email'], nameId: { format: 'emailAddress' } });
    expect(status).toBe(400);
    expect(json.error?.code).toBe('ERR_CONTROL_INVALID');
    expect(json.error?.details.issues.map((i) => i.path)).toEqual(['nameId.format']);
    expect((await fetch(`${lab.urls.console}/api/relying-parties/ficam-email`)).status).toBe(404);
  });

  it('refuses a FICAM RP whose assertion would be unsigned (MessageOnly)', async () => {
    const { status, json } = await postRp({ ...FICAM_RP, name: 'ficam-msg', identifiers: ['urn:test:ficam-msg'], samlResponseSignature: 'MessageOnly' });
    expect(status).toBe(400);
    expect(json.error?.code).toBe('ERR_CONTROL_INVALID');
    expect(json.error?.details.issues.map((i) => i.path)).toEqual(['samlResponseSignature']);
  });

  it.each([
    ['no NameID rule at all', { nameId: undefined }, 'nameId'],
    ['a persistent NameID carrying PII ({email})', { nameId: { format: 'persistent', value: '{email}' } }, 'nameId.value'],
    ['SHA-1 signatures', { signatureAlgorithm: 'rsa-sha1' }, 'signatureAlgorithm'],
  ])('refuses a FICAM RP with %s', async (_what, change, path) => {
    const { status, json } = await postRp({ ...FICAM_RP, name: 'ficam-bad', identifiers: ['urn:test:ficam-bad'], ...change });
    expect(status).toBe(400);
    expect(json.error?.code).toBe('ERR_CONTROL_INVALID');
    expect(json.error?.details.issues.map((i) => i.path)).toEqual([path]);
  });

  it('accepts a FICAM RP with a transient NameID', async () => {
    const { status } = await postRp({ ...FICAM_RP, name: 'ficam-transient', identifiers: ['urn:test:ficam-transient'], nameId: { format: 'transient' } });
    expect(status).toBe(201);
  });
});
