/**
 * What the CXone emulation keeps: login authenticators and users, as plain JSON-able records so
 * that the state file (store/state-file.ts) is the same data. Field names follow the admin UI
 * (seed 002, reference B.1–B.2) and the CXone-like user entity of reference B.1.
 */

export const AUTHENTICATOR_TYPES = ['System', 'SAML', 'OIDC'] as const;
export type AuthenticatorType = (typeof AUTHENTICATOR_TYPES)[number];

/** Password complexity and policy of a system authenticator (reference B.1). */
export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
  minLower: number;
  minUpper: number;
  minDigits: number;
  minSpecial: number;
  /** Days a password stays valid; 0: it never expires. */
  expiryDays: number;
  /** How many previous passwords may not be used again; 0: none remembered. */
  history: number;
  /** Consecutive wrong passwords that lock the account (CXone: 6). */
  lockoutAttempts: number;
  /** How long the lock lasts (CXone: 30 minutes); an admin can unlock sooner. */
  lockoutMinutes: number;
}

export const MFA_TYPES = ['HOTP', 'TOTP'] as const;
export type MfaType = (typeof MFA_TYPES)[number];

export interface SystemSettings {
  password: PasswordPolicy;
  mfa: { required: boolean; type: MfaType };
}

export interface SamlSettings {
  /** The IdP's SSO URL, where AuthnRequests go. */
  endpointUrl: string;
  /** The IdP's public signing certificate, PEM, as uploaded. */
  certificate: string;
  /** FICAM: exactly one AuthnContextClassRef and the SAML 2.0 assertion namespace (seed 002 step 3.5). */
  ficam: boolean;
}

export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** A key pair the lab generated for an OIDC authenticator; the public half is shown to register at the IdP. */
export interface GeneratedKey {
  kid: string;
  /** RSA private key as a JWK (kept in the state file: this is a test lab). */
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
}

export interface OidcSettings {
  /** The discovery URL the settings were filled from, if any. */
  discoveryUrl: string | undefined;
  issuer: string;
  jwksUri: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string | undefined;
  revocationEndpoint: string | undefined;
  endSessionEndpoint: string | undefined;
  clientId: string;
  /** For client_secret_basic / client_secret_post. */
  clientSecret: string | undefined;
  clientAuthMethod: ClientAuthMethod;
  /** "Use encryption": the IdP encrypts ID tokens to the generated encryption key. */
  useEncryption: boolean;
  /** FICAM profile: PKCE S256, private_key_jwt, nonce, acr_values sent and acr checked. */
  ficam: boolean;
  /** The scopes asked for (`openid` always). */
  scope: string;
  /** `acr_values` sent (FICAM requires one); the returned `acr` must be one of them. */
  acrValues: string[];
  /** Generated: the client assertion signing key (private_key_jwt). */
  signingKey: GeneratedKey | undefined;
  /** Generated: the ID token decryption key (use encryption). */
  encryptionKey: GeneratedKey | undefined;
}

export interface Authenticator {
  id: string;
  name: string;
  description: string;
  type: AuthenticatorType;
  active: boolean;
  /** The tenant's built-in "System Default" (cannot be deleted). */
  isDefault: boolean;
  system: SystemSettings | undefined;
  saml: SamlSettings | undefined;
  oidc: OidcSettings | undefined;
  createdAt: string;
  updatedAt: string;
}

export interface PasswordHash {
  /** `scrypt$N$salt$hash`, base64url parts. */
  hash: string;
  setAt: number;
}

export interface CxoneUser {
  id: string;
  /** Sign-in name, e-mail-shaped as in CXone; unique, case-insensitive. */
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  /** CXone security role (the access token's `role.id`). */
  role: string;
  active: boolean;
  loginAuthenticatorId: string;
  /**
   * The identity an external IdP asserts for this user: SAML NameID, OIDC `sub`, or
   * `claim(<name>):<value>` to link on first login (then replaced by `sub`).
   */
  externalIdentity: string | undefined;
  password: PasswordHash | undefined;
  /** Earlier password hashes, newest first (policy `history`). */
  passwordHistory: PasswordHash[];
  /** Set by an admin reset or a policy change: the next sign-in must choose a new password. */
  mustChangePassword: boolean;
  failedLogins: number;
  /** Epoch ms until which the account is locked. */
  lockedUntil: number | undefined;
  mfa: { type: MfaType; secret: string; counter: number; lastTotpStep: number | undefined } | undefined;
  /** Access keys for the password grant of back-end integrations (reference B.3). */
  accessKeys: Array<{ accessKeyId: string; accessKeySecret: string }>;
  createdAt: string;
  updatedAt: string;
}

/** Applications registered with CXone as an OpenID provider (reference B.3). */
export interface CxoneApplication {
  clientId: string;
  name: string;
  /** public: front-end, no secret, PKCE S256 required; confidential: secret; backend: token endpoint only. */
  type: 'public' | 'confidential' | 'backend';
  clientSecret: string | undefined;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}
