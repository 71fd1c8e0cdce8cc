/**
 * The signed-request policy of relying-party trusts, end to end (reference §1.8 rule 3, §4.1
 * items 1, 4, 5, 13; issue 2 "Security"): SignedSamlRequestsRequired, the RP's algorithm only,
 * keys from the trust only (never KeyInfo), no fail-open without a certificate, tampering and
 * signature wrapping, and unsigned LogoutRequests. A known RP whose request is refused gets a
 * signed SAML status response at its registered ACS; the code says why.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';
import { naiveXmlCryptoCheck, signXml, URI } from '../adfs-inbound/sp-driver.js';
import {
  ERROR_HEADER,
  NS_ASSERTION,
  SAMPLE_SP,
  STATUS,
  authnRequestXml,
  b64,
  endpoints,
  expectErrorPage,
  expectLoginPage,
  expectStatusResponse,
  expectSuccessResponse,
  getLs,
  logoutRequestXml,
  newId,
  postLs,
  readRedirected,
  redirectQuery,
  redirectSignedBy,
  submitLogin,
  type SamlAnswer,
} from './lab-saml.js';

let lab: Lab;
const STRICT = { id: 'urn:test:strict', acs: 'https://strict.sp.test/acs' };
const NOCERT = { id: 'urn:test:nocert', acs: 'https://nocert.sp.test/acs' };
const TWO = { id: 'urn:test:two-acs', a: 'https://two.sp.test/acs/a', b: 'https://two.sp.test/acs/b' };
const acsEndpoint = (url: string, index: number) => ({ kind: 'acs', binding: 'POST', url, index, isDefault: index === 0 });

function addTrusts(): void {
  const rps = lab.state.relyingParties;
  rps.add({ name: 'strict SP', identifiers: [STRICT.id], endpoints: [acsEndpoint(STRICT.acs, 0)], requestSigningCertificates: ['pki:sample-sp/signing'], signedSamlRequestsRequired: true });
  rps.add({ name: 'no-cert SP', identifiers: [NOCERT.id], endpoints: [acsEndpoint(NOCERT.acs, 0)] });
  rps.add({ name: 'two-acs SP', identifiers: [TWO.id], endpoints: [acsEndpoint(TWO.a, 0), acsEndpoint(TWO.b, 1)], requestSigningCertificates: ['pki:sample-sp/signing'] });
}

beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs', 'console'] });
});
afterAll(() => lab.stop());
beforeEach(() => {
  lab.state.reset();
  addTrusts();
});

const sp = () => lab.state.pki.systems['sample-sp'].signing;
/** Another system's real key pair: what an attacker signs with. */
const attacker = () => lab.state.pki.systems.cxone.signing;
const denied = (code: string, acs: string, inResponseTo: string) => ({ code, top: STATUS.Responder, second: STATUS.RequestDenied, acs, inResponseTo });

describe('SignedSamlRequestsRequired (MSIS7085)', () => {
  it('refuses an unsigned request over both bindings with a signed Responder/RequestDenied', async () => {
    const ua = new UserAgent();
    for (const send of ['redirect', 'post'] as const) {
      const id = newId();
      const xml = authnRequestXml(lab, { id, issuer: STRICT.id, acsUrl: STRICT.acs });
      const res = send === 'redirect' ? await getLs(ua, lab, redirectQuery(xml)) : await postLs(ua, lab, { SAMLRequest: b64(xml) });
      expectStatusResponse(res, lab, denied('ERR_SAML_SIGNATURE_REQUIRED', STRICT.acs, id));
    }
  });

  it('accepts the same requests signed with the registered certificate', async () => {
    const ua = new UserAgent();
    const xml = () => authnRequestXml(lab, { issuer: STRICT.id, acsUrl: STRICT.acs });
    expectLoginPage(await getLs(ua, lab, redirectQuery(xml(), { sign: { key: sp().privateKey, alg: 'rsa-sha256' } })));
    expectLoginPage(await postLs(ua, lab, { SAMLRequest: b64(signXml(xml(), sp().keyPem)) }));
  });
});

describe('binding confusion', () => {
  it('an enveloped signature inside an HTTP-Redirect message does not count as signing it', async () => {
    // saml-bindings §3.4.4.1: a Redirect message is signed by SigAlg/Signature, never by a
    // ds:Signature inside the XML; a POST-signed request replayed over Redirect is unsigned.
    const id = newId();
    const postSigned = signXml(authnRequestXml(lab, { id, issuer: STRICT.id, acsUrl: STRICT.acs }), sp().keyPem);
    expectStatusResponse(await getLs(new UserAgent(), lab, redirectQuery(postSigned)), lab, denied('ERR_SAML_SIGNATURE_REQUIRED', STRICT.acs, id));
  });
});

