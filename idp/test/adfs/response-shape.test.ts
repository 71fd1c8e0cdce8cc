import { constants, createDecipheriv, privateDecrypt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserAgent } from '../../../harness/src/clients/user-agent.js';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import {
  AC,
  addRp,
  adfsOf,
  authnRequestXml,
  childNames,
  CLAIM,
  iso,
  isLoginPage,
  MINUTE,
  NAMEID,
  one,
  parseXml,
  PASSWORD,
  readSamlPost,
  redirectUrl,
  submitLogin,
  type AuthnRequestSpec,
} from '../helpers/adfs-flow.js';

/**
 * The AD FS fingerprint, byte for byte (reference §0, §1.3, §1.5): what an SP that was tested
 * against a real farm may have come to rely on. The lab clock is frozen, so every instant in the
 * response is known exactly.
 */

const IDENTIFIER = 'http://localhost/adfs/services/trust';
const GUID_ID = /^_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const B64 = '[A-Za-z0-9+/]+={0,2}';
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const acsOf = (rp: string) => `https://sp.test/${rp}/acs`;
const CLAIMS = [
  { type: CLAIM.upn, value: '{upn}' },
  { type: CLAIM.email, value: '{email}' },
  { type: CLAIM.group, value: '{groups}' },
];

let lab: Lab;
/** The frozen lab time of the current test: whole second − 1 s + 7 ms, so the ms digits show. */
let T: number;

beforeAll(async () => {
  lab = await startTestLab({ services: ['adfs'] });
  const rp = (name: string, extra: Record<string, unknown> = {}) =>
    addRp(lab, {
      name,
      identifiers: [`urn:test:${name}`],
      endpoints: [{ kind: 'acs', binding: 'POST', url: acsOf(name), index: 0, isDefault: true }],
      claims: CLAIMS,
      ...extra,
    });
  rp('shape');
  rp('shape-skew', { notBeforeSkewMinutes: 2, tokenLifetimeMinutes: 15 });
  rp('shape-email', { nameId: { format: 'emailAddress', value: '{email}' } });
  rp('shape-cisco', {
    nameId: {
      format: 'transient',
      value: '{windowsAccountName}',
      nameQualifier: 'http://localhost/adfs/com/adfs/services/trust',
      spNameQualifier: 'urn:test:shape-cisco',
    },
    claims: [
      { type: 'uid', value: '{username}' },
      { type: 'user_principal', value: '{upn}' },
    ],
  });
  rp('shape-nosi', { sessionIndex: false });
  rp('shape-enc', { encryptClaims: true, encryptionCertificate: 'pki:sample-sp/encryption' });
});
afterAll(() => lab.stop());

beforeEach(() => {
  T = Math.floor(Date.now() / 1000) * 1000 - 1000 + 7;
  lab.state.clock.freeze(T);
});

/** Sends a hand-made AuthnRequest for `urn:test:<rp>` and signs agent1 in with the form. */
async function responseFor(
  l: Lab,
  rp: string,
  extra: Partial<AuthnRequestSpec> = {},
  ua = new UserAgent(),
): Promise<{ xml: string; requestId: string; assertionId: string; loginShown: boolean }> {
  const requestId = `_req-${randomUUID()}`;
  const ls = adfsOf(l).urls.ls;
  let page = await ua.get(
    redirectUrl(
      ls,
      'SAMLRequest',
      authnRequestXml({ issuer: `urn:test:${rp}`, destination: ls, id: requestId, issueInstant: l.state.clock.now(), acsUrl: acsOf(rp), ...extra }),
    ),
  );
  const loginShown = isLoginPage(page);
  if (loginShown) page = await submitLogin(ua, page, 'agent1', PASSWORD['agent1']!);
  const { xml } = readSamlPost(page);
  const assertionId = /<Assertion ID="([^"]+)"/.exec(xml)?.[1] ?? '';
  return { xml, requestId, assertionId, loginShown };
}

