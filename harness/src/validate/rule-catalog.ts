import type { Level } from './report.js';

/**
 * Every rule id the validator can report, with the levels it can take and what it checks: the
 * stable contract of `--json` (ids never change meaning; new checks get new ids). The docs' rule
 * table is this list, and a test asserts that every id a report contains is here.
 */
export interface RuleInfo {
  id: string;
  levels: readonly Level[];
  checks: string;
}

const r = (id: string, levels: readonly Level[], checks: string): RuleInfo => ({ id, levels, checks });
const PF = ['pass', 'fail'] as const;
const PW = ['pass', 'warn'] as const;
const PWF = ['pass', 'warn', 'fail'] as const;

export const RULES: readonly RuleInfo[] = [
  r('saml.xml.size', ['fail'], 'the metadata is at most 1 MiB'),
  r('saml.xml.doctype', ['fail'], 'no DOCTYPE (XXE, entity expansion)'),
  r('saml.xml.well-formed', PF, 'well-formed XML (libxml2, no network, no entities)'),
  r('saml.entity.descriptor', PWF, 'exactly one EntityDescriptor with an IDPSSODescriptor (--entity-id picks one of several)'),
  r('saml.entity.id', PF, 'entityID present, an absolute URI, at most 1024 characters'),
  r('saml.idp.protocol', PF, 'protocolSupportEnumeration lists SAML 2.0'),
  r('saml.metadata.valid-until', PF, 'validUntil, when present, is in the future'),
  r('saml.cert.parse', ['fail'], 'every signing ds:X509Certificate is a certificate'),
  r('saml.cert.present', PF, 'at least one signing certificate'),
  r('saml.cert.expired', PWF, 'not expired (warn; fail for --target cxone when no signing certificate is valid)'),
  r('saml.cert.not-yet-valid', PWF, 'already valid (same levels as expired)'),
  r('saml.cert.expiring', PW, 'more than 30 days left'),
  r('saml.cert.key-size', PF, 'RSA ≥ 2048 bits, EC ≥ P-256'),
  r('saml.cert.key-type', PWF, 'an RSA key (warn; fail with --target)'),
  r('saml.cert.signature-algorithm', PWF, 'certificate signed with SHA-256+ (SHA-1 only: fail; SHA-1 beside SHA-256: warn)'),
  r('saml.cert.self-signed', ['pass'], 'informational: self-signed (AD FS default) or CA-issued'),
  r('saml.sso.present', PF, 'at least one SingleSignOnService'),
  r('saml.endpoint.https', PWF, 'each SSO/SLO endpoint is HTTPS (plain HTTP on a loopback host: warn)'),
  r('saml.sso.bindings', PF, 'SSO over HTTP-Redirect or HTTP-POST'),
  r('saml.sso.redirect-binding', PWF, 'HTTP-Redirect SSO (CXone; fail for --target cxone)'),
  r('saml.sso.post-binding', PWF, 'HTTP-POST SSO (Cisco IdS; fail for --target ids)'),
  r('saml.slo.present', PW, 'a SingleLogoutService'),
  r('saml.nameid.formats', PW, 'persistent, unspecified or emailAddress among the NameIDFormats'),
  r('saml.nameid.transient', PW, '--target ids: transient NameIDFormat'),
  r('saml.want-authn-requests-signed', PWF, 'the IdP accepts unsigned AuthnRequests (warn; fail with --target)'),
  r('saml.metadata.signed', PWF, 'signed (unsigned: warn), and the signature verifies with the embedded certificate (integrity only)'),
  r('saml.metadata.signature-algorithm', PW, 'the metadata signature uses SHA-256+'),
  r('ficam.saml.protocol', PF, 'SAML 2.0 only'),
  r('ficam.saml.key-size', PF, 'signing keys RSA ≥ 2048 / EC ≥ P-256'),
  r('ficam.saml.sha256', PF, 'SHA-256+ in signing certificates and the metadata signature'),
  r('ficam.saml.nameid-format', PWF, 'persistent, transient, unspecified NameIDs only'),
  r('ficam.saml.bindings', PF, 'SSO over HTTP-Redirect or HTTP-POST (§3.1 item 9)'),
  r('ficam.saml.https', PWF, 'every endpoint HTTPS (protected session)'),
  r('ficam.saml.metadata-signed', PW, 'signed metadata'),

  r('oidc.json', PF, 'the document is one JSON object'),
  r('oidc.issuer.present', PF, 'issuer present'),
  r('oidc.issuer.https', PWF, 'issuer is https, no query or fragment'),
  r('oidc.issuer.match', PWF, 'issuer identical to the discovery URL prefix (file: warn, not checkable; trailing slash: warn)'),
  r('oidc.required-fields', PF, 'authorization_endpoint, token_endpoint, jwks_uri, response_types_supported, subject_types_supported, id_token_signing_alg_values_supported'),
  r('oidc.endpoint.https', PWF, 'each endpoint is HTTPS (loopback HTTP: warn)'),
  r('oidc.response-type.code', PF, 'the code response type'),
  r('oidc.grant-types', PF, 'authorization_code among grant_types_supported'),
  r('oidc.pkce.s256', PWF, 'code_challenge_methods_supported has S256 (warn; fail for --target cxone)'),
  r('oidc.token-auth.methods', PWF, 'client_secret_basic, client_secret_post or private_key_jwt offered (fail for --target cxone)'),
  r('oidc.userinfo', PW, 'a userinfo_endpoint'),
  r('oidc.end-session', PW, 'an end_session_endpoint'),
  r('oidc.scopes', ['warn'], 'scopes_supported, when present, has openid'),
  r('oidc.id-token.rs256', PF, 'RS256 among the ID token algorithms'),
  r('oidc.id-token.alg-none', PF, "'none' not offered"),
  r('oidc.id-token.hs-only', PWF, 'not only HS* algorithms (warn; fail for --target cxone)'),
  r('oidc.jwks.fetch', PF, 'the jwks_uri answers a JWK Set'),
  r('oidc.jwks.private-material', ['fail'], 'no private or symmetric key material published'),
  r('oidc.jwks.key-valid', PF, 'each key is a usable public key'),
  r('oidc.jwks.rsa-size', PF, 'RSA keys ≥ 2048 bits'),
  r('oidc.jwks.key-alg', ['fail'], "a key's alg matches its type"),
  r('oidc.jwks.kid', PWF, 'signing keys carry a kid (several without: fail)'),
  r('oidc.jwks.alg-coverage', PWF, 'a key for each advertised ID token algorithm (RS256 missing: fail)'),
  r('ficam.oidc.acr-values', PWF, 'acr_values_supported with FICAM LOA values'),
  r('ficam.oidc.private-key-jwt', PF, 'private_key_jwt offered'),
  r('ficam.oidc.client-secret', PW, 'no shared-secret client authentication'),
  r('ficam.oidc.algs', PF, 'PS256 or RS256 for ID tokens'),
  r('ficam.oidc.pkce', PF, 'PKCE S256, no plain'),
  r('ficam.oidc.response-types', PW, 'code only'),
  r('ficam.oidc.pairwise', PF, 'pairwise subjects'),
  r('ficam.oidc.userinfo', PF, 'a userinfo endpoint'),
  r('ficam.oidc.discovery-fields', PF, 'scopes_supported and claims_supported'),
  r('ficam.oidc.jwks-members', PW, 'JWKS keys carry kid and alg'),

  r('live.lab', PF, 'the lab console and CXone admin API answer'),
  r('live.authenticator', PF, 'CXone accepts a login authenticator built from the document'),
  r('live.registration', PW, "CXone's generated values registered at the lab IdP (warn: a partner IdP must register them)"),
  r('live.user', PF, 'the CXone user could be assigned'),
  r('live.sign-in', PF, 'the sign-in through CXone succeeds as that user (fail: with the refusal code)'),
  r('live.cleanup', PW, 'everything the test created was removed or restored'),
];

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((x) => x.id));
