import { transportVerdict } from '../https-rule.js';
import type { Findings } from '../report.js';
import { issuerPrefixOf, str, type Discovery } from './discovery-document.js';

const SPEC = 'OpenID Connect Discovery 1.0';

/**
 * The issuer: present, https without query or fragment (Discovery §3), and identical to the URL
 * the document was read from minus /.well-known/openid-configuration (Discovery §4.3: "The
 * issuer value returned MUST be identical to the Issuer URL that was used as the prefix … If
 * these values are not identical, the data contained in the response MUST NOT be used"). An RP
 * such as CXone refuses the provider otherwise, and the ID token's `iss` must equal it too.
 */
export function checkIssuer(d: Discovery, discoveryUrl: string | undefined, findings: Findings): void {
  const issuer = str(d, 'issuer');
  if (!issuer) {
    findings.fail('oidc.issuer.present', 'The document has no issuer; it is not an OpenID Provider configuration.', { spec: `${SPEC} §3` });
    return;
  }
  findings.pass('oidc.issuer.present', `issuer '${issuer}'.`, { spec: `${SPEC} §3` });

  const v = transportVerdict(issuer);
  let parsed: URL | undefined;
  try {
    parsed = new URL(issuer);
  } catch {
    parsed = undefined;
  }
  if (parsed && (parsed.search !== '' || parsed.hash !== '')) {
    findings.fail('oidc.issuer.https', 'The issuer has a query or fragment; it must be an https URL without either.', { spec: `${SPEC} §3` });
  } else {
    findings.add('oidc.issuer.https', v.level, v.level === 'pass' ? 'The issuer is an https URL.' : `The issuer: ${v.why}.`, { spec: `${SPEC} §3` });
  }

  if (discoveryUrl === undefined) {
    findings.warn('oidc.issuer.match', 'Read from a file, so the issuer could not be compared with the URL it is served at; pass the discovery URL to check it.', { spec: `${SPEC} §4.3` });
    return;
  }
  const prefix = issuerPrefixOf(discoveryUrl);
  if (issuer === prefix) {
    findings.pass('oidc.issuer.match', `The issuer is identical to the discovery URL's prefix.`, { spec: `${SPEC} §4.3` });
  } else if (issuer.replace(/\/$/, '') === prefix.replace(/\/$/, '')) {
    findings.warn('oidc.issuer.match', `The issuer '${issuer}' and the discovery prefix '${prefix}' differ by a trailing slash; RPs that compare byte for byte refuse it, and the ID token's iss must use the issuer's exact spelling.`, {
      spec: `${SPEC} §4.3`,
    });
  } else {
    findings.fail('oidc.issuer.match', `The issuer '${issuer}' is not the URL the document was read from ('${prefix}'); RPs must not use this configuration. Serve each issuer's document at <issuer>/.well-known/openid-configuration, or use the right URL.`, {
      spec: `${SPEC} §4.3`,
    });
  }
}
