import type { CxoneErrorCode } from '../cxone/error-codes.js';

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
  | 'ERR_CONTROL_PEER_UNREACHABLE'
  // the console's sample RP
  | 'ERR_SAMPLE_RP_NOT_CONFIGURED'
  | 'ERR_SAMPLE_RP_STATE'
  | 'ERR_SAMPLE_RP_SIGN_IN'
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
  | 'ERR_SAML_ENCRYPTION_CERT_MISSING'
  // Cisco IdS: its SAML SP side (validating the IdP's response)
  | 'ERR_IDS_SAML_STATUS'
  | 'ERR_IDS_SAML_ISSUER'
  | 'ERR_IDS_SAML_DESTINATION'
  | 'ERR_IDS_SAML_IN_RESPONSE_TO'
  | 'ERR_IDS_SAML_UNSOLICITED'
  | 'ERR_IDS_SAML_AUDIENCE'
  | 'ERR_IDS_SAML_RECIPIENT'
  | 'ERR_IDS_SAML_EXPIRED'
  | 'ERR_IDS_SAML_NOT_YET_VALID'
  | 'ERR_IDS_SAML_REPLAYED'
  | 'ERR_IDS_SAML_STRUCTURE'
  | 'ERR_IDS_SAML_ENCRYPTED'
  | 'ERR_IDS_SAML_MESSAGE_NOT_SIGNED'
  | 'ERR_IDS_SAML_NAMEID'
  | 'ERR_IDS_SAML_ATTRIBUTE_MISSING'
  | 'ERR_IDS_SAML_COMMENT'
  | 'ERR_IDS_IDP_METADATA_INVALID'
  // Cisco IdS: its OAuth 2.0 server
  | 'ERR_IDS_UNKNOWN_CLIENT'
  | 'ERR_IDS_REDIRECT_URI'
  | 'ERR_IDS_UNSUPPORTED_RESPONSE_TYPE'
  | 'ERR_IDS_INVALID_REQUEST'
  | 'ERR_IDS_INVALID_CLIENT'
  | 'ERR_IDS_UNSUPPORTED_GRANT_TYPE'
  | 'ERR_IDS_CODE_INVALID'
  | 'ERR_IDS_CODE_EXPIRED'
  | 'ERR_IDS_RELAY_INVALID'
  | 'ERR_IDS_TOKEN_INVALID'
  | 'ERR_IDS_TOKEN_EXPIRED'
  | 'ERR_IDS_TOKEN_REVOKED'
  | 'ERR_IDS_REFRESH_TOKEN_INVALID'
  | 'ERR_IDS_REFRESH_TOKEN_EXPIRED'
  | 'ERR_IDS_ADMIN_UNAUTHORIZED'
  // Cisco Finesse: the SSO token API
  | 'ERR_FINESSE_SSO_DISABLED'
  | 'ERR_FINESSE_SSO_USERNAME_MISSING'
  | 'ERR_FINESSE_SSO_UNKNOWN_USER'
  | 'ERR_FINESSE_SSO_NOT_SSO_USER'
  | 'ERR_FINESSE_SSO_STATE_INVALID'
  | 'ERR_FINESSE_SSO_USER_MISMATCH'
  | 'ERR_FINESSE_SSO_AUTHCODE_MISSING'
  // Cisco Finesse: the REST API (each carries its Finesse ErrorType in details.errorType)
  | 'ERR_FINESSE_UNAUTHORIZED'
  | 'ERR_FINESSE_LOCKED_OUT'
  | 'ERR_FINESSE_WRONG_USER'
  | 'ERR_FINESSE_INVALID_SUPERVISOR'
  | 'ERR_FINESSE_USER_NOT_FOUND'
  | 'ERR_FINESSE_NOT_FOUND'
  | 'ERR_FINESSE_DIALOG_NOT_FOUND'
  | 'ERR_FINESSE_CONTENT_TYPE'
  | 'ERR_FINESSE_MALFORMED_XML'
  | 'ERR_FINESSE_PARAMETER_MISSING'
  | 'ERR_FINESSE_INVALID_INPUT'
  | 'ERR_FINESSE_INVALID_STATE'
  | 'ERR_FINESSE_REASON_CODE_REQUIRED'
  | 'ERR_FINESSE_REASON_CODE_NOT_ALLOWED'
  | 'ERR_FINESSE_INVALID_DESTINATION'
  | 'ERR_FINESSE_NOT_IMPLEMENTED'
  // Finesse notification service (XMPP over WebSocket and BOSH)
  | 'ERR_XMPP_NOT_WELL_FORMED'
  | 'ERR_XMPP_RESTRICTED_XML'
  | 'ERR_XMPP_TOO_LARGE'
  | 'ERR_XMPP_INVALID_NAMESPACE'
  | 'ERR_XMPP_HOST_UNKNOWN'
  | 'ERR_XMPP_NOT_AUTHORIZED'
  | 'ERR_XMPP_UNSUPPORTED_STANZA'
  | 'ERR_XMPP_AUTH_FAILED'
  | 'ERR_XMPP_AUTH_MALFORMED'
  | 'ERR_XMPP_AUTH_MECHANISM'
  | 'ERR_XMPP_AUTH_ABORTED'
  | 'ERR_XMPP_TOKEN_EXPIRED'
  | 'ERR_XMPP_CONFLICT'
  | 'ERR_XMPP_SUBPROTOCOL'
  | 'ERR_XMPP_TIMEOUT'
  | 'ERR_XMPP_SHUTDOWN'
  | 'ERR_XMPP_RESET'
  | 'ERR_XMPP_BOSH_BAD_REQUEST'
  | 'ERR_XMPP_BOSH_UNKNOWN_SESSION'
  | 'ERR_XMPP_BOSH_OVERACTIVE'
  | 'ERR_XMPP_BOSH_BAD_RID'
  | 'ERR_XMPP_UNSUPPORTED_VERSION'
  | 'ERR_XMPP_RESTART_REQUIRED'
  | 'ERR_XMPP_PUBSUB_NOT_IMPLEMENTED'
  | 'ERR_XMPP_PUBSUB_FORBIDDEN'
  | 'ERR_XMPP_PUBSUB_NODE_NOT_FOUND'
  | 'ERR_XMPP_PUBSUB_BAD_JID'
  | 'ERR_XMPP_PUBSUB_NOT_SUBSCRIBED'
  | 'ERR_XMPP_PUBSUB_BAD_SUBID'
  | 'ERR_XMPP_SERVICE_UNAVAILABLE'
  | 'ERR_XMPP_BAD_REQUEST'
  // NICE CXone emulation (listed in cxone/error-codes.ts)
  | CxoneErrorCode;

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