describe('the Response element', () => {
  it('has no XML declaration and its attributes in AD FS order, with xmlns:samlp last', async () => {
    const { xml, requestId } = await responseFor(lab, 'shape');
    const open = new RegExp(
      `^<samlp:Response ID="(_[^"]+)" Version="2\\.0" IssueInstant="${esc(iso(T))}" Destination="${esc(acsOf('shape'))}" ` +
        `Consent="urn:oasis:names:tc:SAML:2\\.0:consent:unspecified" InResponseTo="${esc(requestId)}" ` +
        `xmlns:samlp="urn:oasis:names:tc:SAML:2\\.0:protocol">` +
        `<Issuer xmlns="urn:oasis:names:tc:SAML:2\\.0:assertion">${esc(IDENTIFIER)}</Issuer>` +
        `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2\\.0:status:Success" /></samlp:Status>` +
        `<Assertion ID="(_[^"]+)" IssueInstant="${esc(iso(T))}" Version="2\\.0" xmlns="urn:oasis:names:tc:SAML:2\\.0:assertion">` +
        `<Issuer>${esc(IDENTIFIER)}</Issuer><ds:Signature xmlns:ds="http://www\\.w3\\.org/2000/09/xmldsig#">`,
    );
    expect(xml).toMatch(open);
    expect(xml.endsWith('</Assertion></samlp:Response>')).toBe(true);
  });

  it('uses "_" + a lowercase GUID for the Response and the Assertion IDs, and they differ', async () => {
    const { xml, assertionId } = await responseFor(lab, 'shape');
    const responseId = parseXml(xml).documentElement.getAttribute('ID')!;
    expect(responseId).toMatch(GUID_ID);
    expect(assertionId).toMatch(GUID_ID);
    expect(responseId).not.toBe(assertionId);
  });

  it('writes every instant with exactly three fractional digits, Response and Assertion IssueInstant equal', async () => {
    const { xml } = await responseFor(lab, 'shape');
    const instants = [...xml.matchAll(/ (IssueInstant|NotBefore|NotOnOrAfter|AuthnInstant)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]);
    expect(instants.map(([name]) => name)).toEqual(['IssueInstant', 'IssueInstant', 'NotOnOrAfter', 'NotBefore', 'NotOnOrAfter', 'AuthnInstant']);
    for (const [, value] of instants) expect(value).toMatch(INSTANT);
    expect(instants[0]![1]).toBe(iso(T));
    expect(instants[0]![1]).toMatch(/\.007Z$/);
    expect(instants[1]![1]).toBe(instants[0]![1]);
  });

  it('writes empty elements as " />" and nothing pretty-printed', async () => {
    const { xml } = await responseFor(lab, 'shape');
    expect(xml).toContain('<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success" />');
    expect(xml).not.toMatch(/[^ ]\/>/);
    expect(xml).not.toMatch(/>\s+</);
    expect(xml).not.toMatch(/[\r\n\t]/);
  });
});

