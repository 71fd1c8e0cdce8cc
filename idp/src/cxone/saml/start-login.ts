import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { Response } from 'express';
import { buildAuthnRequest } from '../../ids/saml/authn-request.js';
import { samlAcsUrl, samlEntityId } from '../authenticator-urls.js';
import type { CxoneContext } from '../context.js';
import type { LoginTransaction } from '../login/transactions.js';
import type { Authenticator, CxoneUser } from '../model.js';

/** How long CXone waits for the IdP's answer: as long as the sign-in itself may take. */
const PENDING_TTL_MS = 15 * 60_000;

/**
 * SP-initiated sign-in (seed 002 step 6: "after the username, the user goes to the external IdP"):
 * an unsigned AuthnRequest to the authenticator's endpoint URL over HTTP-Redirect, with the sign-in
 * transaction as RelayState. Its ID is remembered with the user who typed the username, so the
 * ACS can tell an answer to this request (InResponseTo) from an unsolicited one, and refuse an
 * identity that is not that user's.
 *
 * [INF] The binding CXone uses is NOT FOUND (reference B.2.1); Redirect is what the IdPs CXone
 * documents (Okta, Entra, AD FS) all accept on their SSO URL, and the request carries no
 * NameIDPolicy, so the IdP's own NameID rule (the "Unique User Identifier") decides the identity.
 */
export function startSamlLogin(ctx: CxoneContext, res: Response, tx: LoginTransaction, user: CxoneUser, a: Authenticator): void {
  const saml = a.saml!;
  // saml-core §1.3.4: an xs:ID, unique and unguessable; an NCName must not start with a digit.
  const id = '_' + randomBytes(20).toString('hex');
  ctx.samlRequests.put(id, { authenticatorId: a.id, transactionId: tx.id, userId: user.id }, PENDING_TTL_MS);
  const xml = buildAuthnRequest({
    id,
    issueInstant: ctx.clock.now(),
    destination: saml.endpointUrl,
    acsUrl: samlAcsUrl(ctx.urls.base, a),
    entityId: samlEntityId(ctx.urls.base, a),
  });
  ctx.log.info({ svc: 'cxone', event: 'saml.authn-request.sent', authenticator: a.name, requestId: id, userId: user.id }, 'AuthnRequest sent');
  res.set('Cache-Control', 'no-store');
  res.redirect(302, redirectBindingUrl(saml.endpointUrl, xml, tx.id));
}

/** saml-bindings §3.4.4.1: DEFLATE (RFC 1951, raw), base64, URL-encoded; RelayState beside it. */
function redirectBindingUrl(endpoint: string, xml: string, relayState: string): string {
  const message = deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64');
  const query = `SAMLRequest=${encodeURIComponent(message)}&RelayState=${encodeURIComponent(relayState)}`;
  return endpoint + (endpoint.includes('?') ? '&' : '?') + query;
}
