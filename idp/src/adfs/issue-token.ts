import type { User } from '../directory/user-schema.js';
import type { Fault } from '../shared/faults.js';
import { adfsId } from '../shared/ids.js';
import { encryptAssertion } from '../shared/xml/encrypt.js';
import { toXml } from '../shared/xml/serialize.js';
import { signEnveloped } from '../shared/xml/sign.js';
import { buildAssertion, type NameIdValue } from './build-assertion.js';
import { buildResponse } from './build-response.js';
import { evaluateTemplate, type ClaimContext } from './claims.js';
import type { AdfsContext } from './context.js';
import { recordOutbound, responseSignature } from './record-exchange.js';
import type { RelyingParty } from './relying-parties.js';
import { AUTHN_CONTEXT, STATUS } from './saml-constants.js';
import type { SsoSession } from './sessions.js';

/** Where a response goes and what it answers. */
export interface ResponseTarget {
  acsUrl: string;
  /** The AuthnRequest ID; absent for IdP-initiated (unsolicited) responses. */
  inResponseTo?: string | undefined;
  relayState?: string | undefined;
}

const MINUTE = 60_000;

/**
 * Issues the token: a signed (and, per the RP trust, encrypted) SAML Response for this user, in
 * AD FS's exact shape. Order as AD FS: sign the assertion, encrypt it, then sign the message
 * (reference §1.5; stack-notes §5.1 item 4). A queued fault bends exactly this one response.
 */
export function issueResponse(
  ctx: AdfsContext,
  rp: RelyingParty,
  user: User,
  session: SsoSession,
  target: ResponseTarget,
  classRef: string,
  nameId: NameIdValue | undefined,
): string {
  const fault = takeFault(ctx, rp, target.inResponseTo !== undefined);
  const previous = ctx.lastResponses.get(rp.name);
  if (fault?.kind === 'replay' && previous !== undefined) {
    ctx.log.info({ svc: 'adfs', event: 'saml.response.replayed', rp: rp.name, user: user.username, fault: fault.kind }, 'previous response replayed');
    recordOutbound(ctx, { xml: previous, summary: `Response to ${rp.name} for ${user.username} [fault replay]`, to: target.acsUrl, user: user.username, signature: responseSignature(fault, 'the previous response, byte for byte') });
    return previous;
  }
  const now = ctx.clock.now();
  const lifetime = (rp.tokenLifetimeMinutes || 60) * MINUTE;
  // Faults move the whole assertion in time, so every window in it agrees with the lie.
  const t0 =
    fault?.kind === 'expired-assertion' ? now - lifetime - MINUTE : fault?.kind === 'not-yet-valid-assertion' ? now + 10 * MINUTE : now;
  const assertionId = adfsId();
  const claimCtx: ClaimContext = { user, rpIdentifier: rp.identifiers[0]!, persistentIdSecret: ctx.config.persistentIdSecret };
  const attributes = rp.claims
    .map((c) => ({ name: c.type, values: evaluateTemplate(c.value, claimCtx) }))
    .filter((a) => a.values.length > 0);
  const inResponseTo = fault?.kind === 'wrong-in-response-to' && target.inResponseTo ? adfsId() : target.inResponseTo;
  const sessionIndex = rp.sessionIndex ? assertionId : undefined;

  const assertion = buildAssertion({
    id: assertionId,
    issuer: ctx.identifier,
    issueInstant: t0,
    nameId,
    inResponseTo,
    recipient: fault?.kind === 'wrong-recipient' ? target.acsUrl + 'wrong-recipient' : target.acsUrl,
    confirmationNotOnOrAfter: t0 + ctx.config.messageDeliveryWindowMinutes * MINUTE,
    notBefore: t0 - rp.notBeforeSkewMinutes * MINUTE,
    notOnOrAfter: t0 + lifetime,
    audience: fault?.kind === 'wrong-audience' ? 'urn:idp-harness:not-your-audience' : rp.identifiers[0]!,
    attributes,
    authnInstant: Math.min(session.authnInstant, t0),
    sessionIndex,
    classRefs: fault?.kind === 'two-authn-context-class-refs' ? [classRef, AUTHN_CONTEXT.Password] : [classRef],
    namespace: fault?.kind === 'wrong-assertion-namespace' ? 'urn:oasis:names:tc:SAML:1.0:assertion' : undefined,
  });

  const unsigned = fault?.kind === 'unsigned';
  const key = fault?.kind === 'unknown-signing-key' ? ctx.foreignSigningKey : ctx.signingKey;
  if (!unsigned && rp.samlResponseSignature !== 'MessageOnly') signEnveloped(assertion, key, rp.signatureAlgorithm);
  const carried = rp.encryptionRecipient && rp.encryptClaims ? encryptAssertion(toXml(assertion), rp.encryptionRecipient) : assertion;

  const response = buildResponse({
    id: adfsId(),
    issuer: ctx.identifier,
    issueInstant: t0,
    destination: target.acsUrl,
    inResponseTo,
    status: { top: STATUS.Success },
    assertion: carried,
  });
  if (!unsigned && rp.samlResponseSignature !== 'AssertionOnly') signEnveloped(response, key, rp.signatureAlgorithm);

  session.participants.set(rp.name, { rpName: rp.name, nameId, sessionIndex });
  ctx.log.info({ svc: 'adfs', event: 'saml.response.issued', rp: rp.name, user: user.username, fault: fault?.kind }, 'token issued');
  const xml = fault?.kind === 'tampered' ? tamper(toXml(response)) : toXml(response);
  ctx.lastResponses.set(rp.name, xml);
  const signedParts = { AssertionOnly: 'assertion', MessageOnly: 'message', MessageAndAssertion: 'message and assertion' }[rp.samlResponseSignature] ?? rp.samlResponseSignature;
  recordOutbound(ctx, {
    xml,
    summary: `Response to ${rp.name} for ${user.username}${target.inResponseTo ? '' : ' (IdP-initiated)'}${carried === assertion ? '' : ' (assertion encrypted)'}${fault ? ` [fault ${fault.kind}]` : ''}`,
    to: target.acsUrl,
    user: user.username,
    signature: responseSignature(fault, signedParts),
  });
  return xml;
}

