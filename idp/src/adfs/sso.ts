import type { Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { IdpError } from '../shared/errors.js';
import { chooseMethod, resolveClassRef, type RequestedContext } from './authn-context.js';
import { checkDestination, checkRequestFreshness, checkVersion } from './check-request-freshness.js';
import { checkRequestSignature, type InboundBinding } from './check-request-signature.js';
import type { AdfsContext } from './context.js';
import type { AuthnRequestInfo } from './inbound/read-messages.js';
import { issueResponse, issueStatusResponse, type ResponseTarget } from './issue-token.js';
import { checkNameIdPolicy, checkRequestedSubject, issueNameId } from './name-id.js';
import { renderLoginPage } from './pages/login-page.js';
import { findByIdentifier, type RelyingParty } from './relying-parties.js';
import { recordOutbound } from './record-exchange.js';
import { resolveAcs } from './resolve-acs.js';
import { sendPostForm, setSessionCookie } from './respond.js';
import { STATUS } from './saml-constants.js';
import { SESSION_COOKIE, type SsoSession } from './sessions.js';

/**
 * SP-initiated SSO (reference §1.8), in AD FS's order. Until the RP and its registered ACS are
 * known, a failure is the HTML error page (nothing may be sent to an unverified URL); after that,
 * a request that cannot be satisfied gets a signed SAML status response at that ACS.
 */
export function handleAuthnRequest(ctx: AdfsContext, req: Request, res: Response, info: AuthnRequestInfo, binding: InboundBinding, relayState: string | undefined): void {
  const rp = findByIdentifier(ctx.relyingParties, info.issuer);
  if (!rp) {
    throw new IdpError(
      'ERR_SAML_UNKNOWN_RELYING_PARTY',
      `The requested relying party trust '${info.issuer}' is unspecified or unsupported. If a relying party trust was specified, it is possible that you do not have permission to access the trust relying party. Contact your administrator for details.`,
    );
  }
  const acsUrl = resolveAcs(rp, info);
  checkDestination(ctx, info.destination);
  const target: ResponseTarget = { acsUrl, inResponseTo: info.id, relayState };
  withStatusResponses(ctx, res, rp, target, () => {
    checkVersion(info.version);
    checkRequestSignature(rp, binding, info.hasSignature);
    checkRequestFreshness(ctx, rp.name, info.id, info.issueInstant);
    const requested: RequestedContext | undefined = info.requestedAuthnContext
      ? { comparison: info.requestedAuthnContext.comparison, classRefs: info.requestedAuthnContext.classRefs }
      : undefined;
    continueSignIn(ctx, req, res, rp, target, {
      requested,
      forceAuthn: info.forceAuthn,
      isPassive: info.isPassive,
      nameIdPolicyFormat: info.nameIdPolicy?.format,
      subjectNameId: info.subjectNameId,
    });
  });
}

export interface SignInRequest {
  requested: RequestedContext | undefined;
  forceAuthn: boolean;
  isPassive: boolean;
  nameIdPolicyFormat: string | undefined;
  subjectNameId: string | undefined;
}

/**
 * From a trusted request to a response: reuse the SSO session when it satisfies the request,
 * sign in with emulated Windows Integrated Authentication when enabled, else show the forms page.
 * Shared by SP- and IdP-initiated sign-on.
 */
export function continueSignIn(ctx: AdfsContext, req: Request, res: Response, rp: RelyingParty, target: ResponseTarget, sr: SignInRequest): void {
  const session = ownSession(ctx, req) ?? adoptLabSso(ctx, req, res);
  const wia = ctx.config.windowsIntegrated;
  const choice = chooseMethod(sr.requested, wia.enabled, session?.method);
  const reuse = choice.reuse && !sr.forceAuthn;
  // Emulated Windows Integrated Authentication takes no control of the UI, so it is passive.
  const silentWia = choice.method === 'windows' && wia.username !== undefined;
  if (sr.isPassive && !reuse && !silentWia) {
    // saml-core §3.4.1: IsPassive means the IdP must not take control of the user interface.
    throw new IdpError('ERR_SAML_NO_PASSIVE', 'IsPassive was requested and the user has no usable session.', {
      details: { samlStatus: { top: STATUS.Responder, second: STATUS.NoPassive } },
    });
  }
  if (reuse && session) return completeSignIn(ctx, res, rp, session, target, sr);
  if (choice.method === 'windows' && wia.username) {
    if (session) ctx.sessions.end(session.id);
    const s = ctx.sessions.create(wia.username, 'windows');
    setSessionCookie(ctx, res, s);
    s.labSsoId = ctx.labSso.signIn(req, res, ctx.tls, wia.username, 'windows', s.authnInstant)?.id;
    return completeSignIn(ctx, res, rp, s, target, sr);
  }
  const id = ctx.pending.add({
    rpName: rp.name,
    target,
    requested: sr.requested,
    forceAuthn: sr.forceAuthn,
    nameIdPolicyFormat: sr.nameIdPolicyFormat,
    subjectNameId: sr.subjectNameId,
  });
  res
    .status(200)
    .type('html')
    .set('Cache-Control', 'no-cache, no-store')
    .send(renderLoginPage({ serviceName: ctx.config.displayName, action: `${ctx.urls.ls}?client-request-id=${id}`, userName: sr.subjectNameId }));
}

/**
 * The browser's MSISAuth session, unless the lab-wide session it belongs to was signed out at
 * another service (an OpenID Provider's RP-initiated logout): one sign-in, one sign-out, so it
 * ends too, as AD FS SLO already ends the lab session the other way round (slo.ts).
 */
function ownSession(ctx: AdfsContext, req: Request): SsoSession | undefined {
  const s = ctx.sessions.get(parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE]);
  if (s?.labSsoId === undefined || !ctx.labSso.wasSignedOut(s.labSsoId)) return s;
  ctx.sessions.end(s.id);
  return undefined;
}

