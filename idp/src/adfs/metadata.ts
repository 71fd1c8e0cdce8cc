import { adfsId } from '../shared/ids.js';
import { toXml } from '../shared/xml/serialize.js';
import { signEnveloped } from '../shared/xml/sign.js';
import { el, type XmlNode } from '../shared/xml/tree.js';
import { ADVERTISED_CLAIMS } from './claim-types.js';
import type { AdfsContext } from './context.js';
import { BINDING, NAMEID_FORMAT, NS } from './saml-constants.js';

const FED = 'http://docs.oasis-open.org/wsfed/federation/200706';
const AUTH = 'http://docs.oasis-open.org/wsfed/authorization/200706';
const WSA = 'http://www.w3.org/2005/08/addressing';
const WS_PROTOCOLS =
  'http://docs.oasis-open.org/ws-sx/ws-trust/200512 http://schemas.xmlsoap.org/ws/2005/02/trust http://docs.oasis-open.org/wsfed/federation/200706';
const URI_FORMAT = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';

/**
 * FederationMetadata.xml in AD FS's layout (reference §1.2): no XML declaration, a signed
 * EntityDescriptor (signature first), the two WS-Federation RoleDescriptors, the SPSSODescriptor
 * (AD FS as claims-provider side), the IDPSSODescriptor (encryption key before signing key, no
 * WantAuthnRequestsSigned), then ContactPerson. Built and signed once per start: it only changes
 * with the keys.
 */
export function buildMetadata(ctx: AdfsContext): string {
  const ls = ctx.urls.ls;
  const base = ctx.urls.base;
  const signingCert = ctx.signingKey.certBase64;
  const encryptionCert = ctx.pki.systems.adfs.encryption.certBase64;
  const key = (use: 'signing' | 'encryption', cert: string) =>
    el('KeyDescriptor', { use }, [
      el('KeyInfo', { xmlns: NS.dsig }, [el('X509Data', {}, [el('X509Certificate', {}, [cert])])]),
    ]);
  const epr = (address: string) => el('wsa:EndpointReference', { 'xmlns:wsa': WSA }, [el('wsa:Address', {}, [address])]);
  const claimTypes = (wrapper: string, optional: boolean) =>
    el(
      wrapper,
      {},
      ADVERTISED_CLAIMS.map((c) =>
        el('auth:ClaimType', { Uri: c.uri, Optional: optional ? 'true' : undefined, 'xmlns:auth': AUTH }, [
          el('auth:DisplayName', {}, [c.friendlyName]),
          el('auth:Description', {}, [c.description]),
        ]),
      ),
    );
  const roleAttrs = (type: string) => ({
    'xsi:type': type,
    'xmlns:xsi': NS.xsi,
    'xmlns:fed': FED,
    protocolSupportEnumeration: WS_PROTOCOLS,
    ServiceDisplayName: ctx.config.displayName,
  });
  const nameIdFormats = [NAMEID_FORMAT.emailAddress, NAMEID_FORMAT.persistent, NAMEID_FORMAT.transient].map((f) =>
    el('NameIDFormat', {}, [f]),
  );
  const slo = [
    el('SingleLogoutService', { Binding: BINDING.Redirect, Location: ls }),
    el('SingleLogoutService', { Binding: BINDING.POST, Location: ls }),
  ];

  const entity: XmlNode = el('EntityDescriptor', { ID: adfsId(), entityID: ctx.identifier, xmlns: NS.metadata }, [
    el('RoleDescriptor', roleAttrs('fed:ApplicationServiceType'), [
      key('encryption', encryptionCert),
      claimTypes('fed:ClaimTypesRequested', true),
      el('fed:TargetScopes', {}, [
        epr(`${base}/adfs/services/trust/2005/issuedtokenmixedasymmetricbasic256`),
        epr(`${base}/adfs/services/trust/2005/issuedtokenmixedsymmetricbasic256`),
        epr(`${base}/adfs/services/trust/13/issuedtokenmixedasymmetricbasic256`),
        epr(`${base}/adfs/services/trust/13/issuedtokenmixedsymmetricbasic256`),
        epr(ls),
        epr(ctx.identifier),
      ]),
      el('fed:ApplicationServiceEndpoint', {}, [epr(`${base}/adfs/services/trust/2005/issuedtokenmixedsymmetricbasic256`)]),
      el('fed:PassiveRequestorEndpoint', {}, [epr(ls)]),
    ]),
    el('RoleDescriptor', roleAttrs('fed:SecurityTokenServiceType'), [
      key('signing', signingCert),
      el('fed:TokenTypesOffered', {}, [
        el('fed:TokenType', { Uri: 'urn:oasis:names:tc:SAML:2.0:assertion' }),
        el('fed:TokenType', { Uri: 'urn:oasis:names:tc:SAML:1.0:assertion' }),
      ]),
      claimTypes('fed:ClaimTypesOffered', false),
      el('fed:SecurityTokenServiceEndpoint', {}, [epr(`${base}/adfs/services/trust/2005/certificatemixed`)]),
      el('fed:PassiveRequestorEndpoint', {}, [epr(ls)]),
    ]),
    el('SPSSODescriptor', { WantAssertionsSigned: 'true', protocolSupportEnumeration: NS.protocol }, [
      key('encryption', encryptionCert),
      key('signing', signingCert),
      ...slo,
      ...nameIdFormats,
      el('AssertionConsumerService', { Binding: BINDING.POST, Location: ls, index: 0, isDefault: 'true' }),
      el('AssertionConsumerService', { Binding: BINDING.Artifact, Location: ls, index: 1 }),
      el('AssertionConsumerService', { Binding: BINDING.Redirect, Location: ls, index: 2 }),
    ]),
    el('IDPSSODescriptor', { protocolSupportEnumeration: NS.protocol }, [
      key('encryption', encryptionCert),
      key('signing', signingCert),
      ...slo,
      ...nameIdFormats,
      el('SingleSignOnService', { Binding: BINDING.Redirect, Location: ls }),
      el('SingleSignOnService', { Binding: BINDING.POST, Location: ls }),
      ...ADVERTISED_CLAIMS.map((c) =>
        el('Attribute', { Name: c.uri, NameFormat: URI_FORMAT, FriendlyName: c.friendlyName, xmlns: NS.assertion }),
      ),
    ]),
    el('ContactPerson', { contactType: 'support' }),
  ]);
  signEnveloped(entity, ctx.signingKey, 'rsa-sha256');
  return toXml(entity);
}
