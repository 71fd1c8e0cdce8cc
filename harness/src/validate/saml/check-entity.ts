import type { CheckOptions } from '../options.js';
import type { Findings } from '../report.js';
import type { IdpMetadata } from './read-metadata.js';

export const SAML2_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';

/**
 * The entity itself: its entityID, the SAML 2.0 protocol in its IDPSSODescriptor, and the
 * metadata's own expiry.
 */
export function checkEntity(md: IdpMetadata, findings: Findings, o: CheckOptions): void {
  // saml-metadata §2.3.2: entityID is REQUIRED; saml-core §8.3.6: an entity identifier is a URI
  // of at most 1024 characters. AD FS's default is http://<host>/adfs/services/trust (a name, not
  // a URL to fetch), so an http URI is fine here.
  const id = md.entityId;
  if (id === undefined || id.trim() === '') {
    findings.fail('saml.entity.id', 'The EntityDescriptor has no entityID; the IdP’s metadata export is broken.', { spec: 'saml-metadata §2.3.2' });
  } else if (id.length > 1024) {
    findings.fail('saml.entity.id', `The entityID is ${id.length} characters; SAML allows at most 1024.`, { spec: 'saml-core §8.3.6' });
  } else if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(id)) {
    findings.fail('saml.entity.id', `The entityID '${id}' is not an absolute URI (scheme:…); SPs compare it with the Issuer of every response, so it must be one.`, {
      spec: 'saml-core §8.3.6',
    });
  } else {
    findings.pass('saml.entity.id', `entityID '${id}' is an absolute URI; the IdP's responses must carry exactly this Issuer.`);
  }

  // saml-metadata §2.4.1: protocolSupportEnumeration lists the protocols the role supports; an
  // SP of SAML 2.0 (CXone, IdS) needs the SAML 2.0 protocol URI there.
  if (md.protocols.includes(SAML2_PROTOCOL)) {
    findings.pass('saml.idp.protocol', `The IDPSSODescriptor supports the SAML 2.0 protocol (${SAML2_PROTOCOL}).`, { spec: 'saml-metadata §2.4.1' });
  } else {
    findings.fail('saml.idp.protocol', `The IDPSSODescriptor's protocolSupportEnumeration (${md.protocols.join(' ') || 'empty'}) does not list ${SAML2_PROTOCOL}; CXone and IdS speak SAML 2.0 only.`, {
      spec: 'saml-metadata §2.4.1',
    });
  }

  if (md.validUntil !== undefined) {
    const until = Date.parse(md.validUntil);
    if (Number.isNaN(until)) findings.fail('saml.metadata.valid-until', `validUntil '${md.validUntil}' is not an xs:dateTime.`, { spec: 'saml-metadata §2.3.2' });
    else if (until <= o.now) findings.fail('saml.metadata.valid-until', `The metadata expired at ${new Date(until).toISOString()} (validUntil); SPs must not use it. Export fresh metadata.`, { spec: 'saml-metadata §2.3.2' });
    else findings.pass('saml.metadata.valid-until', `The metadata is valid until ${new Date(until).toISOString()}.`, { spec: 'saml-metadata §2.3.2' });
  }
}
