import type { Request, Response } from 'express';
import type { AcsNote } from '../../shared/acs-exchange.js';
import { IdpError } from '../../shared/errors.js';
import type { CxoneContext } from '../context.js';
import { completeSignIn } from '../login/complete-sign-in.js';
import type { Authenticator, CxoneUser } from '../model.js';
import { recordSamlAcs } from '../record-exchange.js';
import { validateSamlResponse, type SamlSignIn } from './validate-response.js';

/**
 * `POST /auth/authorize?tenantId=<authenticator id>`: the ACS CXone shows for a SAML login
 * authenticator (reference B.2.1). SP-initiated answers finish the sign-in the username page
 * started (and go on to the application that asked, if any); IdP-initiated (unsolicited) ones
 * sign the user in and land on CXone's home page.
 */
export function handleSamlAcs(ctx: CxoneContext, req: Request, res: Response): void {
  const form = (req.body ?? {}) as Record<string, unknown>;
  const note: AcsNote = {};
  let a: Authenticator | undefined;
  let signIn: SamlSignIn;
  let user: CxoneUser;
  try {
    a = samlAuthenticator(ctx, (req.query as Record<string, unknown>)['tenantId']);
    signIn = validateSamlResponse(ctx, a, form, note);
    user = assertedUser(ctx, a, signIn);
  } catch (error) {
    recordSamlAcs(ctx, form, note, a, { error });
    throw error;
  }
  recordSamlAcs(ctx, form, note, a, { user: user.username });
  const tx = signIn.pending ? ctx.logins.at(signIn.pending.transactionId, 'external') : undefined;
  ctx.log.info({ svc: 'cxone', event: 'saml.response.accepted', authenticator: a.name, userId: user.id, solicited: tx !== undefined }, 'SAML response accepted');
  completeSignIn(ctx, req, res, {
    tx,
    user,
    authenticator: a,
    amr: ['fed'],
    acr: signIn.classRef,
    external: { kind: 'saml', authenticatorId: a.id, nameId: signIn.nameId, sessionIndex: signIn.sessionIndex },
  });
}

function samlAuthenticator(ctx: CxoneContext, tenantId: unknown): Authenticator {
  const a = typeof tenantId === 'string' ? ctx.store.authenticators.get(tenantId) : undefined;
  if (!a || a.type !== 'SAML' || !a.saml) {
    throw new IdpError('ERR_CXONE_SAML_UNKNOWN_AUTHENTICATOR', 'There is no SAML login authenticator at this address.', { status: 404, debug: `tenantId ${String(tenantId)}` });
  }
  if (!a.active) throw new IdpError('ERR_CXONE_SAML_UNKNOWN_AUTHENTICATOR', `The login authenticator '${a.name}' is not active.`, { status: 403 });
  return a;
}

/**
 * Seed 002 SAML step 5: the value the IdP sends "must match exactly" the user's External Identity
 * (no trimming, no case folding), among the users of this authenticator. SP-initiated, it must
 * also be the user who typed the username: one account cannot finish another's sign-in.
 */
function assertedUser(ctx: CxoneContext, a: Authenticator, s: SamlSignIn): CxoneUser {
  const user = ctx.store.userByExternalIdentity(a.id, s.nameId);
  if (!user) {
    const elsewhere = ctx.store.anyUserByExternalIdentity(s.nameId);
    if (elsewhere) {
      throw new IdpError('ERR_CXONE_EXTERNAL_IDENTITY_WRONG_AUTHENTICATOR', `The user with this external identity does not sign in with '${a.name}'.`, { status: 403, debug: `NameID ${s.nameId}` });
    }
    throw new IdpError('ERR_CXONE_EXTERNAL_IDENTITY_UNKNOWN', `No user of '${a.name}' has the external identity the identity provider sent.`, { status: 403, debug: `NameID ${s.nameId}` });
  }
  if (s.pending && s.pending.userId !== user.id) {
    throw new IdpError('ERR_CXONE_SAML_USER_MISMATCH', 'The identity provider signed in another user than the one who started this sign-in.', {
      status: 403,
      debug: `started by ${s.pending.userId}; NameID ${s.nameId} is ${user.id}`,
    });
  }
  if (!user.active) throw new IdpError('ERR_CXONE_LOGIN_USER_INACTIVE', 'This user is not active. Ask your administrator to activate it.', { status: 403 });
  return user;
}
