import { randomBytes } from 'node:crypto';
import { BINDING, NAMEID_FORMAT, NS } from '../../adfs/saml-constants.js';
import { toXml } from '../../shared/xml/serialize.js';
import { el } from '../../shared/xml/tree.js';

/** IdS request IDs look like `s2` + hex (reference A.1.5, step 3). */
export function idsRequestId(): string {
  return 's2' + randomBytes(20).toString('hex');
}

/**
 * The AuthnRequest Cisco IdS sends by HTTP-POST (reference A.1.5 step 3, UCCX 12.5(1)SU1 Design
 * Guide): ForceAuthn and IsPassive false, HTTP-POST ProtocolBinding, the ACS URL, the IdS host as
 * Issuer, and a transient NameIDPolicy qualified by the IdS host. Unsigned, as IdS sends it.
 */
export function buildAuthnRequest(p: { id: string; issueInstant: number; destination: string; acsUrl: string; entityId: string }): string {
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
        el('samlp:NameIDPolicy', { Format: NAMEID_FORMAT.transient, SPNameQualifier: p.entityId, AllowCreate: 'true' }),
      ],
    ),
  );
}