/**
 * A browser that signed in elsewhere in the lab (an OpenID Provider's page) gets an AD FS session
 * from that sign-in, with its method and time, as a federated realm would honour it.
 */
function adoptLabSso(ctx: AdfsContext, req: Request, res: Response): SsoSession | undefined {
  const lab = ctx.labSso.fromRequest(req);
  if (!lab || !ctx.users.get(lab.username)) return undefined;
  // AD FS's SsoLifetime counts from the sign-in, wherever it happened.
  if (lab.authTime + ctx.config.ssoLifetimeMinutes * 60_000 <= ctx.clock.now()) return undefined;
  const s = ctx.sessions.create(lab.username, lab.method, lab.authTime);
  s.labSsoId = lab.id;
  setSessionCookie(ctx, res, s);
  return s;
}

/** Issues the token for a signed-in user and posts it to the ACS. */
export function completeSignIn(ctx: AdfsContext, res: Response, rp: RelyingParty, session: SsoSession, target: ResponseTarget, sr: Pick<SignInRequest, 'requested' | 'nameIdPolicyFormat' | 'subjectNameId'>): void {
  const user = ctx.users.get(session.username);
  if (!user) {
    ctx.sessions.end(session.id);
    throw new IdpError('ERR_SAML_LOGIN_FAILED', `The user '${session.username}' no longer exists.`, {
      details: { samlStatus: { top: STATUS.Responder, second: STATUS.AuthnFailed } },
    });
  }
  const classRef = resolveClassRef(sr.requested, session.method, user, rp.ficam);
  const nameId = issueNameId(rp, user, { user, rpIdentifier: rp.identifiers[0]!, persistentIdSecret: ctx.config.persistentIdSecret });
  checkNameIdPolicy(sr.nameIdPolicyFormat, nameId);
  checkRequestedSubject(sr.subjectNameId, user, nameId);
  const xml = issueResponse(ctx, rp, user, session, target, classRef, nameId);
  sendPostForm(res, target.acsUrl, 'SAMLResponse', xml, target.relayState);
}

/** Runs `fn`; an error that carries a SAML status becomes a signed status response at the ACS. */
export function withStatusResponses(ctx: AdfsContext, res: Response, rp: RelyingParty, target: ResponseTarget, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    const status = e instanceof IdpError ? (e.details['samlStatus'] as { top: string; second?: string } | undefined) : undefined;
    if (!status || !(e instanceof IdpError)) throw e;
    ctx.log.info({ svc: 'adfs', event: 'saml.sso.error', code: e.code, rp: rp.name, debug: e.debug }, e.message);
    res.set('X-Idp-Harness-Error', e.code);
    const xml = issueStatusResponse(ctx, rp, target, status);
    recordOutbound(ctx, {
      xml,
      summary: `Status response to ${rp.name}: ${(status.second ?? status.top).replace(/^.*:/, '')} (${e.code})`,
      to: target.acsUrl,
      code: e.code,
      signature: { status: 'valid', detail: "signed by the lab's AD FS token-signing key (message)" },
    });
    sendPostForm(res, target.acsUrl, 'SAMLResponse', xml, target.relayState);
  }
}