describe('algorithm (MSIS7093): the RP expects rsa-sha256', () => {
  it('refuses a valid rsa-sha1 signature by the registered key, over both bindings', async () => {
    const ua = new UserAgent();
    const id1 = newId();
    const r = await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { id: id1 }), { sign: { key: sp().privateKey, alg: 'rsa-sha1' } }));
    expectStatusResponse(r, lab, denied('ERR_SAML_SIGNATURE_ALGORITHM', endpoints(lab).sampleAcs, id1));
    const id2 = newId();
    const p = await postLs(ua, lab, { SAMLRequest: b64(signXml(authnRequestXml(lab, { id: id2 }), sp().keyPem, { signatureAlgorithm: URI.rsaSha1 })) });
    expectStatusResponse(p, lab, denied('ERR_SAML_SIGNATURE_ALGORITHM', endpoints(lab).sampleAcs, id2));
  });

  it('refuses an unknown SigAlg instead of falling back', async () => {
    const id = newId();
    const q = redirectQuery(authnRequestXml(lab, { id }), { sign: { key: sp().privateKey, alg: 'rsa-sha256' } }).replace(
      encodeURIComponent(URI.rsaSha256),
      encodeURIComponent(URI.rsaSha512),
    );
    expectStatusResponse(await getLs(new UserAgent(), lab, q), lab, denied('ERR_SAML_SIGNATURE_ALGORITHM', endpoints(lab).sampleAcs, id));
  });
});

describe('keys come from the trust, never from the message (reference §4.1 #4)', () => {
  it('HTTP-Redirect signed with an attacker key', async () => {
    const id = newId();
    const res = await getLs(new UserAgent(), lab, redirectQuery(authnRequestXml(lab, { id }), { sign: { key: attacker().privateKey, alg: 'rsa-sha256' } }));
    expectStatusResponse(res, lab, denied('ERR_SAML_SIGNATURE_INVALID', endpoints(lab).sampleAcs, id));
  });

  it('HTTP-POST signed with an attacker key, the attacker certificate in KeyInfo', async () => {
    const id = newId();
    const forged = signXml(authnRequestXml(lab, { id }), attacker().keyPem, { embedCertPem: attacker().certPem });
    expect(forged).toContain('<ds:X509Certificate>');
    expect(naiveXmlCryptoCheck(forged, null), 'a verifier trusting KeyInfo would accept it').toBe(true);
    expectStatusResponse(await postLs(new UserAgent(), lab, { SAMLRequest: b64(forged) }), lab, denied('ERR_SAML_SIGNATURE_INVALID', endpoints(lab).sampleAcs, id));
  });

  it('an RP trust with no request-signing certificate refuses signed requests (MSIS0037), never waves them through', async () => {
    const ua = new UserAgent();
    const id1 = newId();
    const r = await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { id: id1, issuer: NOCERT.id, acsUrl: NOCERT.acs }), { sign: { key: sp().privateKey, alg: 'rsa-sha256' } }));
    expectStatusResponse(r, lab, denied('ERR_SAML_SIGNATURE_INVALID', NOCERT.acs, id1));
    const id2 = newId();
    const p = await postLs(ua, lab, { SAMLRequest: b64(signXml(authnRequestXml(lab, { id: id2, issuer: NOCERT.id, acsUrl: NOCERT.acs }), attacker().keyPem, { embedCertPem: attacker().certPem })) });
    expectStatusResponse(p, lab, denied('ERR_SAML_SIGNATURE_INVALID', NOCERT.acs, id2));
    // Unsigned requests are what such a trust takes.
    expectLoginPage(await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { issuer: NOCERT.id, acsUrl: NOCERT.acs }))));
  });
});

