import type { ServiceName } from '../../../../idp/src/config/schema.js';
import type { PkiSystem, PkiUse } from '../../../../idp/src/pki/systems.js';

/**
 * Which services read each key pair of the certs folder (certs/README.md "used by"). A lab process
 * reads the folder once, at start, so these are the services that must restart after a rotation.
 * The CA and TLS pairs are read by every service served over TLS (the caller knows which).
 */
export const SYSTEM_PAIR_CONSUMERS: Record<PkiSystem, Record<PkiUse, readonly ServiceName[]>> = {
  // AD FS signs with it; IdS, the CXone "Lab AD FS" authenticator and the sample SP trust it.
  adfs: { signing: ['adfs', 'ids', 'cxone', 'console'], encryption: ['adfs'] },
  // AD FS's `unknown-signing-key` fault signs with it; an RP may reference pki:oidc/encryption.
  oidc: { signing: ['adfs'], encryption: ['adfs'] },
  ids: { signing: ['ids'], encryption: ['ids'] },
  cxone: { signing: ['cxone'], encryption: ['cxone'] },
  // The sample SP signs and decrypts with them; AD FS's trust of the sample SP references them.
  'sample-sp': { signing: ['console', 'adfs'], encryption: ['console', 'adfs'] },
};

/** What has to happen outside the lab when a pair changes: who pinned or cached it. */
export const SYSTEM_PAIR_OUTSIDE: Partial<Record<PkiSystem, string>> = {
  adfs: "relying parties outside the lab trust AD FS's certificates: give them the new metadata ('idp-harness metadata adfs --out FederationMetadata.xml', or <adfs>/FederationMetadata/2007-06/FederationMetadata.xml)",
  ids: "an IdP outside the lab that trusts Cisco IdS needs its new SP metadata ('idp-harness metadata ids')",
  cxone: "relying parties of CXone's OpenID provider must fetch <cxone>/auth/jwks again",
};