/** After every signature: the first attribute value (or the NameID) changes, as a man in the middle would change it. */
function tamper(xml: string): string {
  const target = /(<AttributeValue>)([^<]*)(<\/AttributeValue>)/.test(xml) ? /(<AttributeValue>)([^<]*)(<\/AttributeValue>)/ : /(<NameID\b[^>]*>)([^<]*)(<\/NameID>)/;
  return xml.replace(target, (_m, open: string, text: string, close: string) => `${open}${text}-tampered${close}`);
}

/**
 * A status-only response for a known RP whose request cannot be satisfied (reference §1.12):
 * always signed at message level, no assertion.
 */
export function issueStatusResponse(
  ctx: AdfsContext,
  rp: RelyingParty,
  target: ResponseTarget,
  status: { top: string; second?: string | undefined },
): string {
  const response = buildResponse({
    id: adfsId(),
    issuer: ctx.identifier,
    issueInstant: ctx.clock.now(),
    destination: target.acsUrl,
    inResponseTo: target.inResponseTo,
    status,
  });
  signEnveloped(response, ctx.signingKey, rp.signatureAlgorithm);
  ctx.log.info({ svc: 'adfs', event: 'saml.response.status', rp: rp.name, status }, 'status response issued');
  return toXml(response);
}

/**
 * The next fault aimed at this RP. `wrong-in-response-to` waits for an SP-initiated response: an
 * unsolicited one has no InResponseTo to falsify, and the fault must not be used up for nothing;
 * `replay` waits until there is a previous response to this RP.
 */
function takeFault(ctx: AdfsContext, rp: RelyingParty, solicited: boolean): Extract<Fault, { surface: 'adfs' }> | undefined {
  return ctx.faults.take(
    'adfs',
    (f) =>
      (solicited || f.kind !== 'wrong-in-response-to') &&
      (f.kind !== 'replay' || ctx.lastResponses.has(rp.name)) &&
      (!f.relyingParty || f.relyingParty === rp.name || rp.identifiers.includes(f.relyingParty)),
  );
}
