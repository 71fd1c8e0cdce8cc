import { BINDING } from '../saml/check-endpoints.js';
import type { IdpMetadata } from '../saml/read-metadata.js';
import type { LabAccess } from './lab-access.js';
import type { LiveOptions } from './live-options.js';
import type { LivePlan } from './run-live.js';

/**
 * The SAML live test: a SAML login authenticator with the IdP's HTTP-Redirect SingleSignOnService
 * as its endpoint URL (CXone's SP-initiated AuthnRequest goes there, reference B.2.1) and the
 * IdP's signing certificate as the uploaded PEM. CXone then shows its entity ID and ACS URL, which
 * the IdP must know (seed 002: they replace the `…/need_to_change` placeholders).
 */
export function samlPlan(md: IdpMetadata, certificateBase64: string, o: LiveOptions): LivePlan {
  const redirect = md.sso.find((e) => e.binding === BINDING.Redirect) ?? md.sso.find((e) => e.binding === BINDING.POST);
  const pem = `-----BEGIN CERTIFICATE-----\n${certificateBase64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  return {
    idpIdentity: `saml ${md.entityId ?? ''}`,
    authenticator: (name) => ({
      name,
      description: 'Temporary: created by idp-harness validate --live',
      type: 'SAML',
      saml: { endpointUrl: redirect?.location ?? '', certificate: pem, ficam: o.ficam },
    }),
    registration: (a) => ({ 'entity ID': a.saml.entityId, 'ACS URL (HTTP-POST)': a.saml.acsUrl }),
    async registerAtLab(access: LabAccess, a) {
      // The lab's AD FS: a relying-party trust for CXone's generated values, issuing the user's
      // e-mail as an unspecified NameID (the External Identity the user gets for the test).
      if (!access.adfsUrl || !md.sso.some((e) => e.location.startsWith(access.adfsUrl!))) return undefined;
      const name = `${a.name} (${a.id})`;
      await access.control.relyingParties.remove(name).catch(() => undefined);
      await access.control.relyingParties.add({
        name,
        identifiers: [a.saml.entityId],
        endpoints: [{ kind: 'acs', binding: 'POST', url: a.saml.acsUrl, index: 0, isDefault: true }],
        samlResponseSignature: 'MessageAndAssertion',
        signatureAlgorithm: 'rsa-sha256',
        nameId: { format: 'unspecified', value: '{email}' },
      });
      return async () => {
        await access.control.relyingParties.remove(name);
      };
    },
    externalIdentity: (user) => o.externalIdentity ?? user.email,
  };
}
