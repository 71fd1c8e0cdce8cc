import { adfsInstant } from '../shared/ids.js';
import { el, type ChildInput, type XmlNode } from '../shared/xml/tree.js';
import { CONSENT_UNSPECIFIED, NS } from './saml-constants.js';

export interface ProtocolHeader {
  id: string;
  issuer: string;
  issueInstant: number;
  destination: string;
  inResponseTo?: string | undefined;
}

/**
 * Every SAML protocol message AD FS sends opens the same way (reference §1.3): ID, Version,
 * IssueInstant, Destination, Consent, InResponseTo, then `xmlns:samlp` last; then an unprefixed
 * Issuer carrying its own default namespace. `body` follows the Issuer.
 */
export function buildProtocolMessage(name: string, h: ProtocolHeader, body: ChildInput[]): XmlNode {
  return el(
    `samlp:${name}`,
    {
      ID: h.id,
      Version: '2.0',
      IssueInstant: adfsInstant(h.issueInstant),
      Destination: h.destination,
      Consent: CONSENT_UNSPECIFIED,
      InResponseTo: h.inResponseTo,
      'xmlns:samlp': NS.protocol,
    },
    [el('Issuer', { xmlns: NS.assertion }, [h.issuer]), ...body],
  );
}
