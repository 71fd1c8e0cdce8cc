import type { IdpErrorCode } from '../shared/errors.js';

/**
 * The MSIS event code AD FS shows for each of our error codes on its error page (reference §1.12
 * table). Where public material names no code for a case, MSIS7012 (AD FS's generic "An error
 * occurred while processing the request") stands in; our own code is on the page as well.
 */
const MSIS: Partial<Record<IdpErrorCode, string>> = {
  ERR_SAML_NO_PROTOCOL_MESSAGE: 'MSIS7065',
  ERR_SAML_UNKNOWN_RELYING_PARTY: 'MSIS7007',
  ERR_SAML_SIGNATURE_REQUIRED: 'MSIS7085',
  ERR_SAML_SIGNATURE_ALGORITHM: 'MSIS7093',
  ERR_SAML_SIGNATURE_INVALID: 'MSIS0038',
  ERR_SAML_NO_AUTHN_CONTEXT: 'MSIS7102',
  ERR_SAML_RELAY_STATE_INVALID: 'MSIS7046',
  // [M] AD FS's wording for an unregistered AssertionConsumerServiceUrl (reference §6 item 4).
  ERR_SAML_ACS_UNREGISTERED: 'MSIS7070',
  ERR_SAML_IDP_INITIATED_DISABLED: 'MSIS7012',
};

export function msisFor(code: IdpErrorCode, explicit?: unknown): string {
  if (typeof explicit === 'string' && /^MSIS\d{4}$/.test(explicit)) return explicit;
  return MSIS[code] ?? 'MSIS7012';
}
