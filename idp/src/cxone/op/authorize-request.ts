import { IdpError } from '../../shared/errors.js';
import type { CxoneApplication } from '../model.js';

/** An authorization request of an application, validated (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636). */
export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string | undefined;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  prompt: string | undefined;
}

/** A refusal that goes back to the application's redirect URI (RFC 6749 §4.1.2.1), once client and redirect URI are trusted. */
export class RedirectableError extends IdpError {
  constructor(
    readonly oauthError: string,
    message: string,
    readonly redirectUri: string,
    readonly state: string | undefined,
  ) {
    super('ERR_CXONE_OP_INVALID_REQUEST', message, { status: 302, details: { oauthError } });
  }
}

function one(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new IdpError('ERR_CXONE_OP_INVALID_REQUEST', `The parameter ${name} must be given once.`);
  return v;
}

/**
 * Reads `/auth/authorize` parameters. Until the client and its redirect URI are known to be
 * registered, every problem is shown on CXone's error page (RFC 6749 §4.1.2.1: never redirect to
 * an unverified URI); after that, problems go back to the application as `error=`.
 */
export function readAuthorizeRequest(q: Record<string, unknown>, findApp: (clientId: string) => CxoneApplication | undefined): AuthorizeRequest {
  const clientId = one(q, 'client_id');
  if (!clientId) throw new IdpError('ERR_CXONE_OP_INVALID_CLIENT', 'The request has no client_id.');
  const app = findApp(clientId);
  if (!app || app.type === 'backend') {
    throw new IdpError('ERR_CXONE_OP_INVALID_CLIENT', `There is no application '${clientId}' that signs users in.`, { debug: app ? 'backend application' : 'unknown' });
  }
  const redirectUri = one(q, 'redirect_uri');
  // OIDC Core §3.1.2.1: redirect_uri is REQUIRED and must match a registered one exactly.
  if (!redirectUri || !app.redirectUris.includes(redirectUri)) {
    throw new IdpError('ERR_CXONE_OP_REDIRECT_URI', 'The redirect_uri is not registered for this application.', { debug: `redirect_uri ${redirectUri ?? '(none)'}` });
  }
  const state = one(q, 'state');
  const fail = (error: string, message: string) => new RedirectableError(error, message, redirectUri, state);
  const responseType = one(q, 'response_type');
  if (responseType !== 'code') throw fail('unsupported_response_type', 'CXone supports response_type=code only.');
  const scope = one(q, 'scope') ?? '';
  if (!scope.split(' ').includes('openid')) throw fail('invalid_scope', "The scope must include 'openid'.");
  const codeChallenge = one(q, 'code_challenge');
  const method = one(q, 'code_challenge_method');
  // Reference B.3: CXone advertises S256 only; public (front-end) applications must use PKCE.
  if (codeChallenge !== undefined && method !== 'S256') throw fail('invalid_request', 'code_challenge_method must be S256.');
  if (method !== undefined && codeChallenge === undefined) throw fail('invalid_request', 'code_challenge_method without code_challenge.');
  if (codeChallenge !== undefined && !/^[A-Za-z0-9\-._~]{43,128}$/.test(codeChallenge)) throw fail('invalid_request', 'code_challenge must be 43–128 characters (RFC 7636 §4.2).');
  if (app.type === 'public' && codeChallenge === undefined) throw fail('invalid_request', 'Front-end applications must use PKCE (code_challenge with S256).');
  const prompt = one(q, 'prompt');
  if (prompt !== undefined && !['none', 'login'].includes(prompt)) throw fail('invalid_request', `prompt=${prompt} is not supported (none or login).`);
  return { clientId, redirectUri, scope, state, nonce: one(q, 'nonce'), codeChallenge, prompt };
}
