/** SAML 2.0 URIs used across the AD FS emulation, in one place (saml-core §8, saml-bindings §3). */
export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

export const BINDING = {
  POST: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
  Redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  Artifact: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact',
  SOAP: 'urn:oasis:names:tc:SAML:2.0:bindings:SOAP',
} as const;

export const STATUS = {
  Success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  Requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  Responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  VersionMismatch: 'urn:oasis:names:tc:SAML:2.0:status:VersionMismatch',
  InvalidNameIDPolicy: 'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy',
  NoAuthnContext: 'urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext',
  NoPassive: 'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
  AuthnFailed: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
  RequestDenied: 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
  PartialLogout: 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout',
  UnknownPrincipal: 'urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal',
} as const;

export const NAMEID_FORMAT = {
  emailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  X509SubjectName: 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName',
  WindowsDomainQualifiedName: 'urn:oasis:names:tc:SAML:1.1:nameid-format:WindowsDomainQualifiedName',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  kerberos: 'urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos',
  entity: 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity',
} as const;

export const AUTHN_CONTEXT = {
  PasswordProtectedTransport: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  Password: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
  /** What AD FS emits for Windows Integrated Authentication (Kerberos/NTLM), reference §1.7. */
  Windows: 'urn:federation:authentication:windows',
  X509: 'urn:oasis:names:tc:SAML:2.0:ac:classes:X509',
  TLSClient: 'urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient',
  Kerberos: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos',
  Unspecified: 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified',
} as const;

/** FICAM SAML 2.0 Web Browser SSO Profile level-of-assurance URIs (reference §3), index = LOA. */
export const FICAM_LOA = [
  '',
  'http://idmanagement.gov/icam/2009/12/saml_2.0_profile/assurancelevel1',
  'http://idmanagement.gov/icam/2009/12/saml_2.0_profile/assurancelevel2',
  'http://idmanagement.gov/icam/2009/12/saml_2.0_profile/assurancelevel3',
  'http://idmanagement.gov/icam/2009/12/saml_2.0_profile/assurancelevel4',
] as const;

export const CONSENT_UNSPECIFIED = 'urn:oasis:names:tc:SAML:2.0:consent:unspecified';
export const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