describe('the Assertion', () => {
  it('puts the signature right after its Issuer, then Subject, Conditions, AttributeStatement, AuthnStatement', async () => {
    const { xml } = await responseFor(lab, 'shape');
    const assertion = one(parseXml(xml), '/samlp:Response/saml:Assertion');
    expect(childNames(assertion)).toEqual(['Issuer', 'Signature', 'Subject', 'Conditions', 'AttributeStatement', 'AuthnStatement']);
  });

  it('signs with exc-c14n, rsa-sha256/sha256 over "#<Assertion ID>" and an unprefixed KeyInfo in the dsig default namespace', async () => {
    const { xml, assertionId } = await responseFor(lab, 'shape');
    const cert = lab.state.pki.systems.adfs.signing.certBase64;
    expect(xml).toMatch(
      new RegExp(
        `<Issuer>${esc(IDENTIFIER)}</Issuer><ds:Signature xmlns:ds="http://www\\.w3\\.org/2000/09/xmldsig#"><ds:SignedInfo>` +
          '<ds:CanonicalizationMethod Algorithm="http://www\\.w3\\.org/2001/10/xml-exc-c14n#" />' +
          '<ds:SignatureMethod Algorithm="http://www\\.w3\\.org/2001/04/xmldsig-more#rsa-sha256" />' +
          `<ds:Reference URI="#${esc(assertionId)}"><ds:Transforms>` +
          '<ds:Transform Algorithm="http://www\\.w3\\.org/2000/09/xmldsig#enveloped-signature" />' +
          '<ds:Transform Algorithm="http://www\\.w3\\.org/2001/10/xml-exc-c14n#" /></ds:Transforms>' +
          `<ds:DigestMethod Algorithm="http://www\\.w3\\.org/2001/04/xmlenc#sha256" /><ds:DigestValue>${B64}</ds:DigestValue></ds:Reference></ds:SignedInfo>` +
          `<ds:SignatureValue>${B64}</ds:SignatureValue>` +
          `<KeyInfo xmlns="http://www\\.w3\\.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${esc(cert)}</ds:X509Certificate></ds:X509Data></KeyInfo>` +
          '</ds:Signature><Subject>',
      ),
    );
  });

  it('has no NameID when the RP has no NameID rule, and a bearer SubjectConfirmationData without NotBefore, valid 5 minutes', async () => {
    const { xml, requestId } = await responseFor(lab, 'shape');
    expect(xml).not.toContain('NameID');
    expect(xml).toContain(
      '<Subject><SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">' +
        `<SubjectConfirmationData InResponseTo="${requestId}" NotOnOrAfter="${iso(T + 5 * MINUTE)}" Recipient="${acsOf('shape')}" />` +
        '</SubjectConfirmation></Subject>',
    );
  });

  it('has Conditions from IssueInstant to IssueInstant + 60 minutes by default, for the RP identifier', async () => {
    const { xml } = await responseFor(lab, 'shape');
    expect(xml).toContain(
      `<Conditions NotBefore="${iso(T)}" NotOnOrAfter="${iso(T + 60 * MINUTE)}">` +
        '<AudienceRestriction><Audience>urn:test:shape</Audience></AudienceRestriction></Conditions>',
    );
  });

  it('moves Conditions NotBefore back by NotBeforeSkew and NotOnOrAfter to TokenLifetime (2 and 15 minutes)', async () => {
    const { xml, requestId } = await responseFor(lab, 'shape-skew');
    expect(xml).toContain(`<Conditions NotBefore="${iso(T - 2 * MINUTE)}" NotOnOrAfter="${iso(T + 15 * MINUTE)}">`);
    // The message delivery window does not follow the token lifetime.
    expect(xml).toContain(`<SubjectConfirmationData InResponseTo="${requestId}" NotOnOrAfter="${iso(T + 5 * MINUTE)}" `);
  });

  it('writes attributes without NameFormat or xsi:type, repeating AttributeValue for a multi-valued claim', async () => {
    const { xml } = await responseFor(lab, 'shape');
    expect(xml).toContain(
      '<AttributeStatement>' +
        `<Attribute Name="${CLAIM.upn}"><AttributeValue>agent1@lab.example</AttributeValue></Attribute>` +
        `<Attribute Name="${CLAIM.email}"><AttributeValue>agent1@lab.example</AttributeValue></Attribute>` +
        `<Attribute Name="${CLAIM.group}"><AttributeValue>Agents</AttributeValue><AttributeValue>Team Sales</AttributeValue></Attribute>` +
        '</AttributeStatement><AuthnStatement ',
    );
    expect(xml).not.toContain('NameFormat');
    expect(xml).not.toContain('xsi:');
  });

  it('has the forms sign-in time as AuthnInstant, SessionIndex = the Assertion ID and PasswordProtectedTransport', async () => {
    const { xml, assertionId, loginShown } = await responseFor(lab, 'shape');
    expect(loginShown).toBe(true);
    expect(xml).toContain(
      `<AuthnStatement AuthnInstant="${iso(T)}" SessionIndex="${assertionId}"><AuthnContext>` +
        `<AuthnContextClassRef>${AC.PasswordProtectedTransport}</AuthnContextClassRef></AuthnContext></AuthnStatement></Assertion>`,
    );
  });

  it('omits SessionIndex when the RP trust says sessionIndex: false', async () => {
    const { xml } = await responseFor(lab, 'shape-nosi');
    expect(xml).toContain(`<AuthnStatement AuthnInstant="${iso(T)}"><AuthnContext><AuthnContextClassRef>`);
    expect(xml).not.toContain('SessionIndex');
  });
});

