import { FinesseSsoClient } from '../clients/finesse/sso-token-client.js';
import type { MintedToken } from './minted-token.js';

export interface FinesseTokenOptions {
  finesseUrl: string;
  /** The agent's loginName or loginId (`cc_username`). */
  username: string;
  password: string;
  /** The name typed at the IdP when `username` is a loginId. */
  signInName?: string | undefined;
  ca?: string | undefined;
}

/**
 * A Finesse SSO token, the way a third-party desktop gets one (Finesse → IdS → AD FS, TAC 215626):
 * Finesse's JSON `{token, refresh_token, expires_in, user_id, realm, user_principal}`. The `token`
 * is an IdS access token (Finesse redeems the code at IdS for its own IdS client).
 */
export async function finesseToken(o: FinesseTokenOptions): Promise<MintedToken> {
  const client = new FinesseSsoClient({
    finesseUrl: o.finesseUrl,
    username: o.username,
    password: o.password,
    ...(o.signInName === undefined ? {} : { signInName: o.signInName }),
    ...(o.ca === undefined ? {} : { ca: o.ca }),
  });
  const t = await client.acquire();
  const response: Record<string, unknown> = { token: t.token };
  if (t.refreshToken !== undefined) response['refresh_token'] = t.refreshToken;
  response['expires_in'] = t.expiresIn;
  if (t.userId !== undefined) response['user_id'] = t.userId;
  if (t.realm !== undefined) response['realm'] = t.realm;
  if (t.userPrincipal !== undefined) response['user_principal'] = t.userPrincipal;
  return { kind: 'finesse', accessToken: t.token, ...(t.refreshToken === undefined ? {} : { refreshToken: t.refreshToken }), response };
}
