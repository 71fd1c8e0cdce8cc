import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { IdpError } from '../shared/errors.js';
import { adfsId } from '../shared/ids.js';
import { buildLogoutRequest, buildLogoutResponse } from './build-logout.js';
import { checkDestination, checkRequestFreshness, checkVersion } from './check-request-freshness.js';
import { checkRequestSignature, type InboundBinding } from './check-request-signature.js';
import type { AdfsContext } from './context.js';
import type { LogoutRequestInfo, LogoutResponseInfo } from './inbound/read-messages.js';
import { layout } from './pages/html.js';
import { recordOutbound } from './record-exchange.js';
import { findByIdentifier, type RelyingParty } from './relying-parties.js';
import { clearSessionCookie } from './respond.js';
import { STATUS } from './saml-constants.js';
import { sendSignedMessage } from './send-message.js';
import { SESSION_COOKIE, type SessionParticipant, type SsoSession } from './sessions.js';

/** A single logout in progress: the SPs still to be told, and who to answer at the end. */
interface LogoutChain {
  remaining: SessionParticipant[];
  origin: { rp: RelyingParty; requestId: string; relayState: string | undefined } | undefined;
  partial: boolean;
}

/** In-flight logouts, by the ID of the LogoutRequest we sent to the next SP. */
const MAX_CHAINS = 10_000;

export class LogoutChains {
  private byRequestId = new Map<string, { chain: LogoutChain; rpName: string }>();
  put(requestId: string, rpName: string, chain: LogoutChain): void {
    if (this.byRequestId.size >= MAX_CHAINS) this.byRequestId.delete(this.byRequestId.keys().next().value!);
    this.byRequestId.set(requestId, { chain, rpName });
  }
  /** The chain waiting for `rpName`'s answer to `requestId`; nobody else can answer for it. */
  take(requestId: string | undefined, rpName: string): LogoutChain | undefined {
    if (requestId === undefined) return undefined;
    const entry = this.byRequestId.get(requestId);
    if (!entry || entry.rpName !== rpName) return undefined;
    this.byRequestId.delete(requestId);
    return entry.chain;
  }
  clear(): void {
    this.byRequestId.clear();
  }
}

function sloEndpoint(rp: RelyingParty) {
  return rp.endpoints.find((e) => e.kind === 'slo');
}

/**
 * SP-initiated single logout (reference §1.11): verify the LogoutRequest like an AuthnRequest,
 * end the AD FS session, tell every other SP of the session with a front-channel LogoutRequest
 * (its NameID exactly as issued, with its SessionIndex), then answer the origin SP.
 */
export function handleLogoutRequest(ctx: AdfsContext, chains: LogoutChains, req: Request, res: Response, info: LogoutRequestInfo, binding: InboundBinding, relayState: string | undefined): void {
  const rp = findByIdentifier(ctx.relyingParties, info.issuer);
  if (!rp) {
    throw new IdpError('ERR_SAML_UNKNOWN_RELYING_PARTY', `The requested relying party trust '${info.issuer}' is unspecified or unsupported.`);
  }
  const slo = sloEndpoint(rp);
  if (!slo) throw new IdpError('ERR_SAML_LOGOUT_INVALID', `The relying party trust '${rp.name}' has no SAML logout endpoint.`);
  checkDestination(ctx, info.destination);
  const answer = (status: { top: string; second?: string }) =>
    recordLogout(
      ctx,
      slo.binding,
      `LogoutResponse to ${rp.name}: ${(status.second ?? status.top).replace(/^.*:/, '')}`,
      slo.responseUrl ?? slo.url,
      sendSignedMessage(
        res,
        slo.binding,
        slo.responseUrl ?? slo.url,
        'SAMLResponse',
        buildLogoutResponse({ id: adfsId(), issuer: ctx.identifier, issueInstant: ctx.clock.now(), destination: slo.responseUrl ?? slo.url, inResponseTo: info.id, status }),
        ctx.signingKey,
        rp.signatureAlgorithm,
        relayState,
      ),
    );
  try {
    checkVersion(info.version);
    // An RP trust with request-signing certificates must sign its LogoutRequests (reference
    // §1.11); one without cannot be verified, so its unsigned requests count only when they come
    // from the browser holding the session they name (its MSISAuth cookie), never on a NameID.
    checkRequestSignature(rp.requestSigningCerts.length > 0 ? { ...rp, signedSamlRequestsRequired: true } : rp, binding, info.hasSignature);
    checkRequestFreshness(ctx, rp.name, info.id, info.issueInstant);
  } catch (e) {
    const status = e instanceof IdpError ? (e.details['samlStatus'] as { top: string; second?: string } | undefined) : undefined;
    if (!status || !(e instanceof IdpError)) throw e;
    res.set('X-Idp-Harness-Error', e.code);
    return answer(status);
  }
  const verified = rp.requestSigningCerts.length > 0; // checkRequestSignature demanded and verified it
  const cookieSession = ctx.sessions.get(parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE]);
  if (!verified && !matches(cookieSession, rp, info)) {
    res.set('X-Idp-Harness-Error', 'ERR_SAML_SIGNATURE_REQUIRED');
    ctx.log.info({ svc: 'adfs', event: 'saml.logout.refused', rp: rp.name }, 'unsigned LogoutRequest without the session cookie');
    return answer({ top: STATUS.Requester, second: STATUS.RequestDenied });
  }
  const session = matches(cookieSession, rp, info) ? cookieSession : ctx.sessions.findByParticipant(rp.name, info.sessionIndexes[0], info.nameId.value);
  if (cookieSession) {
    clearSessionCookie(ctx, res);
    ctx.labSso.signOut(req, res, ctx.tls);
  }
  if (!session || !matches(session, rp, info)) {
    // Nothing of this principal is signed in here: logging out is already done (idempotent).
    ctx.log.info({ svc: 'adfs', event: 'saml.logout.nosession', rp: rp.name }, 'logout for an unknown session');
    return answer({ top: STATUS.Success });
  }
  ctx.sessions.end(session.id);
  ctx.labSso.end(session.labSsoId);
  const remaining = [...session.participants.values()].filter((p) => p.rpName !== rp.name);
  next(ctx, chains, res, { remaining, origin: { rp, requestId: info.id, relayState }, partial: false });
}

