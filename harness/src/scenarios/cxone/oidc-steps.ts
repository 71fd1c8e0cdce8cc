import { enterUsername, redirectTarget } from '../../clients/cxone/cxone-sign-in.js';
import { authorize } from '../../clients/oidc-browser.js';
import type { UaResponse, UserAgent } from '../../clients/user-agent.js';
import { expectThat } from '../scenario.js';
import type { CxoneLab } from './kit.js';

/**
 * The browser legs of a CXone OIDC sign-in through the lab OP (flow F5), shared by the OIDC
 * scenarios: CXone's username page, its authorization request to the IdP, the lab OP's sign-in
 * page, and CXone's callback (the authenticator's generated login redirect URI).
 */
export interface OidcAuthenticator {
  id: string;
  name: string;
  issuer: string;
  loginRedirectUri: string;
  ficam: boolean;
  raw: Record<string, any>;
}

export function oidcAuthenticatorOf(a: Record<string, any>): OidcAuthenticator {
  expectThat(a['type'] === 'OIDC', `"${String(a['name'])}" is not an OIDC authenticator`);
  const o = a['oidc'] as Record<string, unknown>;
  return { id: a['id'], name: a['name'], issuer: o['issuer'] as string, loginRedirectUri: o['loginRedirectUri'] as string, ficam: o['ficam'] === true, raw: a };
}

export interface OidcSignIn {
  /** CXone's authorization request to the IdP. */
  authorizationRequest: URL;
  /** Where the IdP sent the browser back (CXone's login redirect URI with code and state). */
  callback: URL;
  /** CXone's answer at its callback. */
  answer: UaResponse;
}

/** From `start` (CXone's `/login` or an app's authorization request) through the lab OP back to CXone's callback. */
export async function signInThroughOp(
  lab: CxoneLab,
  ua: UserAgent,
  a: OidcAuthenticator,
  user: { username: string; idpUser: string },
  start = `${lab.cxone}/login`,
): Promise<OidcSignIn> {
  const idp = await lab.idpUser(user.idpUser);
  const authorizationRequest = redirectTarget(await enterUsername(ua, start, user.username));
  expectThat(authorizationRequest.href.startsWith(lab.url('oidc')), `CXone sent the browser to ${authorizationRequest.origin}${authorizationRequest.pathname}, not the lab OP`);
  const q = authorizationRequest.searchParams;
  // Docs "Sign-in" step 1: code flow with PKCE S256 always, state and nonce.
  expectThat(q.get('response_type') === 'code', `response_type is ${q.get('response_type')}`);
  expectThat(q.get('code_challenge_method') === 'S256' && /^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') ?? ''), 'the authorization request has no PKCE S256 challenge');
  expectThat(q.get('redirect_uri') === a.loginRedirectUri, `redirect_uri is ${q.get('redirect_uri')}, not the login redirect URI ${a.loginRedirectUri}`);
  expectThat((q.get('nonce') ?? '').length >= 22 && (q.get('state') ?? '').length >= 22, 'state or nonce shorter than 22 characters');
  const { callback } = await authorize(ua, authorizationRequest, a.loginRedirectUri, { username: idp.username, password: idp.password });
  return { authorizationRequest, callback, answer: await ua.get(callback.toString()) };
}
