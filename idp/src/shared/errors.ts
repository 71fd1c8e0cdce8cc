/**
 * One error type for the whole lab. Checks throw it; one error handler per protocol surface turns
 * it into that surface's wire format (AD FS error page or SAML status response, control-API JSON,
 * ...). Tests assert on `code`, never on message text.
 */
export type IdpErrorCode =
  // configuration and start-up
  | 'ERR_CONFIG_INVALID'
  | 'ERR_PKI_MISSING'
  | 'ERR_FIXTURE_INVALID'
  // control API
  | 'ERR_CONTROL_NOT_FOUND'
  | 'ERR_CONTROL_CONFLICT'
  | 'ERR_CONTROL_INVALID'
  // generic HTTP
  | 'ERR_INTERNAL'
  | 'ERR_HTTP_NOT_FOUND'
  | 'ERR_HTTP_METHOD_NOT_ALLOWED'
  | 'ERR_HTTP_BODY_TOO_LARGE'
  | 'ERR_HTTP_BAD_REQUEST'
  // SAML / AD FS surface
  | 'ERR_SAML_NO_PROTOCOL_MESSAGE'
  | 'ERR_SAML_REQUEST_MALFORMED'
  | 'ERR_SAML_REQUEST_TOO_LARGE'
  | 'ERR_SAML_DOCTYPE_FORBIDDEN'
  | 'ERR_SAML_SCHEMA_INVALID'
  | 'ERR_SAML_UNKNOWN_RELYING_PARTY'
  | 'ERR_SAML_ACS_UNREGISTERED'
  | 'ERR_SAML_DESTINATION_MISMATCH'
  | 'ERR_SAML_SIGNATURE_REQUIRED'
  | 'ERR_SAML_SIGNATURE_INVALID'
  | 'ERR_SAML_SIGNATURE_ALGORITHM'
  | 'ERR_SAML_REQUEST_REPLAYED'
  | 'ERR_SAML_REQUEST_EXPIRED'
  | 'ERR_SAML_RELAY_STATE_INVALID'
  | 'ERR_SAML_NAMEID_POLICY'
  | 'ERR_SAML_UNKNOWN_PRINCIPAL'
  | 'ERR_SAML_NO_AUTHN_CONTEXT'
  | 'ERR_SAML_NO_PASSIVE'
  | 'ERR_SAML_IDP_INITIATED_DISABLED'
  | 'ERR_SAML_LOGIN_FAILED'
  | 'ERR_SAML_LOGOUT_INVALID'
  | 'ERR_SAML_ENCRYPTION_CERT_MISSING';

export interface IdpErrorOptions {
  /** HTTP status the surface's handler should use (default 400). */
  status?: number;
  cause?: unknown;
  /** Operator-only detail: logged, never shown to the client. */
  debug?: string;
  /** Structured, surface-specific details (e.g. config issue paths, an MSIS code). */
  details?: Record<string, unknown>;
}

export class IdpError extends Error {
  readonly status: number;
  readonly expose: boolean;
  readonly debug: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(
    readonly code: IdpErrorCode,
    message: string,
    opts: IdpErrorOptions = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.status = opts.status ?? 400;
    this.expose = this.status < 500;
    this.debug = opts.debug;
    this.details = opts.details ?? {};
  }
}

export function isIdpError(e: unknown): e is IdpError {
  return e instanceof IdpError;
}
