import { WEAK_HASHES } from '../certificate-info.js';
import { transportVerdict } from '../https-rule.js';
import type { Findings, Level } from '../report.js';
import type { SigningCertificate } from './check-certificates.js';
import { SAML2_PROTOCOL } from './check-entity.js';
import { BINDING } from './check-endpoints.js';
import { NAMEID, shortFormat } from './check-nameid-and-signing.js';
import type { IdpMetadata } from './read-metadata.js';
import { SHA1_ALGORITHMS } from './sha1-algorithms.js';

const FICAM = 'FICAM SAML 2.0 WB SSO Profile 1.0.2';

/**
 * `--ficam`: the FICAM SAML 2.0 Web Browser SSO Profile rules that metadata can show (reference
 * §3; items marked [V] there are cited by section, [M] ones by the profile name). The rules on
 * the responses themselves (exactly one AuthnContextClassRef with the LOA URI, the assertion
 * namespace) are checked by CXone at sign-in: run `--live` for those.
 */
export function checkFicamSaml(md: IdpMetadata, certs: SigningCertificate[], findings: Findings): void {
  // Scope: "SAML 2.0 … single sign-on, session reset, attribute exchange" — SAML 2.0 only.
  const others = md.protocols.filter((p) => p !== SAML2_PROTOCOL);
  if (md.protocols.includes(SAML2_PROTOCOL) && others.length === 0) findings.pass('ficam.saml.protocol', 'The IDPSSODescriptor supports SAML 2.0 only.', { spec: `${FICAM} (scope)` });
  else findings.fail('ficam.saml.protocol', `FICAM is a SAML 2.0 profile; the IDPSSODescriptor lists ${others.join(', ') || 'no SAML 2.0 protocol'}. Publish a SAML 2.0-only IDPSSODescriptor.`, { spec: `${FICAM} (scope)` });

  // "approved cryptographic modules per [FIPS140]": RSA ≥ 2048 (NIST SP 800-131A), SHA-256-class.
  const small = certs.filter((c) => (c.info.keyType === 'rsa' ? (c.info.keyBits ?? 0) < 2048 : c.info.keyType === 'ec' ? (c.info.keyBits ?? 0) < 256 : false));
  if (certs.length > 0 && small.length === 0) findings.pass('ficam.saml.key-size', 'Every signing key is RSA ≥ 2048 bits (or EC ≥ P-256).', { spec: `${FICAM} (FIPS 140); NIST SP 800-131A` });
  else if (certs.length > 0) findings.fail('ficam.saml.key-size', `${small.length} signing key(s) below RSA 2048 / EC P-256; FICAM requires FIPS-approved key sizes.`, { spec: `${FICAM} (FIPS 140); NIST SP 800-131A` });

  const weakCerts = certs.filter((c) => WEAK_HASHES.has(c.info.signatureHash));
  const sig = md.signature;
  const weakSig = sig ? [sig.signatureMethod, ...sig.digestMethods].some((a) => SHA1_ALGORITHMS.has(a)) : false;
  if (weakCerts.length === 0 && !weakSig) findings.pass('ficam.saml.sha256', 'SHA-256 or stronger in the signing certificates and the metadata signature.', { spec: FICAM });
  else findings.fail('ficam.saml.sha256', `SHA-1 in ${[weakCerts.length > 0 ? `${weakCerts.length} signing certificate(s)` : '', weakSig ? 'the metadata signature' : ''].filter(Boolean).join(' and ')}; FICAM requires SHA-256-class algorithms.`, { spec: FICAM });

  // §3.1 item 8 / §3.2 item 8b (v1.0.2 change history): persistent, transient, unspecified (1.1).
  const allowed = [NAMEID.persistent, NAMEID.transient, NAMEID.unspecified] as string[];
  const outside = md.nameIdFormats.filter((f) => !allowed.includes(f));
  let level: Level = 'pass';
  if (md.nameIdFormats.length > 0 && outside.length === md.nameIdFormats.length) level = 'fail';
  else if (outside.length > 0) level = 'warn';
  findings.add(
    'ficam.saml.nameid-format',
    level,
    level === 'pass'
      ? 'NameID formats within FICAM’s persistent, transient and unspecified.'
      : `FICAM allows persistent, transient and unspecified (SAML 1.1) NameIDs only; listed: ${outside.map(shortFormat).join(', ')}.${level === 'warn' ? ' Do not issue those to FICAM relying parties.' : ''}`,
    { spec: `${FICAM} §3.1 item 8, §3.2 item 8b` },
  );

  // §3.1 item 9: "the RP MUST use HTTP-Redirect or HTTP-POST" to send the AuthnRequest.
  if (md.sso.some((e) => e.binding === BINDING.Redirect || e.binding === BINDING.POST)) findings.pass('ficam.saml.bindings', 'SingleSignOnService over HTTP-Redirect or HTTP-POST.', { spec: `${FICAM} §3.1 item 9` });
  else findings.fail('ficam.saml.bindings', 'No SingleSignOnService over HTTP-Redirect or HTTP-POST, the only bindings a FICAM RP may use.', { spec: `${FICAM} §3.1 item 9` });

  // §3.2 item 4, §2.6: the assertion travels in a "protected session" (TLS).
  const verdicts = [...md.sso, ...md.slo].map((e) => transportVerdict(e.location).level);
  const worst: Level = verdicts.includes('fail') ? 'fail' : verdicts.includes('warn') ? 'warn' : 'pass';
  findings.add('ficam.saml.https', worst, worst === 'pass' ? 'Every endpoint is HTTPS (a protected session).' : 'An endpoint is not HTTPS: FICAM requires a protected session (TLS) for every assertion.', { spec: `${FICAM} §2.6, §3.2 item 4` });

  // Metadata exchange is FICAM's trust anchor [M]: signed metadata.
  if (sig) findings.pass('ficam.saml.metadata-signed', 'The metadata is signed.', { spec: FICAM });
  else findings.warn('ficam.saml.metadata-signed', 'Unsigned metadata: FICAM relying parties take their trust from (signed) metadata; sign it.', { spec: FICAM });
}
