/**
 * The claim descriptions a stock AD FS farm advertises in its metadata (reference §1.2 table):
 * claim-type URI and FriendlyName. One place, used by the metadata's fed:ClaimTypesOffered /
 * ClaimTypesRequested and the IDPSSODescriptor's <Attribute> list, and by fixtures' claim rules.
 */
export const CLAIM = {
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  givenName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
  name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  upn: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  commonName: 'http://schemas.xmlsoap.org/claims/CommonName',
  adfs1Email: 'http://schemas.xmlsoap.org/claims/EmailAddress',
  group: 'http://schemas.xmlsoap.org/claims/Group',
  adfs1Upn: 'http://schemas.xmlsoap.org/claims/UPN',
  role: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
  surname: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
  ppid: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/privatepersonalidentifier',
  nameIdentifier: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier',
  authenticationInstant: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationinstant',
  authenticationMethod: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationmethod',
  denyOnlySid: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/denyonlysid',
  denyOnlyPrimarySid: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/denyonlyprimarysid',
  denyOnlyPrimaryGroupSid: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/denyonlyprimarygroupsid',
  groupSid: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groupsid',
  primaryGroupSid: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid',
  primarySid: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/primarysid',
  windowsAccountName: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/windowsaccountname',
  insideCorporateNetwork: 'http://schemas.microsoft.com/ws/2012/01/insidecorporatenetwork',
  passwordExpirationTime: 'http://schemas.microsoft.com/ws/2012/01/passwordexpirationtime',
  passwordExpirationDays: 'http://schemas.microsoft.com/ws/2012/01/passwordexpirationdays',
  passwordChangeUrl: 'http://schemas.microsoft.com/ws/2012/01/passwordchangeurl',
  authnMethodsReferences: 'http://schemas.microsoft.com/claims/authnmethodsreferences',
  alternateLoginId: 'http://schemas.microsoft.com/ws/2013/11/alternateloginid',
  clientRequestId: 'http://schemas.microsoft.com/2012/01/requestcontext/claims/client-request-id',
  relyingPartyTrustId: 'http://schemas.microsoft.com/2012/01/requestcontext/claims/relyingpartytrustid',
} as const;

export interface ClaimDescription {
  uri: string;
  friendlyName: string;
  description: string;
}

export const ADVERTISED_CLAIMS: readonly ClaimDescription[] = [
  { uri: CLAIM.email, friendlyName: 'E-Mail Address', description: 'The e-mail address of the user' },
  { uri: CLAIM.givenName, friendlyName: 'Given Name', description: 'The given name of the user' },
  { uri: CLAIM.name, friendlyName: 'Name', description: 'The unique name of the user' },
  { uri: CLAIM.upn, friendlyName: 'UPN', description: 'The user principal name (UPN) of the user' },
  { uri: CLAIM.commonName, friendlyName: 'Common Name', description: 'The common name of the user' },
  { uri: CLAIM.adfs1Email, friendlyName: 'AD FS 1.x E-Mail Address', description: 'The e-mail address of the user when interoperating with AD FS 1.1 or AD FS 1.0' },
  { uri: CLAIM.group, friendlyName: 'Group', description: 'A group that the user is a member of' },
  { uri: CLAIM.adfs1Upn, friendlyName: 'AD FS 1.x UPN', description: 'The UPN of the user when interoperating with AD FS 1.1 or AD FS 1.0' },
  { uri: CLAIM.role, friendlyName: 'Role', description: 'A role that the user has' },
  { uri: CLAIM.surname, friendlyName: 'Surname', description: 'The surname of the user' },
  { uri: CLAIM.ppid, friendlyName: 'PPID', description: 'The private identifier of the user' },
  { uri: CLAIM.nameIdentifier, friendlyName: 'Name ID', description: 'The SAML name identifier of the user' },
  { uri: CLAIM.authenticationInstant, friendlyName: 'Authentication time stamp', description: 'Used to display the time and date that the user was authenticated' },
  { uri: CLAIM.authenticationMethod, friendlyName: 'Authentication method', description: 'The method used to authenticate the user' },
  { uri: CLAIM.denyOnlySid, friendlyName: 'Deny only group SID', description: 'The deny-only group SID of the user' },
  { uri: CLAIM.denyOnlyPrimarySid, friendlyName: 'Deny only primary SID', description: 'The deny-only primary SID of the user' },
  { uri: CLAIM.denyOnlyPrimaryGroupSid, friendlyName: 'Deny only primary group SID', description: 'The deny-only primary group SID of the user' },
  { uri: CLAIM.groupSid, friendlyName: 'Group SID', description: 'The group SID of the user' },
  { uri: CLAIM.primaryGroupSid, friendlyName: 'Primary group SID', description: 'The primary group SID of the user' },
  { uri: CLAIM.primarySid, friendlyName: 'Primary SID', description: 'The primary SID of the user' },
  { uri: CLAIM.windowsAccountName, friendlyName: 'Windows account name', description: 'The domain account name of the user in the form of domain\\user' },
  { uri: CLAIM.insideCorporateNetwork, friendlyName: 'Inside Corporate Network', description: 'Used to indicate if a request originated inside corporate network' },
  { uri: CLAIM.passwordExpirationTime, friendlyName: 'Password Expiration Time', description: 'Used to display the time when the password expires' },
  { uri: CLAIM.passwordExpirationDays, friendlyName: 'Password Expiration Days', description: 'Used to display the number of days to password expiry' },
  { uri: CLAIM.passwordChangeUrl, friendlyName: 'Update Password URL', description: 'Used to display the web address of update password service' },
  { uri: CLAIM.authnMethodsReferences, friendlyName: 'Authentication Methods References', description: 'Used to indicate all authentication methods used to authenticate the user' },
  { uri: CLAIM.alternateLoginId, friendlyName: 'Alternate Login ID', description: 'Alternate login ID of the user' },
  { uri: CLAIM.clientRequestId, friendlyName: 'Client Request ID', description: 'Identifier for a user session' },
  { uri: CLAIM.relyingPartyTrustId, friendlyName: 'Relying Party Trust Identifier', description: 'Identifier for a relying party trust' },
];
