import express, { type Request, type Response, type Router } from 'express';
import { IdpError } from '../shared/errors.js';
import type { AdfsContext } from './context.js';
import { adfsErrorHandler } from './error-handler.js';
import type { InboundBinding } from './check-request-signature.js';
import { handleIdpInitiated } from './idp-initiated.js';
import { checkRelayState } from './inbound/codec.js';
import { decodePost } from './inbound/decode-post.js';
import { decodeRedirect } from './inbound/decode-redirect.js';
import { readInboundMessage, type InboundMessage } from './inbound/read-messages.js';
import { recordInbound } from './record-exchange.js';
import { handleLoginSubmit } from './login.js';
import { buildMetadata } from './metadata.js';
import { handleLogoutRequest, handleLogoutResponse, handleSignOut, LogoutChains } from './slo.js';
import { handleAuthnRequest } from './sso.js';

/**
 * The AD FS HTTP surface: metadata, `/adfs/ls/` (every SAML binding, SSO and SLO, plus the forms
 * sign-in post), the IdP-initiated page. Handlers stay thin: decode, read, dispatch; the checks
 * live in their own files and throw; `adfsErrorHandler` writes every failure.
 */
export function adfsRouter(ctx: AdfsContext): Router {
  const router = express.Router({ caseSensitive: false, strict: false });
  const metadata = buildMetadata(ctx);
  const chains = new LogoutChains();
  const limits = ctx.config.limits;
  // Form bodies are capped before parsing; a SAMLRequest larger than maxEncodedBytes is refused
  // by decodePost with its own code, so the parser limit leaves room for the other fields.
  router.use(express.urlencoded({ extended: false, limit: limits.maxEncodedBytes + 16 * 1024, parameterLimit: 50 }));

  router.get('/FederationMetadata/2007-06/FederationMetadata.xml', (_req, res) => {
    res.type('text/xml; charset=utf-8').send(metadata);
  });

  const ls = (req: Request, res: Response) => {
    const rawQuery = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    const q = req.query as Record<string, unknown>;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (req.method === 'POST' && typeof q['client-request-id'] === 'string' && 'UserName' in body) {
      return handleLoginSubmit(ctx, req, res);
    }
    if (req.method === 'GET' && (q['SAMLRequest'] !== undefined || q['SAMLResponse'] !== undefined)) {
      const message = decodeRedirect(rawQuery, limits);
      return dispatch(ctx, chains, req, res, message.xml, { kind: 'redirect', message }, message.relayState);
    }
    if (req.method === 'POST' && (body['SAMLRequest'] !== undefined || body['SAMLResponse'] !== undefined)) {
      const message = decodePost(body, limits);
      return dispatch(ctx, chains, req, res, message.xml, { kind: 'post', xml: message.xml }, message.relayState);
    }
    if (q['wa'] === 'wsignout1.0' || q['wa'] === 'wsignoutcleanup1.0') return handleSignOut(ctx, chains, req, res);
    throw new IdpError('ERR_SAML_NO_PROTOCOL_MESSAGE', 'There are no registered protocol handlers on path /adfs/ls/ to process the incoming request.');
  };
  router.get('/adfs/ls', ls);
  router.post('/adfs/ls', ls);

  router.get('/adfs/ls/IdpInitiatedSignOn.aspx', (req, res) => handleIdpInitiated(ctx, req, res));
  router.post('/adfs/ls/IdpInitiatedSignOn.aspx', (req, res) => handleIdpInitiated(ctx, req, res));

  router.use((req, _res, next) => {
    next(new IdpError('ERR_HTTP_NOT_FOUND', `There is nothing at ${req.path} on this federation service.`, { status: 404 }));
  });
  router.use(adfsErrorHandler(ctx));
  return router;
}

function dispatch(
  ctx: AdfsContext,
  chains: LogoutChains,
  req: Request,
  res: Response,
  xml: string,
  binding: InboundBinding,
  relayState: string | undefined,
): void {
  // Reserved before handling: the request is listed before the response its handling sends.
  const slot = ctx.exchanges.reserve();
  let info: InboundMessage | undefined;
  let code: string | undefined;
  try {
    if (relayState !== undefined) checkRelayState(relayState, ctx.config.limits.maxRelayStateBytes);
    info = readInboundMessage(xml, ctx.config.limits);
    switch (info.kind) {
      case 'AuthnRequest':
        return handleAuthnRequest(ctx, req, res, info, binding, relayState);
      case 'LogoutRequest':
        return handleLogoutRequest(ctx, chains, req, res, info, binding, relayState);
      case 'LogoutResponse':
        return handleLogoutResponse(ctx, chains, res, info, binding);
    }
  } catch (e) {
    code = e instanceof IdpError ? e.code : 'ERR_INTERNAL';
    throw e;
  } finally {
    // A refusal answered with a SAML status response is not thrown: its code is on the response.
    const answered = res.getHeader('X-Idp-Harness-Error');
    recordInbound(slot, xml, info, binding, code ?? (typeof answered === 'string' ? answered : undefined), req.method);
  }
}
