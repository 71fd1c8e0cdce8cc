import type { IncomingMessage as Request, ServerResponse as Response } from 'node:http';
import type { InteractionResults } from 'oidc-provider';
import type Provider from 'oidc-provider';
import type { User } from '../../directory/user-schema.js';
import { decideAcr } from '../assurance.js';
import type { IssuerRuntime, OidcDeps } from '../context.js';
import { isFicam } from '../profile/ficam.js';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/** The acr values a request asks for, and whether it insists (an essential `acr` claim). */
export function requestedAcr(details: Details): { values: string[]; essential: boolean } {
  const params = details.params as Record<string, unknown>;
  const fromParam = String(params['acr_values'] ?? '').split(' ').filter(Boolean);
  let claimsParam: { id_token?: { acr?: { essential?: boolean; value?: string; values?: string[] } } } = {};
  try {
    if (typeof params['claims'] === 'string') claimsParam = JSON.parse(params['claims']) as typeof claimsParam;
  } catch {
    // oidc-provider already refused malformed claims before the interaction started
  }
  const acr = claimsParam.id_token?.acr;
  const fromClaims = acr?.values ?? (acr?.value ? [acr.value] : []);
  return { values: fromClaims.length ? fromClaims : fromParam, essential: acr?.essential === true };
}

/**
 * Finishes the login prompt for `user`: picks the acr the user reaches among those requested and
 * reports the matching amr. When the request insists (essential acr, or a FICAM client) and the
 * user reaches none, the request ends with `unmet_authentication_requirements` (OpenID Connect
 * Core Error Code unmet_authentication_requirements 1.0).
 */
export async function finishLogin(
  deps: OidcDeps,
  rt: IssuerRuntime,
  req: Request,
  res: Response,
  details: Details,
  user: User,
  authTimeMs: number,
): Promise<void> {
  const provider = rt.provider;
  const client = await provider.Client.find(String(details.params['client_id']));
  const { values, essential } = requestedAcr(details);
  const decision = decideAcr(user, values);
  let result: InteractionResults;
  if (!decision.met && (essential || isFicam(rt.config, client as { profile?: unknown } | undefined))) {
    result = {
      error: 'unmet_authentication_requirements',
      error_description: `user '${user.username}' cannot reach any of the requested acr values (${values.join(' ')})`,
    };
    deps.log.info({ svc: 'oidc', event: 'login.unmet_acr', issuer: rt.config.id, user: user.username, requested: values }, 'requested acr not reachable');
  } else {
    result = { login: { accountId: user.username, acr: decision.acr, amr: decision.amr, remember: true, ts: Math.floor(authTimeMs / 1000) } };
    deps.log.info({ svc: 'oidc', event: 'login.success', issuer: rt.config.id, user: user.username, acr: decision.acr }, 'signed in');
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

/** Grants what the consent prompt is missing (scopes, claims, resource scopes) and finishes it. */
export async function finishConsent(rt: IssuerRuntime, req: Request, res: Response, details: Details): Promise<void> {
  const provider = rt.provider;
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? (await provider.Grant.find(grantId))!
    : new provider.Grant({ accountId: session!.accountId, clientId: String(params['client_id']) });
  const d = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (d.missingOIDCScope?.length) grant.addOIDCScope(d.missingOIDCScope.join(' '));
  if (d.missingOIDCClaims?.length) grant.addOIDCClaims(d.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  const id = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId: id } }, { mergeWithLastSubmission: true });
}
