import type { ExchangePayload, ReservedExchange } from '../shared/exchange-log.js';
import type { Fault } from '../shared/faults.js';
import type { InboundBinding } from './check-request-signature.js';
import type { AdfsContext } from './context.js';
import type { InboundMessage } from './inbound/read-messages.js';

/**
 * What AD FS tells the console's exchange list: every protocol message received at `/adfs/ls/`
 * (with what became of its signature) and every one it sent. Strings the handlers already hold
 * are recorded as they are: nothing is parsed or serialized again here.
 */

type Signature = NonNullable<ExchangePayload['signature']>;

/**
 * An inbound message, once handled. `binding.verified` is set by checkRequestSignature when a
 * signature verified with the RP trust's certificates; a signature code means it did not.
 */
export function recordInbound(
  slot: ReservedExchange,
  xml: string,
  info: InboundMessage | undefined,
  binding: InboundBinding,
  code: string | undefined,
  method: string,
): void {
  const how = binding.kind === 'redirect' ? 'HTTP-Redirect' : 'HTTP-POST';
  const signed = binding.kind === 'redirect' ? binding.message.signature !== undefined || binding.message.sigAlg !== undefined : info?.hasSignature;
  let signature: Signature;
  if (signed === false) signature = { status: 'unsigned', ...(code === 'ERR_SAML_SIGNATURE_REQUIRED' ? { detail: 'refused: the relying party trust requires signed requests' } : {}) };
  else if (binding.verified) signature = { status: 'valid', detail: `verified with the relying party trust's certificate (${how === 'HTTP-Redirect' ? 'detached, HTTP-Redirect' : 'enveloped'})` };
  else if (code?.startsWith('ERR_SAML_SIGNATURE')) signature = { status: 'invalid', detail: code };
  else signature = { status: 'not-checked', detail: code ? 'refused before the signature was checked' : 'no certificate to check it with' };
  const user = info?.kind === 'AuthnRequest' ? info.subjectNameId : info?.kind === 'LogoutRequest' ? info.nameId.value : undefined;
  slot.commit({
    service: 'adfs',
    kind: 'saml',
    direction: 'in',
    summary: info ? `${info.kind} from ${info.issuer} (${how})${code ? ` refused: ${code}` : ''}` : `SAML message refused (${how}): ${code ?? 'unreadable'}`,
    method,
    path: '/adfs/ls/',
    user,
    code,
    payload: { samlXml: xml, signature },
  });
}

/** The signature a response carries, as the lab made it (a fault may have bent it). */
export function responseSignature(fault: Extract<Fault, { surface: 'adfs' }> | undefined, signedParts: string): Signature {
  if (!fault) return { status: 'valid', detail: `signed by the lab's AD FS token-signing key (${signedParts})` };
  switch (fault.kind) {
    case 'unsigned':
      return { status: 'unsigned', detail: 'fault unsigned: no signature at all' };
    case 'unknown-signing-key':
      return { status: 'invalid', detail: 'fault unknown-signing-key: signed with a key that is not in the metadata' };
    case 'tampered':
      return { status: 'invalid', detail: 'fault tampered: altered after signing' };
    default:
      return { status: 'valid', detail: `signed by the lab's AD FS token-signing key (${signedParts}); fault ${fault.kind}` };
  }
}

/** A message AD FS sent to a relying party (Response, LogoutRequest, LogoutResponse). */
export function recordOutbound(ctx: AdfsContext, o: { xml: string; summary: string; to: string; user?: string | undefined; code?: string | undefined; signature: Signature }): void {
  ctx.exchanges.record({
    service: 'adfs',
    kind: 'saml',
    direction: 'out',
    summary: o.summary,
    path: o.to,
    user: o.user,
    code: o.code,
    payload: { samlXml: o.xml, signature: o.signature },
  });
}
