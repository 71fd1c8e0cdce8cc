import type { CheckOptions } from '../options.js';
import type { Findings } from '../report.js';
import { list, type Discovery } from './discovery-document.js';

const SPEC = 'OpenID Connect Discovery 1.0 §3';

/**
 * id_token_signing_alg_values_supported: RS256 present (Discovery §3: "The algorithm RS256 MUST
 * be included"); `none` refused (RFC 8725 §3.1, §3.2: an unsigned token must never be accepted
 * where a signed one is expected; CXone never accepts it); MACs only (HS*) warned: the RP would
 * have to verify with the client secret, which CXone never does (the lab:
 * cxone/oidc-rp/verify-jws.ts accepts asymmetric algorithms only).
 */
export function checkIdTokenAlgs(d: Discovery, findings: Findings, o: CheckOptions): void {
  const algs = list(d, 'id_token_signing_alg_values_supported');
  if (!algs) return; // reported by oidc.required-fields
  if (algs.includes('RS256')) findings.pass('oidc.id-token.rs256', 'RS256 is among the ID token signing algorithms.', { spec: SPEC });
  else findings.fail('oidc.id-token.rs256', `id_token_signing_alg_values_supported (${algs.join(', ') || 'empty'}) lacks RS256, which every OP MUST support.`, { spec: SPEC });

  if (algs.includes('none')) findings.fail('oidc.id-token.alg-none', "'none' is advertised for ID tokens: unsigned ID tokens can be forged by anyone. Remove it; CXone refuses unsigned tokens.", { spec: 'RFC 8725 §3.1, §3.2; OpenID Connect Core 1.0 §2' });
  else findings.pass('oidc.id-token.alg-none', "'none' is not advertised.", { spec: 'RFC 8725 §3.1, §3.2' });

  const signing = algs.filter((a) => a !== 'none');
  if (signing.length > 0 && signing.every((a) => /^HS\d+$/.test(a))) {
    findings.add('oidc.id-token.hs-only', o.target === 'cxone' ? 'fail' : 'warn', `Only MAC algorithms (${signing.join(', ')}): the RP must verify ID tokens with the client secret; CXone verifies with the provider's published keys only. Offer RS256.`, { spec: 'RFC 8725 §3.2; OpenID Connect Core 1.0 §10.1' });
  } else {
    findings.pass('oidc.id-token.hs-only', 'Asymmetric ID token signatures are offered.', { spec: 'OpenID Connect Core 1.0 §10.1' });
  }
}
