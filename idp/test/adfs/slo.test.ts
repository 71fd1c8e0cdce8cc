import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidateInResponseTo, type Profile, type SAML } from '@node-saml/node-saml';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { RelyingPartyInput } from '../../src/adfs/relying-party-schema.js';
import type { Lab } from '../../src/lab.js';
import { signXml } from '../adfs-inbound/sp-driver.js';
import {
  addRp,
  adfsOf,
  elems,
  isLoginPage,
  NAMEID,
  one,
  parseXml,
  readRedirect,
  readSamlPost,
  redirectSignatureValid,
  rootId,
  sendAuthnRequest,
  signIn,
  spSigning,
  statusOf,
  STATUS,
  testSp,
  URI,
} from '../helpers/adfs-flow.js';

/**
 * Single logout across the SPs of an AD FS session (reference §1.11): the SP that starts it sends
 * a signed LogoutRequest; AD FS tells every other SP of the session with a signed LogoutRequest
 * carrying the NameID exactly as issued to it and its SessionIndex; when they have answered, AD FS
 * answers the first SP with a signed LogoutResponse, and the session cookie is gone. Each SP here
 * is node-saml, which checks every signature with the AD FS certificate.
 */

type SpName = 'a' | 'b' | 'c' | 'd';
const CISCO_QUALIFIER = 'http://localhost/adfs/com/adfs/services/trust';
const sloUrl = (n: SpName) => `https://sp-${n}.test/slo`;
const acsUrl = (n: SpName) => `https://sp-${n}.test/acs`;

let lab: Lab;
let sps: Record<SpName, SAML>;

beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs'] });
  const rp = (n: SpName, sloBinding: 'Redirect' | 'POST' | undefined, nameId: RelyingPartyInput['nameId']) =>
    addRp(lab, {
      name: `slo-${n}`,
      identifiers: [`urn:test:slo-${n}`],
      endpoints: [
        { kind: 'acs', binding: 'POST', url: acsUrl(n) },
        ...(sloBinding ? [{ kind: 'slo' as const, binding: sloBinding, url: sloUrl(n) }] : []),
      ],
      requestSigningCertificates: ['pki:sample-sp/signing'],
      nameId,
    });
  rp('a', 'Redirect', { format: 'emailAddress' });
  rp('b', 'Redirect', { format: 'transient', value: '{windowsAccountName}', nameQualifier: CISCO_QUALIFIER, spNameQualifier: 'urn:test:slo-b' });
  rp('c', 'POST', { format: 'persistent' });
  rp('d', undefined, { format: 'emailAddress' }); // no SAML logout endpoint
  const make = (n: SpName) => testSp(lab, { issuer: `urn:test:slo-${n}`, callbackUrl: acsUrl(n), logoutCallbackUrl: sloUrl(n), ...spSigning(lab) });
  sps = { a: make('a'), b: make('b'), c: make('c'), d: make('d') };
});
afterAll(() => lab.stop());

const adfsCert = () => lab.state.pki.systems.adfs.signing.certPem;
const otherCert = () => lab.state.pki.systems['sample-sp'].signing.certPem;
const msisAuth = (ua: UserAgent) => ua.cookies(lab.urls.adfs!)['MSISAuth'];

/** Signs agent1 in to each SP in turn (one form, then SSO) and returns what each SP got. */
async function signedInto(ua: UserAgent, names: SpName[]): Promise<Record<string, Profile>> {
  const profiles: Record<string, Profile> = {};
  for (const n of names) {
    const res = await signIn(ua, sps[n]);
    const { profile } = await sps[n].validatePostResponseAsync({ SAMLResponse: res.value });
    profiles[n] = profile!;
  }
  expect(msisAuth(ua)).toBeTruthy();
  return profiles;
}

/** The SP's side of an AD FS LogoutRequest over HTTP-Redirect: verify it, answer Success. */
async function answerRedirectLogout(ua: UserAgent, n: SpName, location: string, expected: Profile) {
  expect(location.startsWith(sloUrl(n) + '?SAMLRequest=')).toBe(true);
  expect(redirectSignatureValid(location, adfsCert())).toBe(true);
  expect(redirectSignatureValid(location, otherCert())).toBe(false);
  const msg = readRedirect(location);
  expect(msg.params['SigAlg']).toBe(URI.rsaSha256);
  expectLogoutRequestFor(msg.xml, n, expected);
  const { profile, loggedOut } = await sps[n].validateRedirectAsync(msg.params, msg.raw);
  expect(loggedOut).toBe(true);
  expect(profile?.nameID).toBe(expected.nameID);
  expect(profile?.sessionIndex).toBe(expected.sessionIndex);
  return ua.get(await sps[n].getLogoutResponseUrlAsync(profile!, msg.params['RelayState'] ?? '', {}, true));
}

