import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { IdsContext } from '../context.js';
import { renderAutoPost } from '../pages/pages.js';
import type { AcsNote } from '../../shared/acs-exchange.js';
import { recordAcs } from '../record-exchange.js';
import { validateResponse, type ValidatedSignIn } from './validate-response.js';

/** How long the relay handle lives: the browser posts it back at once. */
const RELAY_TTL_MS = 2 * 60_000;

/**
 * `POST /ids/saml/response` (and `?metaAlias=/sp`): IdS's assertion consumer (reference A.1.5
 * steps 4–5). A response that passes every check becomes a single-use `uniqueId` the page
 * auto-POSTs to `/ids/relay`; the realm is the domain part of `user_principal`.
 */
export function handleAcs(ctx: IdsContext, req: Request, res: Response): void {
  const alias = (req.query as Record<string, unknown>)['metaAlias'];
  if (alias !== undefined && alias !== '/sp') {
    throw new IdpError('ERR_HTTP_NOT_FOUND', `There is no service provider with metaAlias ${String(alias)}.`, { status: 404 });
  }
  const receivedAt = alias === undefined ? ctx.urls.acs : ctx.urls.acsMetaAlias;
  const form = (req.body ?? {}) as Record<string, unknown>;
  const note: AcsNote = {};
  let signIn: ValidatedSignIn;
  try {
    signIn = validateResponse(ctx, form, receivedAt, note);
  } catch (e) {
    recordAcs(ctx, form, note, e instanceof IdpError ? { code: e.code, status: e.status } : { code: 'ERR_INTERNAL', status: 500 });
    throw e;
  }
  recordAcs(ctx, form, note, { user: signIn.uid });
  const at = signIn.userPrincipal.lastIndexOf('@');
  const realm = at > 0 ? signIn.userPrincipal.slice(at + 1) : '';
  const uniqueId = randomBytes(24).toString('base64url');
  ctx.relay.put(uniqueId, { grant: { userId: signIn.uid, upn: signIn.userPrincipal, realm }, authorization: signIn.authorization }, RELAY_TTL_MS);
  ctx.log.info({ svc: 'ids', event: 'saml.response.accepted', user: signIn.uid, clientId: signIn.authorization.clientId }, 'SAML response accepted');
  res.set('Cache-Control', 'no-store');
  res.type('html').send(renderAutoPost(ctx.urls.relay, { uniqueId }));
}

/**
 * `POST /ids/relay` (reference A.1.5 step 5): turns the handle into an authorization code and
 * redirects to the client's redirect URL with `code` and the client's `state`.
 */
export function handleRelay(ctx: IdsContext, req: Request, res: Response): void {
  const uniqueId = (req.body as Record<string, unknown> | undefined)?.['uniqueId'];
  if (typeof uniqueId !== 'string' || uniqueId === '') throw new IdpError('ERR_IDS_RELAY_INVALID', 'The relay request carries no uniqueId.');
  const taken = ctx.relay.take(uniqueId);
  if (taken.found !== 'ok') throw new IdpError('ERR_IDS_RELAY_INVALID', 'This sign-in has already been completed or has expired. Sign in again.', { debug: taken.found });
  const { grant, authorization } = taken.value;
  const code = randomBytes(20).toString('hex');
  ctx.codes.put(
    code,
    { grant: { ...grant, clientId: authorization.clientId }, redirectUri: authorization.redirectUri, redirectUriOmitted: authorization.redirectUriOmitted === true },
    ctx.settings.authorizationCodeMinutes * 60_000,
  );
  const to = new URL(authorization.redirectUri);
  to.searchParams.set('code', code);
  if (authorization.state !== undefined) to.searchParams.set('state', authorization.state);
  ctx.log.info({ svc: 'ids', event: 'oauth.code.issued', user: grant.userId, clientId: authorization.clientId }, 'authorization code issued');
  res.set('Cache-Control', 'no-store');
  res.redirect(302, to.toString());
}
