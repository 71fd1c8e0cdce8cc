import type { Request, Response } from 'express';
import { NAMEID_FORMAT } from '../../adfs/saml-constants.js';
import { IdpError } from '../../shared/errors.js';
import type { IdsContext } from '../context.js';
import { renderAutoPost } from '../pages/pages.js';
import { buildAuthnRequest, idsRequestId } from '../saml/authn-request.js';

/** How long IdS waits for the IdP's answer to an AuthnRequest (the browser is at the IdP meanwhile). */
const PENDING_TTL_MS = 15 * 60_000;

function one(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new IdpError('ERR_IDS_INVALID_REQUEST', `The ${name} parameter must be sent once.`);
  return v;
}

/**
 * `GET /ids/v1/oauth/authorize` (reference A.1.5 step 2). RFC 6749 §4.1.2.1: while the client or
 * its redirect URI is in doubt the user sees the error page and is never redirected; once both
 * check out, other errors go back to the client as `error=` on its redirect URI. Then IdS, as a
 * SAML SP, sends the browser to the IdP with an HTTP-POST AuthnRequest (step 3).
 */
export function handleAuthorize(ctx: IdsContext, req: Request, res: Response): void {
  const q = req.query as Record<string, unknown>;
  const clientId = one(q, 'client_id');
  if (!clientId) throw new IdpError('ERR_IDS_UNKNOWN_CLIENT', 'The request names no client (client_id).');
  const client = ctx.clients.get(clientId);
  if (!client) throw new IdpError('ERR_IDS_UNKNOWN_CLIENT', `There is no Identity Service client with ID ${clientId}.`);
  const redirectUri = one(q, 'redirect_uri');
  // RFC 6749 §3.1.2.3: with several registered URLs the request must name one; exact match.
  const target = redirectUri ?? (client.redirectUrls.length === 1 ? client.redirectUrls[0] : undefined);
  if (!target || !client.redirectUrls.includes(target)) {
    throw new IdpError('ERR_IDS_REDIRECT_URI', `The redirect URL is not registered for client '${client.name}'.`, { debug: `redirect_uri ${redirectUri ?? '(none)'}` });
  }
  const state = one(q, 'state');
  const responseType = one(q, 'response_type');
  if (responseType !== 'code') {
    // RFC 6749 §4.1.2.1: IdS supports only the authorization-code grant (reference A.1.5).
    const to = new URL(target);
    to.searchParams.set('error', responseType === undefined ? 'invalid_request' : 'unsupported_response_type');
    to.searchParams.set('error_description', responseType === undefined ? 'response_type is required' : 'Cisco IdS supports only response_type=code');
    if (state !== undefined) to.searchParams.set('state', state);
    ctx.log.info({ svc: 'ids', event: 'oauth.authorize.refused', clientId, responseType }, 'authorize refused');
    res.redirect(302, to.toString());
    return;
  }
  const id = idsRequestId();
  ctx.pending.put(id, { clientId: client.clientId, redirectUri: target, state, redirectUriOmitted: redirectUri === undefined }, PENDING_TTL_MS);
  const xml = buildAuthnRequest({
    id,
    issueInstant: ctx.clock.now(),
    destination: ctx.trust.ssoUrl,
    acsUrl: ctx.urls.acs,
    entityId: ctx.entityId,
    nameIdPolicy: { format: NAMEID_FORMAT.transient, spNameQualifier: ctx.entityId },
  });
  ctx.log.info({ svc: 'ids', event: 'saml.authn-request.sent', clientId, requestId: id }, 'AuthnRequest sent');
  res.set('Cache-Control', 'no-store');
  res.type('html').send(renderAutoPost(ctx.trust.ssoUrl, { SAMLRequest: Buffer.from(xml).toString('base64'), RelayState: id }));
}
