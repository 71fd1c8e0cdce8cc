import { adfsId, adfsInstant } from '../../src/shared/ids.js';
import { el, type XmlNode } from '../../src/shared/xml/tree.js';

/** Test-only builders for AD FS-shaped messages (reference §1.3 skeleton), not the real builders. */
export const SAMLP_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const FS_ISSUER = 'http://fs.example.test/adfs/services/trust';
export const SP_ENTITY = 'https://sp.example.test/saml';
export const ACS_URL = 'https://sp.example.test/saml/acs';
export const CLAIM_EMAIL = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
export const CLAIM_GROUP = 'http://schemas.xmlsoap.org/claims/Group';

export interface Shape {
  now: number;
  assertionId: string;
  responseId: string;
  email: string;
}

export function shape(now = Date.now()): Shape {
  return { now, assertionId: adfsId(), responseId: adfsId(), email: 'alice@example.test' };
}

export function adfsAssertion(s: Shape): XmlNode {
  const t0 = adfsInstant(s.now);
  return el('Assertion', { ID: s.assertionId, IssueInstant: t0, Version: '2.0', xmlns: SAML_NS }, [
    el('Issuer', {}, [FS_ISSUER]),
    el('Subject', {}, [
      el('NameID', { Format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' }, [s.email]),
      el('SubjectConfirmation', { Method: 'urn:oasis:names:tc:SAML:2.0:cm:bearer' }, [
        el('SubjectConfirmationData', { NotOnOrAfter: adfsInstant(s.now + 5 * 60_000), Recipient: ACS_URL }),
      ]),
    ]),
    el('Conditions', { NotBefore: t0, NotOnOrAfter: adfsInstant(s.now + 60 * 60_000) }, [
      el('AudienceRestriction', {}, [el('Audience', {}, [SP_ENTITY])]),
    ]),
    el('AttributeStatement', {}, [
      el('Attribute', { Name: CLAIM_EMAIL }, [el('AttributeValue', {}, [s.email])]),
      el('Attribute', { Name: CLAIM_GROUP }, [
        el('AttributeValue', {}, ['Domain Users']),
        el('AttributeValue', {}, ['R&D <lab> "A"']),
      ]),
    ]),
    el('AuthnStatement', { AuthnInstant: adfsInstant(s.now - 47), SessionIndex: s.assertionId }, [
      el('AuthnContext', {}, [
        el('AuthnContextClassRef', {}, ['urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport']),
      ]),
    ]),
  ]);
}

/** `<samlp:Response>` with AD FS attribute order (namespace declaration last) around `content`. */
export function adfsResponse(s: Shape, content: XmlNode): XmlNode {
  return el(
    'samlp:Response',
    {
      ID: s.responseId,
      Version: '2.0',
      IssueInstant: adfsInstant(s.now),
      Destination: ACS_URL,
      Consent: 'urn:oasis:names:tc:SAML:2.0:consent:unspecified',
      'xmlns:samlp': SAMLP_NS,
    },
    [
      el('Issuer', { xmlns: SAML_NS }, [FS_ISSUER]),
      el('samlp:Status', {}, [el('samlp:StatusCode', { Value: 'urn:oasis:names:tc:SAML:2.0:status:Success' })]),
      content,
    ],
  );
}
