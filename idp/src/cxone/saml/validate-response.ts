import { X509Certificate } from 'node:crypto';
import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { decodePost } from '../../adfs/inbound/decode-post.js';
import type { InboundLimits } from '../../adfs/inbound/limits.js';
import { withSamlDocument } from '../../adfs/inbound/parse-xml.js';
import { verifySignatureInDocument } from '../../adfs/inbound/verify-post-signature.js';
import { NS, STATUS } from '../../adfs/saml-constants.js';
import { checkAssertionTimes } from '../../ids/saml/check-assertion-times.js';
import { readResponseDocument, type AssertionInfo, type ReadCodes, type ResponseInfo } from '../../ids/saml/read-response.js';
import { IdpError, type IdpErrorCode } from '../../shared/errors.js';
import { samlAcsUrl, samlEntityId } from '../authenticator-urls.js';
import type { CxoneContext, PendingSamlRequest } from '../context.js';
import type { Authenticator } from '../model.js';
import { checkFicam } from './ficam.js';

/** What a response that passed every check establishes. */
export interface SamlSignIn {
  nameId: string;
  sessionIndex: string | undefined;
  /** The AuthnContextClassRef asserted (the session's `acr`). */
  classRef: string | undefined;
  /** SP-initiated: the request this answers; undefined for an IdP-initiated (unsolicited) response. */
  pending: PendingSamlRequest | undefined;
}

const READ_CODES: ReadCodes = { structure: 'ERR_CXONE_SAML_STRUCTURE', encrypted: 'ERR_CXONE_SAML_ENCRYPTED', comment: 'ERR_CXONE_SAML_COMMENT' };
const LIMITS: InboundLimits = { maxEncodedBytes: 256 * 1024, maxXmlBytes: 256 * 1024, maxRelayStateBytes: 1024 };
/** [INF] The signature algorithms CXone accepts are NOT FOUND; the two every IdP it documents offers. */
const ALGORITHMS = ['rsa-sha256', 'rsa-sha1'] as const;

function fail(code: IdpErrorCode, message: string, debug?: string): IdpError {
  return new IdpError(code, message, { status: 403, debug });
}

/**
 * The checks CXone makes on a SAML authenticator's IdP's answer at its ACS (issue 6: "strict
 * validation"), in this order; the first failure refuses the sign-in with its code:
 * parse (size, no DOCTYPE, libxml2, FICAM rules when on, the protocol XSD) → structure (one
 * Assertion directly in the Response, none encrypted, no comments) → Status Success → every
 * signature present verified with the uploaded certificate only, at least one → replay → Issuer →
 * Destination → time window → Audience → bearer Recipient → InResponseTo → AuthnStatement → NameID.
 */
export function validateSamlResponse(ctx: CxoneContext, a: Authenticator, form: Record<string, unknown>, note: { signature?: 'valid' } = {}): SamlSignIn {
  const saml = a.saml!;
  const acsUrl = samlAcsUrl(ctx.urls.base, a);
  const entityId = samlEntityId(ctx.urls.base, a);
  const message = decodePost(form, LIMITS);
  if (message.param !== 'SAMLResponse') throw fail('ERR_CXONE_SAML_STRUCTURE', 'The assertion consumer takes a SAMLResponse only.');
  const cert = new X509Certificate(saml.certificate);
  // One parse serves the reading and the signature checks: what is read is what was verified.
  const info = withSamlDocument(
    message.xml,
    LIMITS,
    (doc) => {
      const read = readResponseDocument(doc, READ_CODES);
      // saml-core §3.2.2.2: anything but Success carries no assertion to use.
      if (read.statusCode !== STATUS.Success) {
        throw fail('ERR_CXONE_SAML_STATUS', `The identity provider did not sign the user in (status ${read.statusCode}${read.statusDetail ? ' / ' + read.statusDetail : ''}).`);
      }
      if (!read.assertion) throw fail('ERR_CXONE_SAML_STRUCTURE', 'The Response carries no Assertion.');
      verifySignatures(doc, read, read.assertion, cert);
      note.signature = 'valid'; // for the console's exchange list (record-exchange.ts)
      return { ...read, assertion: read.assertion };
    },
    saml.ficam ? { beforeSchema: checkFicam } : {},
  );
  const assertion = info.assertion;

  // saml-core §1.3.4: IDs are unique, so the same Response or Assertion twice is a replay.
  const replayedResponse = ctx.samlReplay.seen('r:' + info.id);
  if (ctx.samlReplay.seen('a:' + assertion.id) || replayedResponse) {
    throw fail('ERR_CXONE_SAML_REPLAYED', 'This SAML response has already been used.', `Response ${info.id}, Assertion ${assertion.id}`);
  }
  // No IdP entity ID is configured (only its endpoint URL and certificate, reference B.2.1), so the
  // Issuer rule is consistency: the assertion names its issuer, and the Response, if it names one, the same.
  if (assertion.issuer === '' || (info.issuer !== undefined && info.issuer !== assertion.issuer)) {
    throw fail('ERR_CXONE_SAML_ISSUER', 'The Response and its assertion do not name the same issuer.', `Response ${info.issuer ?? '(none)'}; Assertion ${assertion.issuer || '(none)'}`);
  }
  // saml-bindings §3.5.5.2: a signed Response MUST carry Destination, the URL it was received at;
  // an unsigned one may omit it, but when present it must still be that URL.
  if (info.destination !== acsUrl && (info.signed || info.destination !== undefined)) {
    throw fail('ERR_CXONE_SAML_DESTINATION', 'The Response is addressed to another endpoint.', `Destination ${info.destination ?? '(none)'}; received at ${acsUrl}`);
  }
  checkAssertionTimes(assertion, ctx.clock.now(), ctx.config.clockSkewSeconds * 1000, { notYetValid: 'ERR_CXONE_SAML_NOT_YET_VALID', expired: 'ERR_CXONE_SAML_EXPIRED' });
  // saml-core §2.5.1.4: addressed to CXone only if every AudienceRestriction names its entity ID.
  if (assertion.audienceRestrictions.length === 0 || !assertion.audienceRestrictions.every((list) => list.includes(entityId))) {
    throw fail('ERR_CXONE_SAML_AUDIENCE', 'The assertion is not addressed to this login authenticator.', `audiences ${JSON.stringify(assertion.audienceRestrictions)}; entity ID ${entityId}`);
  }
  // saml-profiles §4.1.4.2: a bearer SubjectConfirmation whose Recipient is the ACS URL.
  const bearer = assertion.bearer.find((b) => b.recipient === acsUrl);
  if (!bearer) {
    throw fail('ERR_CXONE_SAML_RECIPIENT', 'The assertion names another recipient.', `recipients ${assertion.bearer.map((b) => b.recipient).join(', ') || '(none)'}; ACS ${acsUrl}`);
  }
  const pending = answeredRequest(ctx, a, info, bearer.inResponseTo);
  if (!assertion.hasAuthnStatement) throw fail('ERR_CXONE_SAML_STRUCTURE', 'The assertion has no AuthnStatement (saml-profiles §4.1.4.2).');
  const nameId = assertion.nameId?.value;
  if (nameId === undefined || nameId.trim() === '') throw fail('ERR_CXONE_SAML_NAMEID', 'The assertion carries no NameID to identify the user by.');
  return { nameId, sessionIndex: assertion.sessionIndex, classRef: assertion.authnContextClassRefs[0], pending };
}

