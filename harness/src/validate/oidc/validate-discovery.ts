import type { CheckOptions } from '../options.js';
import { Findings, type RuleResult } from '../report.js';
import { checkIdTokenAlgs } from './check-id-token-algs.js';
import { checkIgov } from './check-igov.js';
import { checkIssuer } from './check-issuer.js';
import { checkJwks } from './check-jwks.js';
import { checkProvider } from './check-provider.js';
import type { Discovery } from './discovery-document.js';

export interface OidcValidation {
  rules: RuleResult[];
  discovery: Discovery | undefined;
}

/**
 * Every discovery rule, in reading order: the JSON, the issuer, the provider's endpoints and
 * flows, ID token algorithms, the JWKS (fetched), and (`--ficam`) the iGov profile.
 * `discoveryUrl`: where the document was read from, undefined for a file.
 */
export async function validateOidcDiscovery(text: string, discoveryUrl: string | undefined, o: CheckOptions & { ca: string[] | undefined }): Promise<OidcValidation> {
  const findings = new Findings();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    findings.fail('oidc.json', `The document is not JSON (${(e as Error).message}); is this the provider's /.well-known/openid-configuration?`, { spec: 'OpenID Connect Discovery 1.0 §4.2' });
    return { rules: findings.results, discovery: undefined };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    findings.fail('oidc.json', 'The document is JSON but not an object; an OpenID Provider configuration is one JSON object.', { spec: 'OpenID Connect Discovery 1.0 §4.2' });
    return { rules: findings.results, discovery: undefined };
  }
  const d = doc as Discovery;
  findings.pass('oidc.json', 'A JSON object.', { spec: 'OpenID Connect Discovery 1.0 §4.2' });
  checkIssuer(d, discoveryUrl, findings);
  checkProvider(d, findings, o);
  checkIdTokenAlgs(d, findings, o);
  const jwks = await checkJwks(d, o.ca, findings);
  if (o.ficam) checkIgov(d, jwks, findings);
  return { rules: findings.results, discovery: d };
}
