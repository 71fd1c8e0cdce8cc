import { BINDING, NAMEID_FORMAT, NS } from '../../adfs/saml-constants.js';
import { toXml } from '../../shared/xml/serialize.js';
import { el } from '../../shared/xml/tree.js';

/**
 * The `sp.xml` the IdS Trust tab lets an admin download (reference A.1.7): entity ID = the IdS
 * host name, one POST ACS per form IdS answers at (`/ids/saml/response`, and the
 * `?metaAlias=/sp` form of UCCX 12.5(1)SU2+), transient NameID, the SAML signing certificate.
 * IdS does not take encrypted assertions, so there is no encryption KeyDescriptor.
 */
export function buildSpMetadata(p: { entityId: string; acsUrls: readonly string[]; signingCertBase64: string }): string {
  const body = el(
    'md:EntityDescriptor',
    { entityID: p.entityId, 'xmlns:md': NS.metadata },
    [
      el('md:SPSSODescriptor', { AuthnRequestsSigned: 'false', WantAssertionsSigned: 'true', protocolSupportEnumeration: NS.protocol }, [
        el('md:KeyDescriptor', { use: 'signing' }, [
          el('ds:KeyInfo', { 'xmlns:ds': NS.dsig }, [el('ds:X509Data', {}, [el('ds:X509Certificate', {}, [p.signingCertBase64])])]),
        ]),
        el('md:NameIDFormat', {}, [NAMEID_FORMAT.transient]),
        ...p.acsUrls.map((url, i) =>
          el('md:AssertionConsumerService', { Binding: BINDING.POST, Location: url, index: i, isDefault: i === 0 ? 'true' : undefined }),
        ),
      ]),
    ],
  );
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + toXml(body);
}