describe('tampering after signing', () => {
  it('HTTP-POST: the ACS URL changed to the other registered ACS', async () => {
    const id = newId();
    const signed = signXml(authnRequestXml(lab, { id, issuer: TWO.id, acsUrl: TWO.a }), sp().keyPem);
    expectLoginPage(await postLs(new UserAgent(), lab, { SAMLRequest: b64(signed) })); // untouched: fine
    const tampered = signed.replace(`AssertionConsumerServiceURL="${TWO.a}"`, `AssertionConsumerServiceURL="${TWO.b}"`).replace(id, newId());
    const id2 = /ID="([^"]+)"/.exec(tampered)![1]!;
    const res = await postLs(new UserAgent(), lab, { SAMLRequest: b64(tampered) });
    expectStatusResponse(res, lab, denied('ERR_SAML_SIGNATURE_INVALID', TWO.b, id2));
  });

  it('HTTP-Redirect: RelayState added, changed, or the message swapped after signing', async () => {
    const ua = new UserAgent();
    const id = newId();
    const signed = redirectQuery(authnRequestXml(lab, { id, issuer: TWO.id, acsUrl: TWO.a }), { relayState: 'home', sign: { key: sp().privateKey, alg: 'rsa-sha256' } });
    const otherId = newId();
    const other = redirectQuery(authnRequestXml(lab, { id: otherId, issuer: TWO.id, acsUrl: TWO.b }));
    const swapped = other.split('&')[0] + signed.slice(signed.indexOf('&'));
    expectStatusResponse(await getLs(ua, lab, signed.replace('RelayState=home', 'RelayState=evil')), lab, denied('ERR_SAML_SIGNATURE_INVALID', TWO.a, id));
    expectStatusResponse(await getLs(ua, lab, swapped), lab, denied('ERR_SAML_SIGNATURE_INVALID', TWO.b, otherId));
    // The signed original was never consumed by the failures above (their IDs differ or they failed first).
    const fresh = redirectQuery(authnRequestXml(lab, { issuer: TWO.id, acsUrl: TWO.a }), { sign: { key: sp().privateKey, alg: 'rsa-sha256' } });
    expectLoginPage(await getLs(ua, lab, fresh));
  });
});

describe('signature wrapping (XSW, reference §4.1 #1) over HTTP-POST', () => {
  /** A signed request for ACS A, and the pieces an attacker cuts it into. */
  function captured() {
    const id = newId();
    const signed = signXml(authnRequestXml(lab, { id, issuer: TWO.id, acsUrl: TWO.a }), sp().keyPem);
    const signature = /<ds:Signature[^]*<\/ds:Signature>/.exec(signed)![0];
    return { id, signed, signature, unsignedCopy: signed.replace(signature, '') };
  }
  const evilRoot = (id: string, inner: string) =>
    authnRequestXml(lab, { id, issuer: TWO.id, acsUrl: TWO.b }).replace(
      '</saml:Issuer>',
      `</saml:Issuer>${inner}`,
    );

  it('the signed request wrapped in Extensions of an evil request that carries its Signature', async () => {
    const c = captured();
    const evilId = newId();
    const forged = evilRoot(evilId, `${c.signature}<samlp:Extensions><x:Wrap xmlns:x="urn:evil">${c.unsignedCopy}</x:Wrap></samlp:Extensions>`);
    expect(naiveXmlCryptoCheck(forged, sp().certPem), 'the Reference still resolves for a naive verifier').toBe(true);
    const res = await postLs(new UserAgent(), lab, { SAMLRequest: b64(forged) });
    expectStatusResponse(res, lab, denied('ERR_SAML_SIGNATURE_INVALID', TWO.b, evilId));
  });

  it('the evil request takes the signed ID (duplicated ID), the signed original wrapped inside', async () => {
    const c = captured();
    const forged = evilRoot(c.id, `${c.signature}<samlp:Extensions><x:Wrap xmlns:x="urn:evil">${c.unsignedCopy}</x:Wrap></samlp:Extensions>`);
    // Two xs:ID attributes with one value: the schema check already refuses the document.
    expectErrorPage(await postLs(new UserAgent(), lab, { SAMLRequest: b64(forged) }), 'ERR_SAML_SCHEMA_INVALID', 'MSIS7012');
  });

  it('an element carrying the signed ID slipped into the signed request breaks its digest', async () => {
    const c = captured();
    const forged = c.signed.replace('</ds:Signature>', `</ds:Signature><samlp:Extensions><x:Evil xmlns:x="urn:evil" ID="${c.id}"/></samlp:Extensions>`);
    const res = await postLs(new UserAgent(), lab, { SAMLRequest: b64(forged) });
    expectStatusResponse(res, lab, denied('ERR_SAML_SIGNATURE_INVALID', TWO.a, c.id));
  });

  it('a second root-level AuthnRequest after or before the signed one (not one document)', async () => {
    const c = captured();
    const evil = authnRequestXml(lab, { issuer: TWO.id, acsUrl: TWO.b });
    for (const forged of [c.signed + evil, evil + c.signed]) {
      expectErrorPage(await postLs(new UserAgent(), lab, { SAMLRequest: b64(forged) }), 'ERR_SAML_REQUEST_MALFORMED', 'MSIS7012');
    }
  });

  it('the signed request nested directly in an evil AuthnRequest (schema-invalid)', async () => {
    const c = captured();
    const forged = evilRoot(newId(), c.signed);
    expectErrorPage(await postLs(new UserAgent(), lab, { SAMLRequest: b64(forged) }), 'ERR_SAML_SCHEMA_INVALID', 'MSIS7012');
  });

  it('the captured request itself still passes (the forgeries fail for their wrapping only)', async () => {
    expectLoginPage(await postLs(new UserAgent(), lab, { SAMLRequest: b64(captured().signed) }));
  });
});