describe('NameID rules', () => {
  it('issue an emailAddress NameID with its Format and no qualifiers when none are set', async () => {
    const { xml } = await responseFor(lab, 'shape-email');
    expect(xml).toContain(`<Subject><NameID Format="${NAMEID.emailAddress}">agent1@lab.example</NameID><SubjectConfirmation `);
  });

  it("issue Cisco's transient NameID with NameQualifier and SPNameQualifier, and the uid/user_principal attributes", async () => {
    const { xml } = await responseFor(lab, 'shape-cisco');
    expect(xml).toContain(
      `<Subject><NameID Format="${NAMEID.transient}" NameQualifier="http://localhost/adfs/com/adfs/services/trust" ` +
        'SPNameQualifier="urn:test:shape-cisco">LAB\\agent1</NameID><SubjectConfirmation ',
    );
    expect(xml).toContain(
      '<AttributeStatement><Attribute Name="uid"><AttributeValue>agent1</AttributeValue></Attribute>' +
        '<Attribute Name="user_principal"><AttributeValue>agent1@lab.example</AttributeValue></Attribute></AttributeStatement>',
    );
  });
});

describe('EncryptClaims', () => {
  it('sends an EncryptedAssertion: aes256-cbc, rsa-oaep-mgf1p with an explicit SHA-1 DigestMethod, X509IssuerSerial with a decimal serial', async () => {
    const { xml } = await responseFor(lab, 'shape-enc');
    const sp = lab.state.pki.systems['sample-sp'].encryption;
    const decimalSerial = BigInt('0x' + sp.x509.serialNumber).toString(10);
    expect(sp.serialNumber).toBe(decimalSerial);
    const layout = new RegExp(
      '</samlp:Status><EncryptedAssertion xmlns="urn:oasis:names:tc:SAML:2\\.0:assertion">' +
        '<xenc:EncryptedData Type="http://www\\.w3\\.org/2001/04/xmlenc#Element" xmlns:xenc="http://www\\.w3\\.org/2001/04/xmlenc#">' +
        '<xenc:EncryptionMethod Algorithm="http://www\\.w3\\.org/2001/04/xmlenc#aes256-cbc" />' +
        '<KeyInfo xmlns="http://www\\.w3\\.org/2000/09/xmldsig#"><e:EncryptedKey xmlns:e="http://www\\.w3\\.org/2001/04/xmlenc#">' +
        '<e:EncryptionMethod Algorithm="http://www\\.w3\\.org/2001/04/xmlenc#rsa-oaep-mgf1p">' +
        '<DigestMethod Algorithm="http://www\\.w3\\.org/2000/09/xmldsig#sha1" /></e:EncryptionMethod>' +
        '<KeyInfo><ds:X509Data xmlns:ds="http://www\\.w3\\.org/2000/09/xmldsig#"><ds:X509IssuerSerial>' +
        `<ds:X509IssuerName>${esc(sp.issuerName)}</ds:X509IssuerName><ds:X509SerialNumber>${decimalSerial}</ds:X509SerialNumber>` +
        `</ds:X509IssuerSerial></ds:X509Data></KeyInfo><e:CipherData><e:CipherValue>(${B64})</e:CipherValue></e:CipherData></e:EncryptedKey></KeyInfo>` +
        `<xenc:CipherData><xenc:CipherValue>(${B64})</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></EncryptedAssertion></samlp:Response>$`,
    );
    const m = layout.exec(xml);
    expect(m).not.toBeNull();
    expect(decimalSerial).toMatch(/^\d+$/);
    // AssertionOnly: the message itself is not signed; the signature is inside the ciphertext.
    expect(xml).not.toContain('Signature');

    // Decrypt by hand (XML Encryption §5.2.2, §5.4.2): the plaintext is the signed Assertion.
    const key = privateDecrypt({ key: sp.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(m![1]!, 'base64'));
    expect(key).toHaveLength(32);
    const data = Buffer.from(m![2]!, 'base64');
    const decipher = createDecipheriv('aes-256-cbc', key, data.subarray(0, 16));
    const plain = Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8');
    expect(plain).toMatch(new RegExp(`^<Assertion ID="_[^"]+" IssueInstant="${esc(iso(T))}" Version="2\\.0" xmlns="urn:oasis:names:tc:SAML:2\\.0:assertion"><Issuer>${esc(IDENTIFIER)}</Issuer><ds:Signature `));
    expect(plain.endsWith('</AuthnStatement></Assertion>')).toBe(true);
  });
});

describe('emulated Windows Integrated Authentication', () => {
  let wia: Lab;
  beforeAll(async () => {
    wia = await startTestLab({ services: ['adfs'], config: { adfs: { windowsIntegrated: { enabled: true, username: 'agent1' } } } });
    addRp(wia, { name: 'shape', identifiers: ['urn:test:shape'], endpoints: [{ kind: 'acs', binding: 'POST', url: acsOf('shape') }], claims: CLAIMS });
  });
  afterAll(() => wia.stop());

  it('signs the configured user in with no form, urn:federation:authentication:windows and a whole-second AuthnInstant', async () => {
    const t = Math.floor(Date.now() / 1000) * 1000 - 1000 + 789;
    wia.state.clock.freeze(t);
    const { xml, assertionId, loginShown } = await responseFor(wia, 'shape');
    expect(loginShown).toBe(false);
    expect(xml).toContain(`<Assertion ID="${assertionId}" IssueInstant="${iso(t)}" `);
    expect(xml).toContain(
      `<AuthnStatement AuthnInstant="${iso(t - 789)}" SessionIndex="${assertionId}"><AuthnContext>` +
        `<AuthnContextClassRef>${AC.Windows}</AuthnContextClassRef></AuthnContext></AuthnStatement>`,
    );
    expect(iso(t - 789)).toMatch(/\.000Z$/);
    expect(xml).toContain(`<Attribute Name="${CLAIM.upn}"><AttributeValue>agent1@lab.example</AttributeValue></Attribute>`);
  });

  it('answers IsPassive without a session: emulated WIA takes no control of the user interface', async () => {
    wia.state.clock.unfreeze();
    const { xml, loginShown } = await responseFor(wia, 'shape', { isPassive: true });
    expect(loginShown).toBe(false);
    expect(xml).toContain(`<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success" />`);
    expect(xml).toContain(`<AuthnContextClassRef>${AC.Windows}</AuthnContextClassRef>`);
  });

  it('reuses the Windows session without a form, keeping its AuthnInstant', async () => {
    const t = Math.floor(Date.now() / 1000) * 1000 - 2000 + 456;
    wia.state.clock.freeze(t);
    const ua = new UserAgent();
    await responseFor(wia, 'shape', {}, ua);
    wia.state.clock.freeze(t + 1000);
    const again = await responseFor(wia, 'shape', {}, ua);
    expect(again.loginShown).toBe(false);
    expect(again.xml).toContain(`<AuthnStatement AuthnInstant="${iso(t - 456)}" `);
    expect(again.xml).toContain(`<AuthnContextClassRef>${AC.Windows}</AuthnContextClassRef>`);
  });

  it('shows the form instead to a request for PasswordProtectedTransport exact, and asserts PasswordProtectedTransport', async () => {
    const t = Math.floor(Date.now() / 1000) * 1000 - 1000 + 321;
    wia.state.clock.freeze(t);
    const { xml, loginShown } = await responseFor(wia, 'shape', {
      requestedAuthnContext: { comparison: 'exact', classRefs: [AC.PasswordProtectedTransport] },
    });
    expect(loginShown).toBe(true);
    expect(xml).toContain(`<AuthnStatement AuthnInstant="${iso(t)}" `);
    expect(xml).toContain(`<AuthnContextClassRef>${AC.PasswordProtectedTransport}</AuthnContextClassRef>`);
  });
});
