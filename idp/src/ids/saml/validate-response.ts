import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { decodePost } from '../../adfs/inbound/decode-post.js';
import type { InboundLimits } from '../../adfs/inbound/limits.js';
import { withSamlDocument } from '../../adfs/inbound/parse-xml.js';
import { verifySignatureInDocument } from '../../adfs/inbound/verify-post-signature.js';
import { NAMEID_FORMAT, NS, STATUS } from '../../adfs/saml-constants.js';
import { IdpError, type IdpErrorCode } from '../../shared/errors.js';
import type { IdsContext, PendingAuthorization } from '../context.js';
import { checkAssertionTimes } from './check-assertion-times.js';
import { readResponseDocument, type AssertionInfo, type ReadCodes } from './read-response.js';

/** What a response that passed every check establishes. */
export interface ValidatedSignIn {
  uid: string;
  userPrincipal: string;
  nameId: string;
  authorization: PendingAuthorization;
}

/** Cisco's required attributes (reference A.1.7): the login user id and `uid@domain`. */
export const REQUIRED_ATTRIBUTES = ['uid', 'user_principal'] as const;

const READ_CODES: ReadCodes = { structure: 'ERR_IDS_SAML_STRUCTURE', encrypted: 'ERR_IDS_SAML_ENCRYPTED', comment: 'ERR_IDS_SAML_COMMENT' };

const LIMITS: InboundLimits = { maxEncodedBytes: 256 * 1024, maxXmlBytes: 256 * 1024, maxRelayStateBytes: 1024 };

function fail(code: IdpErrorCode, message: string, debug?: string): IdpError {
  return new IdpError(code, message, { status: 403, debug });
}

/**
 * The checks Cisco IdS (an OpenAM-family SAML SP) makes on the IdP's answer at its ACS, strictest
 * reading throughout; any failure ends the sign-in on the IdS error page, never with a token.
 * `receivedAt` is the ACS URL the browser posted to (either form IdS answers at).
 */
