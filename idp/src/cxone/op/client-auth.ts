import { sameText } from '../../shared/same-text.js';
import type { Request } from 'express';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import type { CxoneApplication } from '../model.js';
import type { TokenForm } from './token-form.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface AuthenticatedClient {
  app: CxoneApplication;
  method: ClientAuthMethod;
}

function invalidClient(message: string, debug?: string): IdpError {
  return new IdpError('ERR_CXONE_OP_INVALID_CLIENT', message, { status: 401, debug });
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded (Appendix B) before they go into Basic. */
function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw invalidClient('The Basic credentials are not form-urlencoded (RFC 6749 §2.3.1).');
  }
}

/**
 * Who is calling the token endpoint. Reference B.3: CXone advertises `client_secret_basic` and
 * `client_secret_post`; public (front-end) applications have no secret and send only
 * `client_id` (RFC 6749 §2.3: they are identified, not authenticated — PKCE protects their codes).
 * RFC 6749 §2.3: a client MUST NOT use more than one method in a request.
 */
export function authenticateClient(ctx: CxoneContext, req: Request, form: TokenForm): AuthenticatedClient {
  const header = req.headers.authorization;
  let clientId: string | undefined;
  let secret: string | undefined;
  let method: ClientAuthMethod;
  if (header !== undefined) {
    const basic = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
    if (!basic) throw invalidClient('The Authorization header is not HTTP Basic client authentication.', header.split(' ')[0]);
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalidClient('The Basic credentials have no ":" between client id and secret.');
    clientId = formDecode(decoded.slice(0, colon));
    secret = formDecode(decoded.slice(colon + 1));
    if (form['client_secret'] !== undefined) throw new IdpError('ERR_CXONE_OP_INVALID_REQUEST', 'Use one client authentication method: Basic or client_secret in the body, not both (RFC 6749 §2.3).');
    if (form['client_id'] !== undefined && form['client_id'] !== clientId) throw invalidClient('client_id in the body is not the Basic user name.');
    method = 'client_secret_basic';
  } else {
    clientId = form['client_id'];
    secret = form['client_secret'];
    method = secret === undefined ? 'none' : 'client_secret_post';
  }
  if (!clientId) throw invalidClient('The request does not identify the client (client_id).');
  const app = ctx.store.applications.get(clientId);
  if (!app) throw invalidClient('Client authentication failed.', `unknown client ${clientId}`);
  if (app.type === 'public') {
    if (secret !== undefined) throw invalidClient('Client authentication failed.', 'a public application has no secret');
    return { app, method: 'none' };
  }
  if (secret === undefined || app.clientSecret === undefined || !sameText(secret, app.clientSecret)) {
    throw invalidClient('Client authentication failed.', secret === undefined ? `${app.type} application sent no secret` : 'wrong secret');
  }
  return { app, method };
}
