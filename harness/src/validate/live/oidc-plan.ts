import { createHash, randomBytes } from 'node:crypto';
import { list, str, type Discovery } from '../oidc/discovery-document.js';
import { LiveError, type LabAccess } from './lab-access.js';
import type { LiveOptions } from './live-options.js';
import type { LivePlan } from './run-live.js';

/**
 * The OIDC live test: an OIDC login authenticator with the validated document's issuer and
 * endpoints (and its discovery URL, so CXone's own "Discover settings" runs too). Against the
 * lab's own OP the validator registers a client itself (secret, or private_key_jwt with the
 * authenticator's generated key under FICAM); against a partner's OP it needs the client the
 * partner registered (`--client-id`, `--client-secret`), whose redirect URI must then be CXone's.
 */
export function oidcPlan(d: Discovery, discoveryUrl: string | undefined, o: LiveOptions, labIssuer: (access: LabAccess) => { id: string } | undefined): LivePlan {
  const issuer = str(d, 'issuer') ?? '';
  const generatedId = `idp-harness-validate-${createHash('sha256').update(issuer).digest('hex').slice(0, 12)}`;
  const generatedSecret = randomBytes(24).toString('base64url');
  let labClient: { id: string } | undefined;
  const acr = o.acr ?? pickAcr(list(d, 'acr_values_supported') ?? []);
  return {
    idpIdentity: `oidc ${issuer}`,
    authenticator(name, access) {
      labClient = labIssuer(access);
      if (!labClient && !o.clientId) {
        throw new LiveError('ERR_VALIDATE_LIVE_CLIENT_REQUIRED', "This OP is not the lab's own: register a client for CXone there and pass --client-id and --client-secret (and --client-auth when not client_secret_basic); run with --keep and register the redirect URI this run prints.");
      }
      const method = o.clientAuth ?? (o.ficam ? 'private_key_jwt' : 'client_secret_basic');
      const secret = labClient && !o.clientId ? generatedSecret : o.clientSecret;
      return {
        name,
        description: 'Temporary: created by idp-harness validate --live',
        type: 'OIDC',
        oidc: {
          ...(discoveryUrl ? { discoveryUrl } : {}),
          issuer,
          jwksUri: str(d, 'jwks_uri'),
          authorizationEndpoint: str(d, 'authorization_endpoint'),
          tokenEndpoint: str(d, 'token_endpoint'),
          ...(str(d, 'userinfo_endpoint') ? { userinfoEndpoint: str(d, 'userinfo_endpoint') } : {}),
          ...(str(d, 'revocation_endpoint') ? { revocationEndpoint: str(d, 'revocation_endpoint') } : {}),
          ...(str(d, 'end_session_endpoint') ? { endSessionEndpoint: str(d, 'end_session_endpoint') } : {}),
          clientId: o.clientId ?? generatedId,
          ...(method !== 'private_key_jwt' && secret ? { clientSecret: secret, clientSecretConfirm: secret } : {}),
          clientAuthMethod: method,
          ficam: o.ficam,
          scope: 'openid email profile',
          ...(o.ficam && acr ? { acrValues: [acr] } : {}),
        },
      };
    },
    registration: (a) => ({
      'client ID': a.oidc.clientId,
      'redirect URI': a.oidc.loginRedirectUri,
      'post-logout redirect URI': a.oidc.logoutRedirectUri,
      ...(a.oidc.clientAssertionKey ? { 'client public keys (jwks_uri)': a.oidc.publicKeysUri } : {}),
    }),
    async registerAtLab(access, a) {
      if (!labClient || o.clientId) return undefined;
      const pkjwt = a.oidc.clientAuthMethod === 'private_key_jwt';
      await access.control.oidcClients.remove(a.oidc.clientId).catch(() => undefined);
      await access.control.oidcClients.add({
        client_id: a.oidc.clientId,
        issuer: labClient.id,
        client_name: a.name,
        token_endpoint_auth_method: a.oidc.clientAuthMethod,
        ...(pkjwt ? { token_endpoint_auth_signing_alg: 'RS256', jwks: { keys: [a.oidc.clientAssertionKey.jwk] } } : { client_secret: generatedSecret }),
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [a.oidc.loginRedirectUri],
        post_logout_redirect_uris: [a.oidc.logoutRedirectUri],
      });
      return async () => {
        await access.control.oidcClients.remove(a.oidc.clientId);
      };
    },
    // Linking by the e-mail claim on the first sign-in (seed 002 OIDC step 5): the OP's `sub` is
    // not known in advance.
    externalIdentity: (user) => o.externalIdentity ?? `claim(email):${user.email}`,
  };
}

/** The acr a FICAM authenticator requests by default: the lowest FICAM LOA the OP offers, else its first value. */
function pickAcr(values: string[]): string | undefined {
  return values.find((v) => v === 'http://idmanagement.gov/ns/assurance/loa/1') ?? values.find((v) => v.startsWith('http://idmanagement.gov/ns/assurance/loa/')) ?? values[0];
}
