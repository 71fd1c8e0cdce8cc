import { inflateRawSync } from 'node:zlib';
import { IdpError } from '../../shared/errors.js';
import { checkRelayState, decodeBase64Strict, decodeUtf8Strict } from './codec.js';
import { defaultInboundLimits, type InboundLimits } from './limits.js';

/**
 * HTTP-Redirect binding decoder (saml-bindings §3.4). Works on the RAW query string exactly as it
 * arrived (e.g. from `req.originalUrl`), never on a framework's parsed and re-encoded copy, because
 * the detached signature covers the transmitted octets (saml-bindings §3.4.4.1; reference §4.2:
 * case-variant percent-encoding breaks naive re-encoding).
 */
export interface RedirectMessage {
  param: 'SAMLRequest' | 'SAMLResponse';
  /** The inflated protocol message (not yet parsed or validated). */
  xml: string;
  relayState?: string;
  /** `SigAlg`, percent-decoded. */
  sigAlg?: string;
  /** `Signature`, percent- and base64-decoded. */
  signature?: Buffer;
  /**
   * saml-bindings §3.4.4.1: `SAMLRequest=value[&RelayState=value]&SigAlg=value` (or SAMLResponse),
   * in that order, each `name=value` pair exactly as transmitted. Present only when SigAlg is.
   */
  signedOctets?: string;
}

type ProtocolParam = 'SAMLRequest' | 'SAMLResponse' | 'RelayState' | 'SigAlg' | 'Signature';
const PROTOCOL_PARAMS: ReadonlySet<string> = new Set<ProtocolParam>([
  'SAMLRequest',
  'SAMLResponse',
  'RelayState',
  'SigAlg',
  'Signature',
]);

/** RFC 3986 allows only printable US-ASCII in a query; anything else was not sent by a SAML stack. */
const RAW_QUERY = /^[\x21-\x7e]*$/;

function malformed(message: string, debug?: string): IdpError {
  return new IdpError('ERR_SAML_REQUEST_MALFORMED', message, { debug });
}

/**
 * Percent-decoding. In base64 values a literal `+` can only be a base64 `+` (base64 has no spaces),
 * so it is kept, which accepts senders that forget to encode it; elsewhere `+` means a space
 * (application/x-www-form-urlencoded, what browsers and URLSearchParams do).
 */
function percentDecode(raw: string, name: string, plusIsSpace: boolean): string {
  try {
    return decodeURIComponent(plusIsSpace ? raw.replace(/\+/g, ' ') : raw);
  } catch (cause) {
    throw new IdpError('ERR_SAML_REQUEST_MALFORMED', `The ${name} parameter is not valid percent-encoding.`, {
      cause,
    });
  }
}

/**
 * saml-bindings §3.4.4.1: the message is DEFLATE-compressed (RFC 1951, raw, no zlib header) and
 * then base64-encoded. `maxOutputLength` makes zlib stop at the cap, so a deflate bomb never
 * allocates more than `maxXmlBytes` (reference §4.1 item 6; ruby-saml CVE-2025-25293).
 */
function inflateMessage(compressed: Buffer, name: string, maxXmlBytes: number): Buffer {
  try {
    return inflateRawSync(compressed, { maxOutputLength: maxXmlBytes });
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new IdpError('ERR_SAML_REQUEST_TOO_LARGE', `The ${name} message is too large.`, {
        cause,
        debug: `inflated size exceeds ${maxXmlBytes} bytes`,
      });
    }
    throw new IdpError('ERR_SAML_REQUEST_MALFORMED', `The ${name} parameter is not DEFLATE-compressed.`, {
      cause,
      debug: (cause as Error).message,
    });
  }
}

export function decodeRedirect(rawQuery: string, limits: InboundLimits = defaultInboundLimits): RedirectMessage {
  const query = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery;
  if (query.length > limits.maxEncodedBytes) {
    throw new IdpError('ERR_SAML_REQUEST_TOO_LARGE', 'The request is too large.', {
      debug: `query string is ${query.length} bytes; the limit is ${limits.maxEncodedBytes}`,
    });
  }
  if (!RAW_QUERY.test(query)) throw malformed('The query string contains characters that must be percent-encoded.');

  // name -> the raw `name=value` segment as sent, and its raw value.
  const found = new Map<ProtocolParam, { segment: string; raw: string }>();
  for (const segment of query.split('&')) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    const rawName = eq < 0 ? segment : segment.slice(0, eq);
    const name = percentDecode(rawName, 'parameter name', true);
    if (!PROTOCOL_PARAMS.has(name)) continue; // other parameters (e.g. AD FS client-request-id) are not ours
    // A duplicated protocol parameter would let the verifier and the consumer disagree on which
    // value counts (HTTP parameter pollution), so it is refused outright.
    if (found.has(name as ProtocolParam)) throw malformed(`The ${name} parameter appears more than once.`);
    found.set(name as ProtocolParam, { segment, raw: eq < 0 ? '' : segment.slice(eq + 1) });
  }

  const request = found.get('SAMLRequest');
  const response = found.get('SAMLResponse');
  if (request && response) throw malformed('A message cannot carry both SAMLRequest and SAMLResponse.');
  const message = request ?? response;
  if (!message) {
    throw new IdpError('ERR_SAML_NO_PROTOCOL_MESSAGE', 'The request does not contain a SAML protocol message.');
  }
  const param = request ? 'SAMLRequest' : 'SAMLResponse';

  const compressed = decodeBase64Strict(percentDecode(message.raw, param, false), param);
  const xml = decodeUtf8Strict(inflateMessage(compressed, param, limits.maxXmlBytes), param);
  const result: RedirectMessage = { param, xml };

  const relay = found.get('RelayState');
  if (relay) {
    result.relayState = percentDecode(relay.raw, 'RelayState', true);
    checkRelayState(result.relayState, limits.maxRelayStateBytes);
  }

  // saml-bindings §3.4.4.1: SigAlg and Signature travel together; one without the other is not a
  // signed message and not an unsigned one either.
  const sigAlg = found.get('SigAlg');
  const signature = found.get('Signature');
  if (!!sigAlg !== !!signature) {
    throw malformed(sigAlg ? 'SigAlg was sent without a Signature.' : 'Signature was sent without a SigAlg.');
  }
  if (sigAlg && signature) {
    result.sigAlg = percentDecode(sigAlg.raw, 'SigAlg', true);
    result.signature = decodeBase64Strict(percentDecode(signature.raw, 'Signature', false), 'Signature');
    result.signedOctets = [message.segment, relay?.segment, sigAlg.segment].filter((s) => s !== undefined).join('&');
  }
  return result;
}