function matches(s: SsoSession | undefined, rp: RelyingParty, info: LogoutRequestInfo): boolean {
  const p = s?.participants.get(rp.name);
  if (!p) return false;
  if (p.nameId && p.nameId.value !== info.nameId.value) return false;
  return info.sessionIndexes.length === 0 || p.sessionIndex === undefined || info.sessionIndexes.includes(p.sessionIndex);
}

/** An SP's answer to our LogoutRequest: note failures, then tell the next SP. */
export function handleLogoutResponse(ctx: AdfsContext, chains: LogoutChains, res: Response, info: LogoutResponseInfo, binding: InboundBinding): void {
  const rp = findByIdentifier(ctx.relyingParties, info.issuer);
  const chain = rp && chains.take(info.inResponseTo, rp.name);
  if (!chain || !rp) {
    throw new IdpError('ERR_SAML_LOGOUT_INVALID', 'The LogoutResponse does not answer a logout request of this federation service.');
  }
  try {
    if (rp.requestSigningCerts.length > 0) checkRequestSignature({ ...rp, signedSamlRequestsRequired: true }, binding, info.hasSignature);
    if (info.statusCode.value !== STATUS.Success) chain.partial = true;
  } catch (e) {
    ctx.log.warn({ svc: 'adfs', event: 'saml.logout.badresponse', rp: rp.name, err: (e as Error).message }, 'LogoutResponse rejected');
    chain.partial = true;
  }
  next(ctx, chains, res, chain);
}

/**
 * IdP-initiated sign-out (`/adfs/ls/?wa=wsignout1.0`, the WS-Federation sign-out AD FS answers):
 * ends the session and logs out every SP of it.
 */
export function handleSignOut(ctx: AdfsContext, chains: LogoutChains, req: Request, res: Response): void {
  const session = ctx.sessions.get(parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE]);
  clearSessionCookie(ctx, res);
  ctx.labSso.signOut(req, res, ctx.tls);
  if (!session) return signedOutPage(ctx, res, false);
  ctx.sessions.end(session.id);
  ctx.labSso.end(session.labSsoId);
  next(ctx, chains, res, { remaining: [...session.participants.values()], origin: undefined, partial: false });
}

function next(ctx: AdfsContext, chains: LogoutChains, res: Response, chain: LogoutChain): void {
  for (;;) {
    const p = chain.remaining.shift();
    if (!p) break;
    const rp = ctx.relyingParties.get(p.rpName);
    const slo = rp && sloEndpoint(rp);
    if (!rp || !slo) {
      chain.partial = true; // AD FS cannot reach an SP without a logout endpoint
      continue;
    }
    const id = adfsId();
    chains.put(id, rp.name, chain);
    ctx.log.info({ svc: 'adfs', event: 'saml.logout.propagated', rp: rp.name }, 'LogoutRequest sent');
    const message = buildLogoutRequest({ id, issuer: ctx.identifier, issueInstant: ctx.clock.now(), destination: slo.url, nameId: p.nameId, sessionIndex: p.sessionIndex });
    const sent = sendSignedMessage(res, slo.binding, slo.url, 'SAMLRequest', message, ctx.signingKey, rp.signatureAlgorithm, randomUUID());
    return recordLogout(ctx, slo.binding, `LogoutRequest to ${rp.name}`, slo.url, sent);
  }
  if (!chain.origin) return signedOutPage(ctx, res, chain.partial);
  const { rp, requestId, relayState } = chain.origin;
  const slo = sloEndpoint(rp)!;
  const status = chain.partial ? { top: STATUS.Success, second: STATUS.PartialLogout } : { top: STATUS.Success };
  const dest = slo.responseUrl ?? slo.url;
  const sent = sendSignedMessage(
    res,
    slo.binding,
    dest,
    'SAMLResponse',
    buildLogoutResponse({ id: adfsId(), issuer: ctx.identifier, issueInstant: ctx.clock.now(), destination: dest, inResponseTo: requestId, status }),
    ctx.signingKey,
    rp.signatureAlgorithm,
    relayState,
  );
  recordLogout(ctx, slo.binding, `LogoutResponse to ${rp.name}${chain.partial ? ': PartialLogout' : ''}`, dest, sent);
}

/** For the console: a logout message AD FS sent, signed (detached on HTTP-Redirect). */
function recordLogout(ctx: AdfsContext, binding: 'POST' | 'Redirect', summary: string, to: string, xml: string): void {
  recordOutbound(ctx, {
    xml,
    summary,
    to,
    signature: { status: 'valid', detail: binding === 'Redirect' ? "detached signature in the URL (HTTP-Redirect), by the lab's AD FS key" : "signed by the lab's AD FS token-signing key (message)" },
  });
}

function signedOutPage(ctx: AdfsContext, res: Response, partial: boolean): void {
  res
    .status(200)
    .type('html')
    .send(
      layout(
        'Sign Out',
        ctx.config.displayName,
        `<p id="signOutMessage">${partial ? 'You have signed out of AD FS, but not every application confirmed it.' : 'You have successfully signed out.'}</p>`,
      ),
    );
}
