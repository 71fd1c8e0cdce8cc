import { transportVerdict } from '../https-rule.js';
import type { CheckOptions } from '../options.js';
import type { Findings } from '../report.js';
import { list, str, type Discovery } from './discovery-document.js';

const SPEC = 'OpenID Connect Discovery 1.0';

/** OIDC Discovery §3 REQUIRED members (issuer is checked on its own; token_endpoint: required unless implicit-only, and CXone uses the code flow). */
const REQUIRED = ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported'] as const;

/** Every endpoint member an RP may call, for the transport rule. */
const ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint', 'revocation_endpoint', 'introspection_endpoint', 'registration_endpoint'] as const;

/** What CXone's OIDC login authenticators can authenticate to the token endpoint with (seed 002, the lab's cxone/model.ts). */
export const CXONE_CLIENT_AUTH = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;

/**
 * The provider's endpoints and the code flow CXone runs against it: required members, HTTPS,
 * `code`, PKCE S256, client authentication methods, userinfo and end-session.
 */
export function checkProvider(d: Discovery, findings: Findings, o: CheckOptions): void {
  const missing = REQUIRED.filter((k) => d[k] === undefined || d[k] === null || d[k] === '');
  if (missing.length > 0) findings.fail('oidc.required-fields', `Missing REQUIRED members: ${missing.join(', ')}.`, { spec: `${SPEC} §3` });
  else findings.pass('oidc.required-fields', 'Every REQUIRED member is present.', { spec: `${SPEC} §3` });

  for (const k of ENDPOINTS) {
    const url = d[k];
    if (url === undefined || url === null) continue;
    if (typeof url !== 'string') {
      findings.fail('oidc.endpoint.https', `${k} is not a string URL.`, { subject: k, spec: `${SPEC} §3` });
      continue;
    }
    const v = transportVerdict(url);
    findings.add('oidc.endpoint.https', v.level, v.level === 'pass' ? 'HTTPS.' : `${v.why}.`, { subject: `${k} ${url}`, spec: `${SPEC} §3; RFC 6749 §3.1, §3.2` });
  }

  // CXone runs the authorization code flow (seed 002; reference B.2.2).
  const responseTypes = list(d, 'response_types_supported') ?? [];
  if (responseTypes.includes('code')) findings.pass('oidc.response-type.code', 'The code response type is supported.', { spec: 'OpenID Connect Core 1.0 §3.1' });
  else findings.fail('oidc.response-type.code', `response_types_supported (${responseTypes.join(', ') || 'empty'}) lacks 'code': CXone uses the authorization code flow.`, { spec: 'OpenID Connect Core 1.0 §3.1' });

  // Discovery §3: grant_types_supported defaults to ["authorization_code", "implicit"].
  const grants = list(d, 'grant_types_supported');
  if (grants && !grants.includes('authorization_code')) findings.fail('oidc.grant-types', `grant_types_supported (${grants.join(', ')}) lacks authorization_code.`, { spec: `${SPEC} §3` });
  else findings.pass('oidc.grant-types', 'The authorization_code grant is supported.', { spec: `${SPEC} §3` });

  // RFC 7636 §4.2, §4.3: CXone sends code_challenge_method=S256 on every request (the lab:
  // cxone/oidc-rp/start-login.ts) and relies on the OP to bind the code to the verifier.
  const pkce = list(d, 'code_challenge_methods_supported');
  if (pkce?.includes('S256')) {
    findings.pass('oidc.pkce.s256', 'PKCE with S256 is supported.', { spec: 'RFC 7636 §4.2; RFC 8414 §2' });
  } else {
    findings.add(
      'oidc.pkce.s256',
      o.target === 'cxone' ? 'fail' : 'warn',
      `${pkce ? `code_challenge_methods_supported (${pkce.join(', ')}) lacks S256` : 'No code_challenge_methods_supported'}: CXone sends PKCE S256 on every sign-in, and nothing says this OP checks it. Enable PKCE (S256) and advertise it.`,
      { spec: 'RFC 7636 §4.2; RFC 8414 §2' },
    );
  }

  // Discovery §3: "If omitted, the default is client_secret_basic".
  const methods = list(d, 'token_endpoint_auth_methods_supported') ?? ['client_secret_basic'];
  const usable = methods.filter((m) => (CXONE_CLIENT_AUTH as readonly string[]).includes(m));
  if (usable.length > 0) findings.pass('oidc.token-auth.methods', `Client authentication CXone can use: ${usable.join(', ')}.`, { spec: `${SPEC} §3; OpenID Connect Core 1.0 §9` });
  else findings.add('oidc.token-auth.methods', o.target === 'cxone' ? 'fail' : 'warn', `token_endpoint_auth_methods_supported (${methods.join(', ')}) has none of client_secret_basic, client_secret_post, private_key_jwt — the methods CXone authenticates with.`, { spec: `${SPEC} §3; OpenID Connect Core 1.0 §9` });

  if (str(d, 'userinfo_endpoint')) findings.pass('oidc.userinfo', 'A userinfo endpoint is advertised.', { spec: 'OpenID Connect Core 1.0 §5.3' });
  else findings.warn('oidc.userinfo', 'No userinfo_endpoint: CXone can read claims only from the ID token, so linking users by claim(email) needs the email in the ID token.', { spec: 'OpenID Connect Core 1.0 §5.3' });

  if (str(d, 'end_session_endpoint')) findings.pass('oidc.end-session', 'An end_session_endpoint is advertised.', { spec: 'OpenID Connect RP-Initiated Logout 1.0 §2.1' });
  else findings.warn('oidc.end-session', 'No end_session_endpoint: signing out of CXone will not end the session at the IdP, and the next sign-in will not ask for a password.', { spec: 'OpenID Connect RP-Initiated Logout 1.0 §2.1' });

  const scopes = list(d, 'scopes_supported');
  if (scopes && !scopes.includes('openid')) findings.warn('oidc.scopes', `scopes_supported (${scopes.join(', ')}) lacks openid, which the server MUST support.`, { spec: `${SPEC} §3` });
}
