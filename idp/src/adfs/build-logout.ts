import { adfsInstant } from '../shared/ids.js';
import { el, type XmlNode } from '../shared/xml/tree.js';
import type { NameIdValue } from './build-assertion.js';
import { buildStatus } from './build-response.js';
import { CONSENT_UNSPECIFIED, NS } from './saml-constants.js';

/** `<samlp:LogoutRequest>` in AD FS's attribute order, with the NameID exactly as it was issued (§1.11). */
export function buildLogoutRequest(r: {
  id: string;
  issuer: string;
  issueInstant: number;
  destination: string;
  nameId: NameIdValue | undefined;
  sessionIndex: string | undefined;
}): XmlNode {
  const nameId = r.nameId ?? { value: '' };
  return el(
    'samlp:LogoutRequest',
    { ID: r.id, Version: '2.0', IssueInstant: adfsInstant(r.issueInstant), Destination: r.destination, Consent: CONSENT_UNSPECIFIED, 'xmlns:samlp': NS.protocol },
    [
      el('Issuer', { xmlns: NS.assertion }, [r.issuer]),
      el(
        'NameID',
        { Format: nameId.format, NameQualifier: nameId.nameQualifier, SPNameQualifier: nameId.spNameQualifier, xmlns: NS.assertion },
        [nameId.value],
      ),
      r.sessionIndex !== undefined && el('samlp:SessionIndex', {}, [r.sessionIndex]),
    ],
  );
}

export function buildLogoutResponse(r: {
  id: string;
  issuer: string;
  issueInstant: number;
  destination: string;
  inResponseTo: string;
  status: { top: string; second?: string | undefined };
}): XmlNode {
  return el(
    'samlp:LogoutResponse',
    {
      ID: r.id,
      Version: '2.0',
      IssueInstant: adfsInstant(r.issueInstant),
      Destination: r.destination,
      Consent: CONSENT_UNSPECIFIED,
      InResponseTo: r.inResponseTo,
      'xmlns:samlp': NS.protocol,
    },
    [el('Issuer', { xmlns: NS.assertion }, [r.issuer]), buildStatus(r.status)],
  );
}
