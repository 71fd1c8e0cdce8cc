import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { OidcIssuerConfig } from '../config/schema.js';
import { decideAcr } from './assurance.js';
import type { OidcDeps } from './context.js';
import { isFicam } from './profile/ficam.js';

const { Check } = interactionPolicy;

/**
 * oidc-provider's interaction policy with two checks of the lab's on the login prompt. Both stay
 * quiet right after a sign-in (`ctx.oidc.result.login`), or they would ask again forever.
 */
export function labInteractionPolicy(deps: OidcDeps, issuer: OidcIssuerConfig): ReturnType<typeof interactionPolicy.base> {
  const policy = interactionPolicy.base();
  const login = policy.get('login')!;

  // acr_values are voluntary (OIDC Core §3.1.2.1). A session is asked to sign in again only when
  // the request would get another level than the session has: the user reaches a requested level
  // the session lacks (an emulated step-up, silent) or — a FICAM client — reaches none (which ends
  // in unmet_authentication_requirements). So `prompt=none` with an unreachable voluntary value
  // still succeeds with the session's level, as an interactive request would.
  login.checks.add(
    new Check('acr_values', 'the session does not satisfy the requested acr_values', (ctx: KoaContextWithOIDC) => {
      const requested = String(ctx.oidc.params?.['acr_values'] ?? '').split(' ').filter(Boolean);
      const session = ctx.oidc.session;
      if (requested.length === 0 || ctx.oidc.result?.['login'] || !session?.accountId) return Check.NO_NEED_TO_PROMPT;
      if (session.acr && requested.includes(session.acr)) return Check.NO_NEED_TO_PROMPT;
      const user = deps.users.get(session.accountId);
      if (!user) return Check.REQUEST_PROMPT;
      const decision = decideAcr(user, requested);
      if (!decision.met && isFicam(issuer, ctx.oidc.client as { profile?: unknown } | undefined)) return Check.REQUEST_PROMPT;
      return decision.acr === session.acr ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );

  // With the lab-wide SSO on, this issuer's session lives only as long as the browser's lab
  // session of the same user: a logout at AD FS (or at another issuer) ends it here too.
  login.checks.add(
    new Check('lab_sso_ended', 'the lab-wide sign-in this session came from has ended', (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!deps.labSso.enabled || !accountId || ctx.oidc.result?.['login']) return Check.NO_NEED_TO_PROMPT;
      const lab = deps.labSso.fromRequest(ctx.req);
      return lab && lab.username.toLowerCase() === accountId.toLowerCase() ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}
