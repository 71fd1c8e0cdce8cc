import { el, type XmlNode } from '../shared/xml/tree.js';
import { adfsInstant } from '../shared/ids.js';
import { CONSENT_UNSPECIFIED, NS } from './saml-constants.js';

export interface ResponseInput {
  id: string;
  issuer: string;
  issueInstant: number;
  destination: string;
  inResponseTo?: string | undefined;
  status: { top: string; second?: string | undefined };
  /** An <Assertion> (signed or not) or an <EncryptedAssertion>. */
  assertion?: XmlNode | undefined;
}

/**
 * `<samlp:Response>` as AD FS writes it (reference §1.3): ID, Version, IssueInstant, Destination,
 * Consent, InResponseTo, then the namespace declaration last; an unprefixed Issuer carrying its
 * own default namespace.
 */
export function buildResponse(r: ResponseInput): XmlNode {
  return el(
    'samlp:Response',
    {
      ID: r.id,
      Version: '2.0',
      IssueInstant: adfsInstant(r.issueInstant),
      Destination: r.destination,
      Consent: CONSENT_UNSPECIFIED,
      InResponseTo: r.inResponseTo,
      'xmlns:samlp': NS.protocol,
    },
    [el('Issuer', { xmlns: NS.assertion }, [r.issuer]), buildStatus(r.status), r.assertion],
  );
}

export function buildStatus(s: { top: string; second?: string | undefined }): XmlNode {
  return el('samlp:Status', {}, [
    el('samlp:StatusCode', { Value: s.top }, [s.second ? el('samlp:StatusCode', { Value: s.second }) : null]),
  ]);
}