/** AD FS's LogoutRequest to SP `n` names the principal exactly as AD FS issued it to `n`. */
function expectLogoutRequestFor(xml: string, n: SpName, p: Profile): void {
  const doc = parseXml(xml);
  const root = doc.documentElement;
  expect(root.localName).toBe('LogoutRequest');
  expect(root.getAttribute('Destination')).toBe(sloUrl(n));
  expect(root.getAttribute('ID')).toMatch(/^_[0-9a-f-]{36}$/);
  expect(one(doc, '/samlp:LogoutRequest/saml:Issuer').textContent).toBe(adfsOf(lab).identifier);
  const nameId = one(doc, '/samlp:LogoutRequest/saml:NameID');
  expect(nameId.textContent).toBe(p.nameID);
  expect(nameId.getAttribute('Format')).toBe(p.nameIDFormat);
  expect(nameId.getAttribute('NameQualifier') || undefined).toBe(p.nameQualifier);
  expect(nameId.getAttribute('SPNameQualifier') || undefined).toBe(p.spNameQualifier);
  expect(elems(doc, '/samlp:LogoutRequest/samlp:SessionIndex').map((e) => e.textContent)).toEqual([p.sessionIndex]);
}

/** AD FS's final LogoutResponse to SP A over HTTP-Redirect. */
async function expectLogoutResponseToA(location: string, requestId: string, relayState: string, second: string | null) {
  expect(location.startsWith(sloUrl('a') + '?SAMLResponse=')).toBe(true);
  expect(redirectSignatureValid(location, adfsCert())).toBe(true);
  const msg = readRedirect(location);
  expect(msg.params['RelayState']).toBe(relayState);
  expect(statusOf(msg.xml)).toEqual({ top: STATUS.Success, second });
  const root = parseXml(msg.xml).documentElement;
  expect(root.localName).toBe('LogoutResponse');
  expect(root.getAttribute('InResponseTo')).toBe(requestId);
  expect(root.getAttribute('Destination')).toBe(sloUrl('a'));
  // node-saml checks the signature, the status and that InResponseTo is its own LogoutRequest.
  await expect(sps.a.validateRedirectAsync(msg.params, msg.raw)).resolves.toEqual({ profile: null, loggedOut: true });
}

async function expectSignedOut(ua: UserAgent): Promise<void> {
  expect(msisAuth(ua)).toBeUndefined();
  expect(isLoginPage(await sendAuthnRequest(ua, sps.a, 'redirect'))).toBe(true);
}