describe('LogoutRequest from an RP trust that has request-signing certificates', () => {
  /** Signs agent1 in at the sample SP; returns the browser, NameID and SessionIndex. */
  async function signedIn() {
    const ua = new UserAgent();
    const id = newId();
    const working = await submitLogin(ua, await getLs(ua, lab, redirectQuery(authnRequestXml(lab, { id }))));
    const answer = expectSuccessResponse(working, lab, endpoints(lab).sampleAcs, id);
    const nameId = answer.doc.getElementsByTagNameNS(NS_ASSERTION, 'NameID')[0]!.textContent!;
    const sessionIndex = answer.doc.getElementsByTagNameNS(NS_ASSERTION, 'AuthnStatement')[0]!.getAttribute('SessionIndex')!;
    return { ua, nameId, sessionIndex };
  }
  const hasSession = async (ua: UserAgent) => {
    const res = await getLs(ua, lab, redirectQuery(authnRequestXml(lab)));
    return res.body.includes('<title>Working...</title>');
  };
  function expectLogoutRefused(answer: SamlAnswer, code: string | string[] | undefined, want: string, inResponseTo: string): void {
    expect(code).toBe(want);
    expect(answer.root.localName).toBe('LogoutResponse');
    expect(answer.target).toBe(endpoints(lab).sampleSlo);
    expect(answer.inResponseTo).toBe(inResponseTo);
    expect(answer.status.top).not.toBe(STATUS.Success);
    expect(answer.status).toEqual({ top: STATUS.Responder, second: STATUS.RequestDenied });
    expect(redirectSignedBy(answer, endpoints(lab).adfsCertPem), 'LogoutResponse signed by AD FS').toBe(true);
  }

  it('unsigned (Redirect and POST) or attacker-signed: a signed non-success LogoutResponse, the session lives on', async () => {
    const s = await signedIn();
    const sends = {
      redirect: (xml: string) => getLs(s.ua, lab, redirectQuery(xml)),
      post: (xml: string) => postLs(s.ua, lab, { SAMLRequest: b64(xml) }),
      attacker: (xml: string) => getLs(s.ua, lab, redirectQuery(xml, { sign: { key: attacker().privateKey, alg: 'rsa-sha256' } })),
    };
    const want = { redirect: 'ERR_SAML_SIGNATURE_REQUIRED', post: 'ERR_SAML_SIGNATURE_REQUIRED', attacker: 'ERR_SAML_SIGNATURE_INVALID' };
    for (const how of ['redirect', 'post', 'attacker'] as const) {
      const id = newId();
      const res = await sends[how](logoutRequestXml(lab, { id, nameId: s.nameId, sessionIndex: s.sessionIndex }));
      expectLogoutRefused(readRedirected(res), res.headers[ERROR_HEADER], want[how], id);
      expect(await hasSession(s.ua), `the AD FS session survived (${how})`).toBe(true);
    }
  });

  it('control: the same LogoutRequest signed with the registered key ends the session with Success', async () => {
    const s = await signedIn();
    const id = newId();
    const xml = logoutRequestXml(lab, { id, nameId: s.nameId, sessionIndex: s.sessionIndex });
    const res = await getLs(s.ua, lab, redirectQuery(xml, { sign: { key: sp().privateKey, alg: 'rsa-sha256' } }));
    expect(res.headers[ERROR_HEADER]).toBeUndefined();
    const answer = readRedirected(res);
    expect(answer.status.top).toBe(STATUS.Success);
    expect(answer.inResponseTo).toBe(id);
    expect(await hasSession(s.ua)).toBe(false);
  });

  it('an unknown issuer of a LogoutRequest gets the HTML error page', async () => {
    const xml = logoutRequestXml(lab, { issuer: `${SAMPLE_SP}.evil`, nameId: 'agent1@lab.example' });
    expectErrorPage(await getLs(new UserAgent(), lab, redirectQuery(xml)), 'ERR_SAML_UNKNOWN_RELYING_PARTY', 'MSIS7007');
  });
});
