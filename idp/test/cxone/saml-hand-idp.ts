import { SignedXml } from 'xml-crypto';
import type { ThrowawayCert } from '../helpers/throwaway-cert.js';

/**
 * A hand-made SAML IdP for the CXone response-rule tests: every field of the Response is the
 * test's to choose, signed by xml-crypto (an independent signer) with a throwaway key. What a
 * real IdP never sends on its own (another Issuer in the assertion, a missing Destination, two
 * AuthnStatements, a comment in the NameID) is written here on purpose.
 */

const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
};
export const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
export const PPT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';

export interface HandResponse {
  acsUrl: string;
  audience: string;
  now: number;
  id?: string;
  assertionId?: string;
  issuer?: string;
  assertionIssuer?: string;
  /** null: no Destination attribute. */
  destination?: string | null;
  recipient?: string;
  inResponseTo?: string;
  confirmationInResponseTo?: string;
  notBefore?: number;
  notOnOrAfter?: number;
  /** Raw XML content of the NameID (a comment can go in); null: no NameID. */
  nameId?: string | null;
  /** One AuthnStatement per entry, each with these class refs (empty: a DeclRef instead). */
  authnStatements?: string[][];
  status?: string;
  /** Replaces the whole Assertion element (an EncryptedAssertion, a second assertion…). */
  assertionXml?: (assertion: string) => string;
}

const iso = (ms: number) => new Date(ms).toISOString();
let counter = 0;

export function handResponseXml(o: HandResponse): string {
  const n = ++counter;
  const issuer = o.issuer ?? 'https://idp.partner.test/';
  const irt = o.inResponseTo !== undefined ? ` InResponseTo="${o.inResponseTo}"` : '';
  const cirt = (o.confirmationInResponseTo ?? o.inResponseTo) !== undefined ? ` InResponseTo="${o.confirmationInResponseTo ?? o.inResponseTo}"` : '';
  const destination = o.destination === null ? '' : ` Destination="${o.destination ?? o.acsUrl}"`;
  const statements = (o.authnStatements ?? [[PPT]])
    .map(
      (refs) =>
        `<saml:AuthnStatement AuthnInstant="${iso(o.now)}" SessionIndex="_s${n}"><saml:AuthnContext>` +
        (refs.length === 0 ? '<saml:AuthnContextDeclRef>urn:test:decl</saml:AuthnContextDeclRef>' : refs.map((r) => `<saml:AuthnContextClassRef>${r}</saml:AuthnContextClassRef>`).join('')) +
        '</saml:AuthnContext></saml:AuthnStatement>',
    )
    .join('');
  const nameId = o.nameId === null ? '' : `<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${o.nameId ?? 'hand-user-1'}</saml:NameID>`;
  const assertion =
    `<saml:Assertion xmlns:saml="${NS.assertion}" ID="${o.assertionId ?? `_a${n}`}" Version="2.0" IssueInstant="${iso(o.now)}">` +
    `<saml:Issuer>${o.assertionIssuer ?? issuer}</saml:Issuer>` +
    `<saml:Subject>${nameId}<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData${cirt} NotOnOrAfter="${iso(o.notOnOrAfter ?? o.now + 5 * 60_000)}" Recipient="${o.recipient ?? o.acsUrl}"/>` +
    '</saml:SubjectConfirmation></saml:Subject>' +
    `<saml:Conditions NotBefore="${iso(o.notBefore ?? o.now - 60_000)}" NotOnOrAfter="${iso(o.notOnOrAfter ?? o.now + 5 * 60_000)}">` +
    `<saml:AudienceRestriction><saml:Audience>${o.audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    statements +
    '</saml:Assertion>';
  return (
    `<samlp:Response xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${o.id ?? `_r${n}`}" Version="2.0" IssueInstant="${iso(o.now)}"${destination}${irt}>` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${o.status ?? SUCCESS}"/></samlp:Status>` +
    (o.status && o.status !== SUCCESS ? '' : (o.assertionXml ?? ((a) => a))(assertion)) +
    '</samlp:Response>'
  );
}

/** An EncryptedAssertion shape the schema accepts (its content never gets decrypted). */
export const ENCRYPTED_ASSERTION =
  `<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="${NS.xenc}"><xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml:EncryptedAssertion>`;

/**
 * Enveloped RSA-SHA256 / exc-c14n signatures, placed after the Issuer (saml-core §5.4.1): the
 * Assertion's first (when `assertion` is given), then the Response's (when `response` is given).
 */
export function signHand(xml: string, keys: { response?: ThrowawayCert; assertion?: ThrowawayCert }): string {
  let out = xml;
  if (keys.assertion) out = sign(out, keys.assertion, "//*[local-name()='Assertion']");
  if (keys.response) out = sign(out, keys.response, '/*');
  return out;
}

function sign(xml: string, key: ThrowawayCert, xpath: string): string {
  const sig = new SignedXml({
    privateKey: key.keyPem,
    publicCert: key.certPem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: `${xpath}/*[local-name()='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

export const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
