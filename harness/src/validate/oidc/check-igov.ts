import type { Findings } from '../report.js';
import type { JwksSummary } from './check-jwks.js';
import { list, str, type Discovery } from './discovery-document.js';

/**
 * `--ficam`: the iGov profile rules a discovery document and its JWKS can show. "FICAM OIDC" in
 * practice means login.gov + iGov + the idmanagement.gov acr namespace (reference
 * oidc-mocks-and-ficam.md §4.1); each rule cites the iGov section the reference (§4.2) gives.
 */
const IGOV_OIDC = 'iGov OpenID Connect profile (draft 04)';
const IGOV_OAUTH = 'iGov OAuth 2.0 profile (draft 10)';

/** FICAM / login.gov assurance values (reference §4.2 "FICAM acr values"). */
const FICAM_ACR = /^(http:\/\/idmanagement\.gov\/ns\/assurance\/|urn:acr\.login\.gov:|urn:gov:gsa:ac:classes:)/;
const PRIVATE_KEY_METHODS = ['private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'];

export function checkIgov(d: Discovery, jwks: JwksSummary | undefined, findings: Findings): void {
  const acr = list(d, 'acr_values_supported');
  if (!acr || acr.length === 0) {
    findings.fail('ficam.oidc.acr-values', 'No acr_values_supported: a FICAM RP requests a level of assurance with acr_values, and the OP must say which it supports.', { spec: `${IGOV_OIDC} §3.1, "Authentication Context"` });
  } else if (!acr.some((v) => FICAM_ACR.test(v))) {
    findings.warn('ficam.oidc.acr-values', `acr_values_supported (${acr.join(', ')}) has no FICAM level-of-assurance value (http://idmanagement.gov/ns/assurance/…, urn:acr.login.gov:…).`, { spec: `${IGOV_OIDC} §3.1; login.gov service levels` });
  } else {
    findings.pass('ficam.oidc.acr-values', `FICAM assurance values offered: ${acr.filter((v) => FICAM_ACR.test(v)).join(', ')}.`, { spec: `${IGOV_OIDC} §3.1` });
  }

  const methods = list(d, 'token_endpoint_auth_methods_supported') ?? ['client_secret_basic'];
  if (methods.includes('private_key_jwt')) findings.pass('ficam.oidc.private-key-jwt', 'private_key_jwt client authentication is supported.', { spec: `${IGOV_OIDC} §2.2; ${IGOV_OAUTH} §2.6.2` });
  else findings.fail('ficam.oidc.private-key-jwt', `token_endpoint_auth_methods_supported (${methods.join(', ')}) lacks private_key_jwt, which FICAM clients (and CXone's FICAM authenticators) must use.`, { spec: `${IGOV_OIDC} §2.2; ${IGOV_OAUTH} §2.6.2` });
  const secrets = methods.filter((m) => !PRIVATE_KEY_METHODS.includes(m) && m !== 'none');
  if (secrets.length > 0) findings.warn('ficam.oidc.client-secret', `Shared-secret client authentication is offered (${secrets.join(', ')}); iGov allows private_key_jwt or mutual TLS only. Refuse it for FICAM clients.`, { spec: `${IGOV_OAUTH} §2.6.2, "Client authentication"` });
  else findings.pass('ficam.oidc.client-secret', 'No shared-secret client authentication is offered.', { spec: `${IGOV_OAUTH} §2.6.2` });

  const algs = list(d, 'id_token_signing_alg_values_supported') ?? [];
  if (algs.includes('PS256') || algs.includes('RS256')) findings.pass('ficam.oidc.algs', `ID tokens can be signed with ${algs.filter((a) => a === 'PS256' || a === 'RS256').join(' and ')}.`, { spec: `${IGOV_OAUTH} "Global Requirements"; ${IGOV_OIDC} §3.3` });
  else findings.fail('ficam.oidc.algs', `Neither PS256 nor RS256 among the ID token algorithms (${algs.join(', ') || 'none'}).`, { spec: `${IGOV_OAUTH} "Global Requirements"; ${IGOV_OIDC} §3.3` });

  const pkce = list(d, 'code_challenge_methods_supported') ?? [];
  if (pkce.includes('S256') && !pkce.includes('plain')) findings.pass('ficam.oidc.pkce', 'PKCE S256, and plain is not allowed.', { spec: `${IGOV_OAUTH} §2.6.1, "PKCE"` });
  else findings.fail('ficam.oidc.pkce', pkce.includes('plain') ? "PKCE 'plain' is allowed; iGov requires S256 and forbids plain." : 'PKCE S256 is not advertised; iGov requires it on every request.', { spec: `${IGOV_OAUTH} §2.6.1, "PKCE"` });

  const responseTypes = list(d, 'response_types_supported') ?? [];
  const implicit = responseTypes.filter((t) => t !== 'code');
  if (implicit.length === 0) findings.pass('ficam.oidc.response-types', 'Only the code response type.', { spec: `${IGOV_OIDC} §2.1` });
  else findings.warn('ficam.oidc.response-types', `Implicit or hybrid response types are offered (${implicit.join(', ')}); iGov allows the code flow only.`, { spec: `${IGOV_OIDC} §2.1` });

  const subjects = list(d, 'subject_types_supported') ?? [];
  if (subjects.includes('pairwise')) findings.pass('ficam.oidc.pairwise', 'Pairwise subject identifiers are supported.', { spec: `${IGOV_OIDC} "Pairwise Identifiers"` });
  else findings.fail('ficam.oidc.pairwise', 'Pairwise subject identifiers are not supported; iGov OPs MUST support them.', { spec: `${IGOV_OIDC} "Pairwise Identifiers"; OpenID Connect Core 1.0 §8.1` });

  if (str(d, 'userinfo_endpoint')) findings.pass('ficam.oidc.userinfo', 'A userinfo endpoint is advertised.', { spec: `${IGOV_OIDC} "UserInfo Endpoint"` });
  else findings.fail('ficam.oidc.userinfo', 'No userinfo_endpoint; iGov OPs MUST provide one.', { spec: `${IGOV_OIDC} "UserInfo Endpoint"` });

  const missing = ['scopes_supported', 'claims_supported'].filter((k) => !Array.isArray(d[k]));
  if (missing.length === 0) findings.pass('ficam.oidc.discovery-fields', 'scopes_supported and claims_supported are published.', { spec: `${IGOV_OIDC} "Discovery"` });
  else findings.fail('ficam.oidc.discovery-fields', `Missing ${missing.join(' and ')}, which iGov discovery requires.`, { spec: `${IGOV_OIDC} "Discovery"` });

  if (jwks) {
    const incomplete = jwks.keys.filter((k) => typeof k['kid'] !== 'string' || typeof k['alg'] !== 'string');
    if (incomplete.length === 0) findings.pass('ficam.oidc.jwks-members', 'Every JWKS key carries kid, kty and alg.', { spec: `${IGOV_OIDC} "Discovery"` });
    else findings.warn('ficam.oidc.jwks-members', `${incomplete.length} JWKS key(s) without kid or alg; iGov keys carry kid, kty and alg.`, { spec: `${IGOV_OIDC} "Discovery"` });
  }
}
