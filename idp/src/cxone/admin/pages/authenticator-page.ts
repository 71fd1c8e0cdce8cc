import { h } from '../../../http/html.js';
import type { CxoneContext } from '../../context.js';
import type { Authenticator } from '../../model.js';
import { presentAuthenticator } from '../present.js';
import { actionButton, adminPage, type Notice } from './admin-frame.js';

const row = (label: string, id: string, value: string | undefined) =>
  `<tr><th>${h(label)}</th><td><code class="value" id="${id}">${h(value ?? '—')}</code></td></tr>`;

/**
 * One login authenticator after it was saved: its settings and the values CXone generated, to be
 * registered at the IdP in place of the `…/need_to_change` placeholders (seed 002; reference
 * B.2.1). Every value comes from presentAuthenticator, the admin API's GET, so the page and the
 * API cannot disagree.
 */
export function renderAuthenticatorPage(ctx: CxoneContext, a: Authenticator, notice?: Notice): string {
  const p = presentAuthenticator(ctx, a);
  const base = `/admin/login-authenticators/${encodeURIComponent(a.id)}`;
  const parts: string[] = [];
  parts.push(`<table class="list" id="summary">
${row('Id', 'authenticatorId', p.id)}
${row('Name', 'authenticatorName', p.name)}
${row('Description', 'authenticatorDescription', p.description)}
${row('Type', 'authenticatorType', p.type)}
${row('Status', 'authenticatorStatus', p.status)}
${row('Users', 'assignedUsers', String(p.assignedUsers))}
</table>`);
  if (p.system) {
    const s = p.system;
    parts.push(`<h3>Password rules</h3><ul id="passwordRules">${s.rules.map((r) => `<li>${h(r)}</li>`).join('')}</ul>
<table class="list" id="policy">
${row('Password expires after (days, 0: never)', 'expiryDays', String(s.password.expiryDays))}
${row('Previous passwords remembered', 'history', String(s.password.history))}
${row('Lockout', 'lockout', `${s.password.lockoutAttempts} wrong passwords lock for ${s.password.lockoutMinutes} minutes`)}
${row('Multi-factor authentication', 'mfa', s.mfa.required ? `required (${s.mfa.type})` : 'not required')}
</table>`);
  }
  if (p.saml) {
    const s = p.saml;
    const cert = s.certificateInfo;
    parts.push(`<h3>Generated values — register these at the IdP</h3>
<table class="list" id="generated">
${row('Entity ID (Identifier)', 'samlEntityId', s.entityId)}
${row('Assertion Consumer Service URL (Reply URL)', 'samlAcsUrl', s.acsUrl)}
</table>
<h3>Identity provider</h3>
<table class="list">
${row('Endpoint URL', 'samlEndpointUrl', s.endpointUrl)}
${row('FICAM', 'samlFicam', s.ficam ? 'on' : 'off')}
${cert.valid ? row('Certificate subject', 'certSubject', cert.subject) + row('Valid until', 'certNotAfter', cert.notAfter) + row('SHA-256 fingerprint', 'certFingerprint', cert.sha256Fingerprint) : row('Certificate', 'certProblem', cert.problem)}
</table>`);
  }
  if (p.oidc) {
    const o = p.oidc;
    const key = (title: string, id: string, k: { jwk: Record<string, unknown>; pem: string } | undefined) =>
      k ? `<h4>${h(title)}</h4><p>JWK:</p><pre class="value" id="${id}Jwk">${h(JSON.stringify(k.jwk, null, 2))}</pre><p>PEM:</p><pre class="value" id="${id}Pem">${h(k.pem)}</pre>` : '';
    parts.push(`<h3>Generated values — register these at the IdP</h3>
<table class="list" id="generated">
${row('Sign-in (login) redirect URI', 'oidcLoginRedirectUri', o.loginRedirectUri)}
${row('Sign-out (logout) redirect URI', 'oidcLogoutRedirectUri', o.logoutRedirectUri)}
${row('Public keys (JWKS URL)', 'oidcPublicKeysUri', o.publicKeysUri)}
</table>
${key('Client assertion verification key (private_key_jwt)', 'clientAssertionKey', o.clientAssertionKey)}
${key('Encryption key (ID tokens are encrypted to it)', 'encryptionKey', o.encryptionKey)}
<h3>Identity provider</h3>
<table class="list">
${row('Discovery URL', 'oidcDiscoveryUrl', o.discoveryUrl)}
${row('Issuer', 'oidcIssuer', o.issuer)}
${row('JsonWebKeySet Endpoint', 'oidcJwksUri', o.jwksUri)}
${row('Authorization Endpoint', 'oidcAuthorizationEndpoint', o.authorizationEndpoint)}
${row('Token Endpoint', 'oidcTokenEndpoint', o.tokenEndpoint)}
${row('UserInfo Endpoint', 'oidcUserinfoEndpoint', o.userinfoEndpoint)}
${row('Revocation Endpoint', 'oidcRevocationEndpoint', o.revocationEndpoint)}
${row('End Session Endpoint', 'oidcEndSessionEndpoint', o.endSessionEndpoint)}
${row('Client Identifier', 'oidcClientId', o.clientId)}
${row('Client Secret', 'oidcClientSecret', o.clientSecretSet ? 'set' : 'not set')}
${row('Client Authentication Method', 'oidcClientAuthMethod', o.clientAuthMethod)}
${row('Use Encryption', 'oidcUseEncryption', o.useEncryption ? 'on' : 'off')}
${row('FICAM', 'oidcFicam', o.ficam ? 'on' : 'off')}
${row('ACR values', 'oidcAcrValues', o.acrValues.join(' '))}
${row('Scope', 'oidcScope', o.scope)}
</table>`);
  }
  const actions = [
    `<a id="edit" href="${h(base)}/edit">Edit</a>`,
    a.active ? (a.isDefault ? '' : actionButton(`${base}/deactivate`, 'Deactivate', { id: 'deactivate' })) : actionButton(`${base}/activate`, 'Activate', { id: 'activate' }),
    a.isDefault ? '' : actionButton(`${base}/delete`, 'Delete', { id: 'delete' }),
  ].join(' ');
  return adminPage(`Login authenticator: ${a.name}`, `${parts.join('\n')}\n<p>${actions}</p>`, notice);
}
