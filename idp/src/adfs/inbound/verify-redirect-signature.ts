import { verify } from 'node:crypto';
import { IdpError } from '../../shared/errors.js';
import type { RedirectMessage } from './decode-redirect.js';
import { checkSignatureMethod, trustedRsaKeys, type SignatureAlgorithm, type TrustedKeys } from './signature-policy.js';

/**
 * Detached signature of the HTTP-Redirect binding (saml-bindings §3.4.4.1): `Signature` is the
 * SigAlg signature over the octets `SAMLRequest=…[&RelayState=…]&SigAlg=…` exactly as transmitted
 * (decode-redirect.ts keeps them). Verified only with the relying party's configured keys.
 *
 * Throws:
 *  - ERR_SAML_SIGNATURE_REQUIRED  the message is unsigned (the caller calls this only when the RP
 *                                 requires, or the message claims, a signature; AD FS MSIS7085);
 *  - ERR_SAML_REQUEST_MALFORMED   Signature without SigAlg or SigAlg without Signature;
 *  - ERR_SAML_SIGNATURE_ALGORITHM SigAlg unknown, or not the RP's algorithm (MSIS7093);
 *  - ERR_SAML_SIGNATURE_INVALID   no configured key verifies it, or none is configured.
 */
export function verifyRedirectSignature(
  msg: RedirectMessage,
  certs: TrustedKeys,
  expectedAlg: SignatureAlgorithm,
): void {
  if (msg.signature === undefined && msg.sigAlg === undefined) {
    throw new IdpError('ERR_SAML_SIGNATURE_REQUIRED', 'The message is not signed.', {
      details: { msis: 'MSIS7085' },
    });
  }
  if (msg.signature === undefined || msg.sigAlg === undefined || msg.signedOctets === undefined) {
    throw new IdpError('ERR_SAML_REQUEST_MALFORMED', 'SigAlg and Signature must be sent together.');
  }
  const hash = checkSignatureMethod(msg.sigAlg, expectedAlg);
  const octets = Buffer.from(msg.signedOctets, 'utf8');
  for (const key of trustedRsaKeys(certs)) {
    let ok = false;
    try {
      ok = verify(hash, octets, key, msg.signature);
    } catch {
      ok = false; // e.g. a signature longer than the modulus: simply not this key's
    }
    if (ok) return;
  }
  throw new IdpError('ERR_SAML_SIGNATURE_INVALID', 'The message signature is not valid.', {
    debug: 'no configured certificate verifies the Redirect-binding signature',
  });
}
