import { randomBytes } from 'node:crypto';
import { UserAgent } from '../clients/user-agent.js';
import { fetchWithCa } from './fetch-with-ca.js';
import { postTokenForm, type MintedToken } from './minted-token.js';
import { signInUntil } from './sign-in-browser.js';

export interface IdsTokenOptions {
  idsUrl: string;
  /** An IdS client (fixtures/ids/clients.json); IdS clients have no secret. */
  clientId: string;
  /** One of the client's registered redirect URLs; nothing needs to listen there. */
  redirectUri: string;
  /** Credentials at the IdP IdS trusts (the lab's AD FS). */
  username: string;
  password: string;
  ca?: string | undefined;
}

/**
 * An IdS access token straight from Cisco IdS's OAuth server, as an IdS client other than Finesse
 * gets one: `/ids/v1/oauth/authorize` → the IdP's sign-in (SAML) → the code at the client's
 * redirect URL → `POST /ids/v1/oauth/token` (docs/cisco.md). The answer is IdS's own JSON
 * `{access_token, token_type, expires_in, refresh_token, refresh_token_expires_in}`.
 */
export async function idsToken(o: IdsTokenOptions): Promise<MintedToken> {
  const state = randomBytes(16).toString('hex');
  const authorize = new URL('/ids/v1/oauth/authorize', o.idsUrl);
  for (const [k, v] of Object.entries({ client_id: o.clientId, redirect_uri: o.redirectUri, response_type: 'code', state })) authorize.searchParams.set(k, v);
  const ua = new UserAgent(o.ca === undefined ? {} : { ca: o.ca });
  const callback = await signInUntil(ua, authorize.toString(), o.redirectUri, { idp: { username: o.username, password: o.password } });
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`IdS sent no code to ${o.redirectUri} (${callback.searchParams.get('error') ?? 'no error either'})`);
  if (callback.searchParams.get('state') !== state) throw new Error('IdS returned another state than the one sent');
  const response = await postTokenForm(fetchWithCa(o.ca), new URL('/ids/v1/oauth/token', o.idsUrl).toString(), {
    grant_type: 'authorization_code',
    code,
    redirect_uri: o.redirectUri,
    client_id: o.clientId,
  });
  const access = response['access_token'];
  if (typeof access !== 'string') throw new Error('IdS answered no access_token');
  const refresh = response['refresh_token'];
  return { kind: 'ids', accessToken: access, ...(typeof refresh === 'string' ? { refreshToken: refresh } : {}), response };
}