describe('SP-initiated single logout', () => {
  it('over HTTP-Redirect: A → AD FS → B (its transient NameID and SessionIndex) → AD FS → A, Success, session gone', async () => {
    const ua = new UserAgent();
    const p = await signedInto(ua, ['a', 'b']);
    expect(p['b']!.nameIDFormat).toBe(NAMEID.transient);
    expect(p['b']!.nameQualifier).toBe(CISCO_QUALIFIER);
    expect(p['b']!.spNameQualifier).toBe('urn:test:slo-b');

    const logoutUrl = await sps.a.getLogoutUrlAsync(p['a']!, 'rs-a', {});
    const requestId = rootId(readRedirect(logoutUrl).xml);
    const toB = await ua.get(logoutUrl);
    expect(toB.status).toBe(302);
    expect(msisAuth(ua)).toBeUndefined();

    const toA = await answerRedirectLogout(ua, 'b', toB.location!, p['b']!);
    expect(toA.status).toBe(302);
    await expectLogoutResponseToA(toA.location!, requestId, 'rs-a', null);
    await expectSignedOut(ua);
  });

  it('to an SP whose logout endpoint is HTTP-POST: a signed LogoutRequest in the Working page', async () => {
    const ua = new UserAgent();
    const p = await signedInto(ua, ['a', 'c']);
    const logoutUrl = await sps.a.getLogoutUrlAsync(p['a']!, 'rs-post', {});
    const requestId = rootId(readRedirect(logoutUrl).xml);
    const post = readSamlPost(await ua.get(logoutUrl));
    expect(post.field).toBe('SAMLRequest');
    expect(post.action).toBe(sloUrl('c'));
    expectLogoutRequestFor(post.xml, 'c', p['c']!);
    const root = parseXml(post.xml).documentElement;
    expect(elems(root, 'ds:Signature')).toHaveLength(1);
    expect(one(root, 'ds:Signature/ds:SignedInfo/ds:Reference').getAttribute('URI')).toBe('#' + root.getAttribute('ID'));

    const { profile, loggedOut } = await sps.c.validatePostRequestAsync({ SAMLRequest: post.value });
    expect(loggedOut).toBe(true);
    expect(profile.nameID).toBe(p['c']!.nameID);
    expect(profile.nameIDFormat).toBe(NAMEID.persistent);
    expect(profile.sessionIndex).toBe(p['c']!.sessionIndex);
    const wrongKey = testSp(lab, { issuer: 'urn:test:slo-c', callbackUrl: acsUrl('c'), idpCert: otherCert() });
    await expect(wrongKey.validatePostRequestAsync({ SAMLRequest: post.value })).rejects.toThrow('Invalid signature on documentElement');

    const toA = await ua.get(await sps.c.getLogoutResponseUrlAsync(profile, post.relayState ?? '', {}, true));
    await expectLogoutResponseToA(toA.location!, requestId, 'rs-post', null);
    await expectSignedOut(ua);
  });

  it('from an SP that sends its LogoutRequest over HTTP-POST, answered with a signed LogoutResponse over POST', async () => {
    const ua = new UserAgent();
    const p = await signedInto(ua, ['c']);
    const unsigned = await sps.c._generateLogoutRequest(p['c']!);
    const signed = signXml(unsigned, lab.state.pki.systems['sample-sp'].signing.keyPem);
    const post = readSamlPost(await ua.post(adfsOf(lab).urls.ls, { SAMLRequest: Buffer.from(signed).toString('base64'), RelayState: 'rs-c' }));
    expect(post.field).toBe('SAMLResponse');
    expect(post.action).toBe(sloUrl('c'));
    expect(post.relayState).toBe('rs-c');
    expect(statusOf(post.xml)).toEqual({ top: STATUS.Success, second: null });
    expect(parseXml(post.xml).documentElement.getAttribute('InResponseTo')).toBe(rootId(signed));
    const c = testSp(lab, { issuer: 'urn:test:slo-c', callbackUrl: acsUrl('c'), validateInResponseTo: ValidateInResponseTo.never, wantAuthnResponseSigned: true });
    await expect(c.validatePostResponseAsync({ SAMLResponse: post.value })).resolves.toEqual({ profile: null, loggedOut: true });
    await expectSignedOut(ua);
  });

  it('ends the session the LogoutRequest names even when the POST arrives without the cookie (SameSite=Lax)', async () => {
    const ua = new UserAgent();
    const p = await signedInto(ua, ['c']);
    const signed = signXml(await sps.c._generateLogoutRequest(p['c']!), lab.state.pki.systems['sample-sp'].signing.keyPem);
    const crossSite = new UserAgent(); // a browser does not send a Lax cookie on a cross-site POST
    const post = readSamlPost(await crossSite.post(adfsOf(lab).urls.ls, { SAMLRequest: Buffer.from(signed).toString('base64') }));
    expect(statusOf(post.xml)).toEqual({ top: STATUS.Success, second: null });
    expect(isLoginPage(await sendAuthnRequest(ua, sps.c, 'redirect'))).toBe(true);
  });

  it('with an SP of the session that has no logout endpoint: Success / PartialLogout to the first SP', async () => {
    const ua = new UserAgent();
    const p = await signedInto(ua, ['a', 'd']);
    const logoutUrl = await sps.a.getLogoutUrlAsync(p['a']!, 'rs-partial', {});
    const toA = await ua.get(logoutUrl);
    expect(toA.status).toBe(302);
    await expectLogoutResponseToA(toA.location!, rootId(readRedirect(logoutUrl).xml), 'rs-partial', STATUS.PartialLogout);
    await expectSignedOut(ua);
  });
});

describe('/adfs/ls/?wa=wsignout1.0', () => {
  it('logs every SP of the session out in turn, then shows the signed-out page', async () => {
    const ua = new UserAgent();
    const p = await signedInto(ua, ['a', 'b']);
    const toA = await ua.get(`${adfsOf(lab).urls.ls}?wa=wsignout1.0`);
    expect(toA.status).toBe(302);
    expect(msisAuth(ua)).toBeUndefined();
    const toB = await answerRedirectLogout(ua, 'a', toA.location!, p['a']!);
    expect(toB.status).toBe(302);
    const done = await answerRedirectLogout(ua, 'b', toB.location!, p['b']!);
    expect(done.status).toBe(200);
    expect(done.body).toContain('<p id="signOutMessage">You have successfully signed out.</p>');
    await expectSignedOut(ua);
  });

  it('without a session, shows the signed-out page at once', async () => {
    const res = await new UserAgent().get(`${adfsOf(lab).urls.ls}?wa=wsignout1.0`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('You have successfully signed out.');
  });
});
