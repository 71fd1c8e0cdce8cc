import type { ResponseFilter } from '../koa-middleware.js';
import type { OidcIssuerConfig } from '../../config/schema.js';
import { FICAM_RULES, isFicam } from './ficam.js';

/**
 * Two FICAM rules are enforced by oidc-provider itself, before the lab's own request checks run:
 * the response type (`checkResponseType`) and PKCE (`checkPKCE`). Their errors are right, but
 * their descriptions do not name the profile's rule. For a FICAM client, this rewrites the
 * `error_description` of such an error on its way back to the redirect URI (query or fragment),
 * keeping the error code, `state` and `iss` untouched.
 */
const LIBRARY_TO_RULE: ReadonlyArray<{ error: string; description: RegExp; rule: string }> = [
  { error: 'unsupported_response_type', description: /./, rule: FICAM_RULES.codeFlowOnly },
  { error: 'invalid_request', description: /^requested response_type is not allowed/, rule: FICAM_RULES.codeFlowOnly },
  { error: 'invalid_request', description: /PKCE|code_challenge/, rule: FICAM_RULES.pkce },
];

export function ficamErrorDescriptions(issuer: OidcIssuerConfig): ResponseFilter {
  return (ctx) => {
    const oidc = ctx.oidc as { route?: string; client?: { profile?: unknown } } | undefined;
    if (oidc?.route !== 'authorization' || !isFicam(issuer, oidc.client)) return;
    const location = ctx.response.get('Location');
    if (!location || !location.includes('error=')) return;
    let url: URL;
    try {
      url = new URL(location, ctx.href);
    } catch {
      return;
    }
    const inFragment = url.hash.length > 1;
    const params = new URLSearchParams(inFragment ? url.hash.slice(1) : url.search);
    const error = params.get('error');
    const description = params.get('error_description') ?? '';
    const match = LIBRARY_TO_RULE.find((m) => m.error === error && m.description.test(description) && !description.startsWith('FICAM/iGov'));
    if (!match) return;
    params.set('error_description', match.rule);
    if (inFragment) url.hash = params.toString();
    else url.search = params.toString();
    ctx.response.set('Location', url.toString());
  };
}
