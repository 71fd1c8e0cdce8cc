import type { CheckOptions } from '../options.js';
import type { Findings } from '../report.js';
import type { IdpMetadata } from './read-metadata.js';

export const NAMEID = {
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  emailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
} as const;

/**
 * NameID formats and the IdP's signing options. A NameIDFormat list in metadata is advisory
 * (AD FS lists emailAddress/persistent/transient and emits whatever its claim rules issue,
 * reference §1.2), so these are warnings, never failures.
 */
export function checkNameIdAndSigning(md: IdpMetadata, findings: Findings, o: CheckOptions): void {
  const formats = md.nameIdFormats;
  // CXone matches the NameID, exactly, to each user's External Identity (reference B.2.1,
  // §1.10): an e-mail, a persistent identifier or an unspecified one (a UPN) all work.
  const usable = [NAMEID.persistent, NAMEID.unspecified, NAMEID.emailAddress] as string[];
  if (formats.length === 0) {
    findings.pass('saml.nameid.formats', 'No NameIDFormat listed: the IdP decides. Make it send each user’s CXone External Identity (an e-mail or UPN) as the NameID.', { spec: 'saml-metadata §2.4.1' });
  } else if (formats.some((f) => usable.includes(f))) {
    findings.pass('saml.nameid.formats', `NameIDFormat ${formats.map(shortFormat).join(', ')}.`, { spec: 'saml-metadata §2.4.1' });
  } else {
    findings.warn('saml.nameid.formats', `None of persistent, unspecified or emailAddress among the NameIDFormats (${formats.map(shortFormat).join(', ')}): CXone matches the NameID to the user's External Identity, which needs a stable value.`, {
      spec: 'saml-metadata §2.4.1; reference B.2.1',
    });
  }
  if (o.target === 'ids') {
    // Cisco IdS: "NameIDFormat … transient" (reference §1.10, A.1.7).
    if (formats.includes(NAMEID.transient)) findings.pass('saml.nameid.transient', 'transient NameIDFormat listed, as Cisco IdS requires.', { spec: 'reference A.1.7' });
    else findings.warn('saml.nameid.transient', 'transient is not among the NameIDFormats; Cisco IdS expects a transient NameID (and the uid and user_principal attributes). Add a NameID rule with format transient at the IdP.', { spec: 'reference A.1.7' });
  }

  // saml-metadata §2.4.3: WantAuthnRequestsSigned "indicates a requirement for the
  // <samlp:AuthnRequest> messages received by this identity provider to be signed". CXone and
  // IdS send unsigned AuthnRequests (the lab's: cxone/saml/start-login.ts; IdS SP metadata has
  // AuthnRequestsSigned="false"), so such an IdP refuses them.
  const wants = md.wantAuthnRequestsSigned === 'true' || md.wantAuthnRequestsSigned === '1';
  if (!wants) {
    findings.pass('saml.want-authn-requests-signed', 'The IdP accepts unsigned AuthnRequests (WantAuthnRequestsSigned absent or false), as CXone and IdS send them.', { spec: 'saml-metadata §2.4.3' });
  } else {
    findings.add('saml.want-authn-requests-signed', o.target ? 'fail' : 'warn', 'WantAuthnRequestsSigned="true": the IdP refuses unsigned AuthnRequests, and CXone and IdS do not sign theirs. Turn the requirement off for their relying-party trusts.', {
      spec: 'saml-metadata §2.4.3',
    });
  }
}

export function shortFormat(uri: string): string {
  return uri.replace(/^urn:oasis:names:tc:SAML:\d\.\d:nameid-format:/, '');
}
