import type { CheckOptions } from '../options.js';
import { Findings, type RuleResult } from '../report.js';
import { checkCertificates, signingCertificates } from './check-certificates.js';
import { checkEndpoints } from './check-endpoints.js';
import { checkEntity } from './check-entity.js';
import { checkFicamSaml } from './check-ficam.js';
import { checkMetadataSignature } from './check-metadata-signature.js';
import { checkNameIdAndSigning } from './check-nameid-and-signing.js';
import { readMetadata, type IdpMetadata } from './read-metadata.js';

export interface SamlValidation {
  rules: RuleResult[];
  /** The IdP's metadata as read, when it could be (the live test builds its authenticator from it). */
  metadata: IdpMetadata | undefined;
  /** The first signing certificate (base64 DER) that is valid now, for the live test's upload. */
  uploadCertificate: string | undefined;
}

/**
 * Every SAML metadata rule, in reading order: the XML, the entity, its certificates, endpoints,
 * NameID and signing options, the metadata signature, and (`--ficam`) the FICAM profile.
 */
export function validateSamlMetadata(xml: string, o: CheckOptions & { entityId?: string | undefined }): SamlValidation {
  const findings = new Findings();
  const md = readMetadata(xml, findings, o.entityId);
  if (!md) return { rules: findings.results, metadata: undefined, uploadCertificate: undefined };
  checkEntity(md, findings, o);
  const certs = signingCertificates(md, findings);
  checkCertificates(certs, findings, o);
  checkEndpoints(md, findings, o);
  checkNameIdAndSigning(md, findings, o);
  checkMetadataSignature(xml, md, certs, findings);
  if (o.ficam) checkFicamSaml(md, certs, findings);
  const upload = certs.find((c) => c.info.notBefore <= o.now && o.now < c.info.notAfter) ?? certs[0];
  return { rules: findings.results, metadata: md, uploadCertificate: upload?.base64 };
}