/**
 * Each signature present must verify with the uploaded certificate (never a KeyInfo certificate),
 * and at least one must be present. CXone recommends a signed Response (reference B.2.1, Okta:
 * "Response Signed, Assertion Unsigned"); a signed assertion in an unsigned Response is accepted too.
 */
function verifySignatures(doc: XmlDocument, read: ResponseInfo, assertion: AssertionInfo, cert: X509Certificate): void {
  if (!read.signed && !assertion.signed) throw new IdpError('ERR_SAML_SIGNATURE_REQUIRED', 'The Response is not signed; neither is its assertion.', { status: 403 });
  const assertionOf = (d: XmlDocument) => (d.root.find('saml:Assertion', { saml: NS.assertion }) as XmlElement[])[0]!;
  const carriers = (d: XmlDocument) => [d.root, assertionOf(d)];
  try {
    // The Response's first: verifying removes its Signature, and it covers the assertion's.
    if (read.signed) verifySignatureInDocument(doc, [cert], ALGORITHMS, { carriers });
    if (assertion.signed) verifySignatureInDocument(doc, [cert], ALGORITHMS, { carriers, element: assertionOf });
  } catch (e) {
    if (e instanceof IdpError && e.code.startsWith('ERR_SAML_SIGNATURE')) {
      throw new IdpError('ERR_CXONE_SAML_SIGNATURE', "The SAML response's signature is not valid for the login authenticator's certificate.", {
        status: 403,
        cause: e,
        debug: `${e.code}: ${e.debug ?? e.message}`,
      });
    }
    throw e;
  }
}

/**
 * saml-profiles §4.1.4.2 / §4.1.5: a Response with InResponseTo answers an AuthnRequest, which
 * must be pending, this authenticator's, and named by the bearer confirmation too; one without
 * is unsolicited (IdP-initiated), and then the confirmation names no request either.
 */
function answeredRequest(ctx: CxoneContext, a: Authenticator, info: ResponseInfo, bearerInResponseTo: string | undefined): PendingSamlRequest | undefined {
  if (bearerInResponseTo !== info.inResponseTo) {
    throw fail('ERR_CXONE_SAML_IN_RESPONSE_TO', 'The assertion answers another request than the Response.', `Response ${info.inResponseTo ?? '(none)'}; SubjectConfirmationData ${bearerInResponseTo ?? '(none)'}`);
  }
  if (info.inResponseTo === undefined) return undefined;
  const taken = ctx.samlRequests.take(info.inResponseTo);
  if (taken.found !== 'ok' || taken.value.authenticatorId !== a.id) {
    throw fail('ERR_CXONE_SAML_IN_RESPONSE_TO', 'The Response does not answer a pending sign-in of this login authenticator.', `InResponseTo ${info.inResponseTo}: ${taken.found === 'ok' ? 'another authenticator' : taken.found}`);
  }
  return taken.value;
}
