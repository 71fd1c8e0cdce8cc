import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CxoneContext } from '../context.js';
import type { CxoneUser } from '../model.js';
import { newPasswordFailures, storePassword } from '../system/set-password.js';
import { FieldErrors } from './field-errors.js';

const name = z.string().trim().min(1, 'required').max(100);

export const UserInputSchema = z.strictObject({
  username: z.string().trim().regex(/^[\x21-\x7e]{3,100}$/, '3–100 printable characters without spaces'),
  email: z.email('an e-mail address').max(254),
  firstName: name,
  lastName: name,
  role: z.string().trim().min(1).max(60).default('Agent'),
  active: z.boolean().default(false),
  /** Default: the tenant's default (System) authenticator. */
  loginAuthenticatorId: z.string().min(1).optional(),
  /** SAML NameID or OIDC `sub` exactly, or `claim(<name>):<value>` to link on the first OIDC login. */
  externalIdentity: z.string().trim().min(1).max(512).nullable().optional(),
  /** System authenticators only: checked against the authenticator's rules. */
  password: z.string().min(1).max(256).optional(),
});

/** `claim(email):nick@example.com` (seed 002, OIDC step 5). */
export const CLAIM_IDENTITY = /^claim\(([A-Za-z_][\w.-]{0,63})\):(.+)$/;

/**
 * Validates an admin's user and builds the record (nothing stored here). Every field problem is
 * reported at once. `partial`: a PATCH, the given fields over the existing user.
 */
export function buildUser(ctx: CxoneContext, body: unknown, existing: CxoneUser | undefined, partial: boolean): CxoneUser {
  const errors = new FieldErrors();
  const merged =
    partial && existing && body && typeof body === 'object' && !Array.isArray(body)
      ? {
          username: existing.username,
          email: existing.email,
          firstName: existing.firstName,
          lastName: existing.lastName,
          role: existing.role,
          active: existing.active,
          loginAuthenticatorId: existing.loginAuthenticatorId,
          externalIdentity: existing.externalIdentity,
          ...(body as Record<string, unknown>),
        }
      : body;
  const parsed = UserInputSchema.safeParse(merged);
  if (!parsed.success) {
    errors.addZod(parsed.error);
    errors.throwIfAny();
  }
  const input = parsed.data!;
  const store = ctx.store;
  const taken = store.userByUsername(input.username);
  if (taken && taken.id !== existing?.id) errors.add('username', 'ERR_CXONE_USERNAME_TAKEN', `The username '${input.username}' is taken.`);
  const authenticatorId = input.loginAuthenticatorId ?? existing?.loginAuthenticatorId ?? store.defaultAuthenticator()?.id ?? '';
  const authenticator = store.authenticators.get(authenticatorId);
  if (!authenticator) errors.add('loginAuthenticatorId', 'ERR_CXONE_NOT_FOUND', `There is no login authenticator '${authenticatorId}'.`);
  const externalIdentity = input.externalIdentity === null ? undefined : (input.externalIdentity ?? (partial ? existing?.externalIdentity : undefined));
  if (externalIdentity !== undefined && authenticator) {
    const holder = store.userByExternalIdentity(authenticator.id, externalIdentity);
    if (holder && holder.id !== existing?.id) {
      errors.add('externalIdentity', 'ERR_CXONE_EXTERNAL_IDENTITY_TAKEN', `Another user of '${authenticator.name}' has this external identity; each must be unique.`);
    }
    if (CLAIM_IDENTITY.test(externalIdentity) && authenticator.type !== 'OIDC') {
      errors.add('externalIdentity', 'ERR_CXONE_VALIDATION', 'claim(<name>):<value> identities link OpenID Connect users only.');
    }
  }
  const stamp = new Date(ctx.clock.now()).toISOString();
  const user: CxoneUser = {
    ...(existing ?? {
      id: randomUUID(),
      password: undefined,
      passwordHistory: [],
      mustChangePassword: false,
      failedLogins: 0,
      lockedUntil: undefined,
      mfa: undefined,
      accessKeys: [],
      createdAt: stamp,
    }),
    username: input.username,
    email: input.email,
    firstName: input.firstName,
    lastName: input.lastName,
    role: input.role,
    active: input.active,
    loginAuthenticatorId: authenticatorId,
    externalIdentity,
    updatedAt: stamp,
  };
  if (authenticator?.type === 'System' && input.password !== undefined) {
    for (const f of newPasswordFailures(ctx, user, authenticator.system!.password, input.password)) errors.add('password', f.code, f.message);
  }
  if (authenticator && authenticator.type !== 'System' && input.password !== undefined) {
    errors.add('password', 'ERR_CXONE_VALIDATION', `Users of a ${authenticator.type} authenticator sign in at their IdP and have no CXone password.`);
  }
  // The activation rules apply when a user becomes active (created active, or activated by this change).
  if (user.active && !existing?.active && authenticator) activationFailures(ctx, user, authenticator.type, input.password, errors);
  errors.throwIfAny();
  if (input.password !== undefined) storePassword(ctx, user, input.password, { mustChange: false });
  return user;
}

/**
 * What activating a user requires (seed 002 step 7: the password check runs "when a new user is
 * activated"): a System user needs a password that meets the authenticator's current rules; an
 * external one needs its external identity.
 */
export function activationFailures(ctx: CxoneContext, user: CxoneUser, type: 'System' | 'SAML' | 'OIDC', newPassword: string | undefined, errors: FieldErrors): void {
  if (type === 'System') {
    if (newPassword !== undefined) return; // checked as the new password
    if (!user.password) {
      errors.add('password', 'ERR_CXONE_PASSWORD_REQUIRED', 'A System user needs a password before activation.');
    }
  } else if (user.externalIdentity === undefined) {
    errors.add('externalIdentity', 'ERR_CXONE_VALIDATION', `A ${type} user needs an external identity before activation (it must match what the IdP sends exactly).`);
  }
}

export { newPasswordFailures };
