import { IdpError } from '../shared/errors.js';
import type { RedirectMessage } from './inbound/decode-redirect.js';
import { verifyPostSignature } from './inbound/verify-post-signature.js';
import { verifyRedirectSignature } from './inbound/verify-redirect-signature.js';
import type { RelyingParty } from './relying-parties.js';
import { STATUS } from './saml-constants.js';

/** `verified` is set once a signature verified with the RP trust's certificates (for the console's exchange list). */
export type InboundBinding = ({ kind: 'redirect'; message: RedirectMessage } | { kind: 'post'; xml: string }) & { verified?: boolean };

/**
 * Signed-request policy of an RP trust (reference §1.8 rule 3, §4.1 #4, #5, #13): a signed
 * request is verified with the RP's request-signing certificates only (never KeyInfo) and its
 * algorithm must be the RP's SignatureAlgorithm (MSIS7093); an unsigned one is refused when
 * SignedSamlRequestsRequired (MSIS7085); a signed one with no certificate configured is refused,
 * never waved through. Failures answer the SP with a signed Responder status, as AD FS does.
 */
export function checkRequestSignature(rp: RelyingParty, binding: InboundBinding, signedInXml: boolean): void {
  const signed = binding.kind === 'redirect' ? binding.message.signature !== undefined || binding.message.sigAlg !== undefined : signedInXml;
  try {
    if (!signed) {
      if (rp.signedSamlRequestsRequired) {
        throw new IdpError('ERR_SAML_SIGNATURE_REQUIRED', 'The server requires a signed SAML authentication request but no signature is present.', {
          details: { msis: 'MSIS7085' },
        });
      }
      return;
    }
    if (rp.requestSigningCerts.length === 0) {
      throw new IdpError('ERR_SAML_SIGNATURE_INVALID', `No signature verification certificate found for issuer '${rp.identifiers[0]}'.`, {
        details: { msis: 'MSIS0037' },
      });
    }
    if (binding.kind === 'redirect') verifyRedirectSignature(binding.message, rp.requestSigningCerts, rp.signatureAlgorithm);
    else verifyPostSignature(binding.xml, rp.requestSigningCerts, rp.signatureAlgorithm);
    binding.verified = true;
  } catch (e) {
    if (e instanceof IdpError && e.code.startsWith('ERR_SAML_SIGNATURE')) {
      throw new IdpError(e.code, e.message, {
        cause: e,
        ...(e.debug === undefined ? {} : { debug: e.debug }),
        details: { ...e.details, samlStatus: { top: STATUS.Responder, second: STATUS.RequestDenied } },
      });
    }
    throw e;
  }
}