export function validateResponse(ctx: IdsContext, form: Record<string, unknown>, receivedAt: string, note: { signature?: 'valid' } = {}): ValidatedSignIn {
  const message = decodePost(form, LIMITS);
  if (message.param !== 'SAMLResponse') throw fail('ERR_IDS_SAML_STRUCTURE', 'The IdS assertion consumer takes a SAMLResponse only.');
  const trust = ctx.trust;
  // One parse (size caps, no DOCTYPE, libxml2, the protocol XSD) serves the reading and both
  // signature checks, so what is read is exactly what was verified.
  const info = withSamlDocument(message.xml, LIMITS, (doc) => {
    const read = readResponseDocument(doc, READ_CODES);
    // saml-core §3.2.2.2: anything but Success carries no assertion to use.
    if (read.statusCode !== STATUS.Success) {
      throw fail('ERR_IDS_SAML_STATUS', `The IdP did not authenticate the user (status ${read.statusCode}${read.statusDetail ? ' / ' + read.statusDetail : ''}).`);
    }
    const assertion = read.assertion;
    if (!assertion) throw fail('ERR_IDS_SAML_STRUCTURE', 'The Response carries no Assertion.');
    // Reference A.1.7: the IdP signs the whole Response (and optionally the assertion); an
    // assertion signed on its own is not accepted. Only the configured IdP certificates are tried.
    if (!read.signed) {
      if (assertion.signed) throw fail('ERR_IDS_SAML_MESSAGE_NOT_SIGNED', 'The IdP signed only the assertion; Cisco IdS requires a signed Response (message, or message and assertion).');
      throw new IdpError('ERR_SAML_SIGNATURE_REQUIRED', 'The Response is not signed.', { status: 403 });
    }
    const assertionOf = (d: XmlDocument) => (d.root.find('saml:Assertion', { saml: NS.assertion }) as XmlElement[])[0]!;
    const carriers = (d: XmlDocument) => [d.root, assertionOf(d)];
    const algs = ['rsa-sha256', 'rsa-sha1'] as const; // reference A.1.7: IdP↔IdS SHA-1 or SHA-256
    forbidden(() => {
      verifySignatureInDocument(doc, trust.signingCerts, algs, { carriers }); // the Response's first: it covers the assertion's
      if (assertion.signed) verifySignatureInDocument(doc, trust.signingCerts, algs, { carriers, element: assertionOf });
    });
    note.signature = 'valid'; // for the console's exchange list (record-exchange.ts)
    return { ...read, assertion };
  });
  const a = info.assertion;

  // saml-core §1.3.4 IDs are unique: the same Response or Assertion twice is a replay.
  if (ctx.replay.seen('r:' + info.id) || ctx.replay.seen('a:' + a.id)) {
    throw fail('ERR_IDS_SAML_REPLAYED', 'This SAML response has already been used.');
  }
  if (info.issuer !== undefined && info.issuer !== trust.entityId) {
    throw fail('ERR_IDS_SAML_ISSUER', 'The Response comes from an IdP IdS does not trust.', `Issuer ${info.issuer}; trusted ${trust.entityId}`);
  }
  if (a.issuer !== trust.entityId) {
    throw fail('ERR_IDS_SAML_ISSUER', 'The assertion comes from an IdP IdS does not trust.', `Issuer ${a.issuer}; trusted ${trust.entityId}`);
  }
  // saml-bindings §3.5.5.2: a signed POST message MUST carry a Destination that is the URL it was received at.
  if (info.destination !== receivedAt) {
    throw fail('ERR_IDS_SAML_DESTINATION', 'The Response is addressed to another endpoint.', `Destination ${info.destination ?? '(none)'}; received at ${receivedAt}`);
  }
  checkAssertionTimes(a, ctx.clock.now(), ctx.config.clockSkewSeconds * 1000, { notYetValid: 'ERR_IDS_SAML_NOT_YET_VALID', expired: 'ERR_IDS_SAML_EXPIRED' });
  // saml-core §2.5.1.4: the assertion is addressed to IdS only if one of its audiences is IdS.
  if (a.audienceRestrictions.length === 0 || !a.audienceRestrictions.every((list) => list.includes(ctx.entityId))) {
    throw fail('ERR_IDS_SAML_AUDIENCE', 'The assertion is not addressed to this Identity Service.', `audiences ${JSON.stringify(a.audienceRestrictions)}; IdS is ${ctx.entityId}`);
  }
  const acsUrls = [ctx.urls.acs, ctx.urls.acsMetaAlias];
  const bearer = a.bearer.find((b) => b.recipient !== undefined && acsUrls.includes(b.recipient));
  // saml-profiles §4.1.4.2: a bearer SubjectConfirmation whose Recipient is the ACS.
  if (!bearer) {
    throw fail('ERR_IDS_SAML_RECIPIENT', 'The assertion names another recipient.', `recipients ${a.bearer.map((b) => b.recipient).join(', ') || '(none)'}`);
  }
  // IdS starts every sign-in itself (SP-initiated only): the answer must name its request.
  if (info.inResponseTo === undefined) throw fail('ERR_IDS_SAML_UNSOLICITED', 'IdS accepts only answers to its own requests; this Response is unsolicited.');
  if (bearer.inResponseTo !== info.inResponseTo) {
    throw fail('ERR_IDS_SAML_IN_RESPONSE_TO', 'The assertion answers another request than the Response.', `Response ${info.inResponseTo}; SubjectConfirmationData ${bearer.inResponseTo ?? '(none)'}`);
  }
  const taken = ctx.pending.take(info.inResponseTo);
  if (taken.found !== 'ok') {
    throw fail('ERR_IDS_SAML_IN_RESPONSE_TO', 'The Response does not answer a pending IdS request.', `InResponseTo ${info.inResponseTo}: ${taken.found}`);
  }
  // Reference A.1.7: NameID format transient.
  if (!a.nameId || a.nameId.format !== NAMEID_FORMAT.transient || a.nameId.value.trim() === '') {
    throw fail('ERR_IDS_SAML_NAMEID', 'The assertion must carry a transient NameID.', `NameID format ${a.nameId?.format ?? '(no NameID)'}`);
  }
  if (!a.hasAuthnStatement) throw fail('ERR_IDS_SAML_STRUCTURE', 'The assertion has no AuthnStatement.');
  const [uid, upn] = REQUIRED_ATTRIBUTES.map((name) => single(a, name));
  return { uid: uid!, userPrincipal: upn!, nameId: a.nameId.value, authorization: taken.value };
}

/** Signature failures are a refused response (403), whatever the verifier's default status. */
function forbidden(verify: () => void): void {
  try {
    verify();
  } catch (e) {
    if (e instanceof IdpError) throw new IdpError(e.code, e.message, { status: 403, debug: e.debug, cause: e });
    throw e;
  }
}

function single(a: AssertionInfo, name: string): string {
  const values = a.attributes.get(name) ?? [];
  const v = values.length === 1 ? values[0]!.trim() : '';
  if (v === '') {
    throw fail('ERR_IDS_SAML_ATTRIBUTE_MISSING', `The assertion must carry the attribute '${name}' with one value (Cisco IdS requires uid and user_principal).`, `values: ${JSON.stringify(values)}`);
  }
  return v;
}
