import { publicPemOf } from '../oidc-rp/generated-keys.js';
import { checkSigningCertificate } from '../saml/signing-certificate.js';
import { describeRules } from '../system/password-rules.js';
import type { CxoneContext } from '../context.js';
import type { Authenticator, CxoneUser } from '../model.js';
import { oidcJwksUri, oidcLoginRedirectUri, oidcLogoutRedirectUri, samlAcsUrl, samlEntityId } from '../authenticator-urls.js';

/** An authenticator as the admin API returns it: settings, generated values, never a secret or private key. */
export function presentAuthenticator(ctx: CxoneContext, a: Authenticator) {
  const base = ctx.urls.base;
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    type: a.type,
    status: a.active ? 'Active' : 'Inactive',
    active: a.active,
    isDefault: a.isDefault,
    assignedUsers: ctx.store.usersOf(a.id).length,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    ...(a.system && { system: { ...a.system, rules: describeRules(a.system.password).map((r) => r.text) } }),
    ...(a.saml && {
      saml: {
        endpointUrl: a.saml.endpointUrl,
        ficam: a.saml.ficam,
        certificate: a.saml.certificate,
        certificateInfo: certificateInfo(a.saml.certificate, ctx.clock.now()),
        entityId: samlEntityId(base, a),
        acsUrl: samlAcsUrl(base, a),
      },
    }),
    ...(a.oidc && {
      oidc: {
        discoveryUrl: a.oidc.discoveryUrl,
        issuer: a.oidc.issuer,
        jwksUri: a.oidc.jwksUri,
        authorizationEndpoint: a.oidc.authorizationEndpoint,
        tokenEndpoint: a.oidc.tokenEndpoint,
        userinfoEndpoint: a.oidc.userinfoEndpoint,
        revocationEndpoint: a.oidc.revocationEndpoint,
        endSessionEndpoint: a.oidc.endSessionEndpoint,
        clientId: a.oidc.clientId,
        clientSecretSet: a.oidc.clientSecret !== undefined,
        clientAuthMethod: a.oidc.clientAuthMethod,
        useEncryption: a.oidc.useEncryption,
        ficam: a.oidc.ficam,
        scope: a.oidc.scope,
        acrValues: a.oidc.acrValues,
        loginRedirectUri: oidcLoginRedirectUri(base, a),
        logoutRedirectUri: oidcLogoutRedirectUri(base, a),
        publicKeysUri: oidcJwksUri(base, a),
        ...(a.oidc.signingKey && { clientAssertionKey: { jwk: a.oidc.signingKey.publicJwk, pem: publicPemOf(a.oidc.signingKey) } }),
        ...(a.oidc.encryptionKey && { encryptionKey: { jwk: a.oidc.encryptionKey.publicJwk, pem: publicPemOf(a.oidc.encryptionKey) } }),
      },
    }),
  };
}

function certificateInfo(pem: string, now: number) {
  const c = checkSigningCertificate(pem, now);
  return c.ok ? { ...c.summary, valid: true as const } : { valid: false as const, problem: c.message };
}

/** A user as the admin API returns it: no password hash, no MFA secret, no access-key secret. */
export function presentUser(ctx: CxoneContext, u: CxoneUser) {
  const now = ctx.clock.now();
  const a = ctx.store.authenticators.get(u.loginAuthenticatorId);
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    role: u.role,
    status: u.active ? 'Active' : 'Inactive',
    active: u.active,
    loginAuthenticatorId: u.loginAuthenticatorId,
    loginAuthenticatorName: a?.name,
    externalIdentity: u.externalIdentity,
    passwordSet: u.password !== undefined,
    passwordSetAt: u.password ? new Date(u.password.setAt).toISOString() : undefined,
    mustChangePassword: u.mustChangePassword,
    locked: u.lockedUntil !== undefined && now < u.lockedUntil,
    lockedUntil: u.lockedUntil !== undefined && now < u.lockedUntil ? new Date(u.lockedUntil).toISOString() : undefined,
    failedLogins: u.failedLogins,
    mfaEnrolled: u.mfa !== undefined,
    accessKeyIds: u.accessKeys.map((k) => k.accessKeyId),
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}
