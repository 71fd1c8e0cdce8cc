import { sameText } from '../../shared/same-text.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { Router } from 'express';
import { errors } from 'oidc-provider';
import { findUserBySignInName } from '../../directory/users.js';
import type { User } from '../../directory/user-schema.js';
import type { IssuerRuntime, OidcDeps } from '../context.js';
import { renderConsentPage } from '../pages/consent-page.js';
import { NO_FRAMING } from '../pages/frame.js';
import { BAD_CREDENTIALS_TEXT, renderLoginPage } from '../pages/login-page.js';
import { finishConsent, finishLogin } from './sign-in.js';

type Details = Awaited<ReturnType<IssuerRuntime['provider']['interactionDetails']>>;

/**
 * The user-facing side of an authorization request (`<prefix>/interaction/:uid`): sign-in and
 * consent. oidc-provider hands the browser here whenever a prompt is needed and takes it back
 * with the result. Order of preference for the login prompt:
 * 1. the lab's shared SSO session (a sign-in at AD FS or another issuer), unless the request
 *    demands a fresh sign-in (`prompt=login`, `max_age`) or names someone else (`login_hint`);
 * 2. a session of this issuer asked to reach another acr: the same user, re-evaluated;
 * 3. headless auto sign-in (`oidc.autoSignIn`): the `login_hint` user, else the configured one;
 * 4. the sign-in page, `login_hint` pre-filled.
 */
export function interactionRouter(deps: OidcDeps, runtime: () => IssuerRuntime): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

  router.get('/interaction/:uid', (req, res, next) => {
    showInteraction(deps, runtime(), req, res).catch(next);
  });

  router.post('/interaction/:uid/login', form, async (req, res, next) => {
    try {
      const rt = runtime();
      const details = await rt.provider.interactionDetails(req, res);
      if (details.prompt.name !== 'login') throw new errors.InvalidRequest('this interaction is not waiting for a sign-in');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const username = typeof body['username'] === 'string' ? body['username'] : '';
      const password = typeof body['password'] === 'string' ? body['password'] : '';
      const user = findUserBySignInName(deps.users, username);
      if (!user || !sameText(password, user.password)) {
        deps.log.info({ svc: 'oidc', event: 'login.failed', issuer: rt.config.id, user: username }, 'bad credentials');
        const client = await rt.provider.Client.find(String(details.params['client_id']));
        return sendPage(res, loginPage(rt, details, client?.clientName ?? String(details.params['client_id']), username, BAD_CREDENTIALS_TEXT));
      }
      const now = deps.clock.now();
      deps.labSso.signIn(req, res, deps.tls, user.username, 'forms', now);
      await finishLogin(deps, rt, req, res, details, user, now);
    } catch (e) {
      next(e);
    }
  });

  router.post('/interaction/:uid/consent', form, async (req, res, next) => {
    try {
      const rt = runtime();
      const details = await rt.provider.interactionDetails(req, res);
      if (details.prompt.name !== 'consent') throw new errors.InvalidRequest('this interaction is not waiting for consent');
      if ((req.body as Record<string, unknown> | undefined)?.['decision'] !== 'approve') {
        await rt.provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user denied the request' }, { mergeWithLastSubmission: false });
        return;
      }
      await finishConsent(rt, req, res, details);
    } catch (e) {
      next(e);
    }
  });

  router.post('/interaction/:uid/abort', async (req, res, next) => {
    try {
      await runtime().provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user cancelled the sign-in' }, { mergeWithLastSubmission: false });
    } catch (e) {
      next(e);
    }
  });

  return router;
}

/**
 * `GET <prefix>/interaction/:uid`: what the pending prompt needs. Node's own request and response
 * types, so that the service's listener can call it without express on the sign-in hot path
 * (request-listener.ts). Throws; the caller writes the OAuth error.
 */
export async function showInteraction(deps: OidcDeps, rt: IssuerRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await rt.provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') return handleLoginPrompt(deps, rt, req, res, details);
  if (details.prompt.name === 'consent') {
    const client = await rt.provider.Client.find(String(details.params['client_id']));
    if ((client as { first_party?: boolean } | undefined)?.first_party !== false) return finishConsent(rt, req, res, details);
    return sendPage(res, consentPage(rt, details, client?.clientName ?? String(details.params['client_id'])));
  }
  throw new errors.InvalidRequest(`unexpected prompt ${details.prompt.name}`);
}

async function handleLoginPrompt(deps: OidcDeps, rt: IssuerRuntime, req: IncomingMessage, res: ServerResponse, details: Details): Promise<void> {
  const params = details.params as Record<string, unknown>;
  const reasons = details.prompt.reasons;
  const hint = typeof params['login_hint'] === 'string' ? findUserBySignInName(deps.users, params['login_hint']) : undefined;
  const fresh = reasons.includes('login_prompt') || reasons.includes('id_token_hint');
  // OIDC Core §3.1.2.1: `max_age` asks for a sign-in no older than that, not for a new one (a
  // lab session of the last minutes satisfies max_age=3600; max_age=0 arrives as prompt=login).
  const maxAge = reasons.includes('max_age') && params['max_age'] !== undefined ? Number(params['max_age']) : undefined;
  const recentEnough = (authTime: number) => maxAge === undefined || authTime >= deps.clock.now() - maxAge * 1000;

  const lab = deps.labSso.fromRequest(req);
  if (lab && !fresh && recentEnough(lab.authTime) && (!hint || hint.username.toLowerCase() === lab.username.toLowerCase())) {
    const user = deps.users.get(lab.username);
    if (user) return finishLogin(deps, rt, req, res, details, user, lab.authTime);
  }

  const sessionUser = details.session?.accountId ? deps.users.get(details.session.accountId) : undefined;
  if (sessionUser && !fresh && reasons.every((r) => r === 'acr_values' || r === 'essential_acr' || r === 'essential_acrs')) {
    return finishLogin(deps, rt, req, res, details, sessionUser, deps.clock.now());
  }

  const auto = deps.config.autoSignIn;
  if (auto.enabled) {
    const user: User | undefined = hint ?? (auto.username ? findUserBySignInName(deps.users, auto.username) : undefined);
    if (user) {
      const now = deps.clock.now();
      deps.labSso.signIn(req, res, deps.tls, user.username, 'forms', now);
      return finishLogin(deps, rt, req, res, details, user, now);
    }
  }

  const client = await rt.provider.Client.find(String(params['client_id']));
  sendPage(res, loginPage(rt, details, client?.clientName ?? String(params['client_id']), typeof params['login_hint'] === 'string' ? params['login_hint'] : undefined));
}

function loginPage(rt: IssuerRuntime, details: Details, clientName: string, username?: string, error?: string): string {
  const base = `${rt.prefix}/interaction/${details.uid}`;
  return renderLoginPage({ issuerName: rt.config.id, action: `${base}/login`, abortAction: `${base}/abort`, clientName, username, error });
}

function consentPage(rt: IssuerRuntime, details: Details, clientName: string): string {
  const d = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  return renderConsentPage({
    issuerName: rt.config.id,
    action: `${rt.prefix}/interaction/${details.uid}/consent`,
    clientName,
    username: details.session?.accountId ?? '',
    scopes: d.missingOIDCScope ?? [],
    claims: d.missingOIDCClaims ?? [],
  });
}

function sendPage(res: ServerResponse, html: string): void {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(html), ...NO_FRAMING });
  res.end(html);
}
