import { randomBytes } from 'node:crypto';
import type { User } from '../directory/user-schema.js';
import { IdpError } from '../shared/errors.js';
import type { NameIdValue } from './build-assertion.js';
import { evaluateTemplate, type ClaimContext } from './claims.js';
import type { RelyingParty } from './relying-parties.js';
import { NAMEID_FORMAT, STATUS } from './saml-constants.js';

/**
 * The NameID a relying party's rules issue for this user, or undefined: AD FS emits a NameID only
 * when an issuance rule produces a `nameidentifier` claim (reference §1.6). A transient NameID
 * with no value template gets a fresh opaque value per assertion, as transient identifiers must
 * (saml-core §8.3.8); `{persistentId}` gives a pairwise pseudonym.
 */
export function issueNameId(rp: RelyingParty, user: User, ctx: ClaimContext): NameIdValue | undefined {
  const rule = rp.nameId;
  if (!rule) return undefined;
  let value: string | undefined;
  if (rule.value !== undefined) value = evaluateTemplate(rule.value, ctx)[0];
  else if (rule.format === NAMEID_FORMAT.transient) value = '_' + randomBytes(16).toString('hex');
  else if (rule.format === NAMEID_FORMAT.persistent) value = evaluateTemplate('{persistentId}', ctx)[0];
  else if (rule.format === NAMEID_FORMAT.emailAddress) value = user.email;
  else value = user.upn;
  if (value === undefined || value === '') return undefined;
  return { value, format: rule.format, nameQualifier: rule.nameQualifier, spNameQualifier: rule.spNameQualifier };
}

/**
 * saml-core §3.4.1: with a <Subject> in the AuthnRequest, "the resulting assertion(s) MUST contain
 * a <saml:Subject> element that represents the same principal". The signed-in user must be that
 * principal: the NameID the RP's rule issues, or (as SPs commonly send) the user's name, UPN,
 * e-mail or Windows account name. Anyone else gets Requester/UnknownPrincipal and no assertion.
 */
export function checkRequestedSubject(subject: string | undefined, user: User, issued: NameIdValue | undefined): void {
  if (subject === undefined) return;
  const s = subject.toLowerCase();
  const names = [issued?.value, user.username, user.upn, user.email, `${user.domain}\\${user.username}`];
  if (names.some((n) => n !== undefined && n.toLowerCase() === s)) return;
  throw new IdpError('ERR_SAML_UNKNOWN_PRINCIPAL', `The request asks for an assertion about '${subject}', not about the signed-in user.`, {
    details: { samlStatus: { top: STATUS.Requester, second: STATUS.UnknownPrincipal } },
  });
}

/**
 * NameIDPolicy enforcement (reference §1.6): when the request asks for a Format that no issued
 * NameID has, AD FS answers Requester / InvalidNameIDPolicy. `unspecified` accepts anything
 * (saml-core §3.4.1.1).
 */
export function checkNameIdPolicy(requestedFormat: string | undefined, issued: NameIdValue | undefined): void {
  if (requestedFormat === undefined || requestedFormat === NAMEID_FORMAT.unspecified) return;
  if (issued?.format === requestedFormat) return;
  throw new IdpError(
    'ERR_SAML_NAMEID_POLICY',
    `the request asks for NameID format ${requestedFormat}; the relying party's rules issue ${issued?.format ?? 'no NameID'}`,
    { details: { msis: 'MSIS1000', samlStatus: { top: STATUS.Requester, second: STATUS.InvalidNameIDPolicy } } },
  );
}
