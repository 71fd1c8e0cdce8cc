import { randomBytes } from 'node:crypto';
import { BINDING, NS } from '../../adfs/saml-constants.js';
import { toXml } from '../../shared/xml/serialize.js';
import { el } from '../../shared/xml/tree.js';

/** IdS request IDs look like `s2` + hex (reference A.1.5, step 3). */
export function idsRequestId(): string {
  return 's2' + randomBytes(20).toString('hex');
}

/** A NameIDPolicy to send (saml-core §3.4.1.1); without one the IdP's own NameID rule applies. */
export interface NameIdPolicy {
  format: string;
  spNameQualifier?: string | undefined;
}

/**
 * An unsigned SP AuthnRequest (saml-core §3.4.1): ForceAuthn and IsPassive false, HTTP-POST
 * ProtocolBinding, the ACS URL, the SP entity ID as Issuer, and the NameIDPolicy if one is given.
 * Cisco IdS sends it by HTTP-POST with a transient NameIDPolicy qualified by the IdS host
 * (reference A.1.5 step 3, UCCX 12.5(1)SU1 Design Guide); CXone by HTTP-Redirect without one.
 */
export function buildAuthnRequest(p: {
  id: string;
  issueInstant: number;
  destination: string;
  acsUrl: string;
  entityId: string;
  nameIdPolicy?: NameIdPolicy | undefined;
}): string {
  return toXml(
    el(
      'samlp:AuthnRequest',
      {
        'xmlns:samlp': NS.protocol,
        ID: p.id,
        Version: '2.0',
        IssueInstant: new Date(p.issueInstant).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        Destination: p.destination,
        ForceAuthn: 'false',
        IsPassive: 'false',
        ProtocolBinding: BINDING.POST,
        AssertionConsumerServiceURL: p.acsUrl,
      },
      [
        el('saml:Issuer', { 'xmlns:saml': NS.assertion }, [p.entityId]),
        p.nameIdPolicy && el('samlp:NameIDPolicy', { Format: p.nameIdPolicy.format, SPNameQualifier: p.nameIdPolicy.spNameQualifier, AllowCreate: 'true' }),
      ],
    ),
  );
}
