import { IdpError } from '../../shared/errors.js';
import { checkRelayState, decodeBase64Strict, decodeUtf8Strict } from './codec.js';
import { defaultInboundLimits, type InboundLimits } from './limits.js';

/**
 * HTTP-POST binding decoder (saml-bindings §3.5). The form field carries the protocol message
 * base64-encoded and NOT compressed (§3.5.4: "the SAML protocol message is encoded ... using the
 * base64 encoding"; DEFLATE belongs to the Redirect binding only).
 */
export interface PostMessage {
  param: 'SAMLRequest' | 'SAMLResponse';
  /** The decoded protocol message (not yet parsed or validated). */
  xml: string;
  relayState?: string;
}

function malformed(message: string): IdpError {
  return new IdpError('ERR_SAML_REQUEST_MALFORMED', message);
}

/**
 * A form field as parsed by a body parser. Repeated fields arrive as arrays and objects come from
 * "extended" parsers (`a[b]=c`); both are refused rather than picking one value (parameter
 * pollution: the verifier and the consumer must see the same message).
 */
function field(form: Record<string, unknown>, name: string): string | undefined {
  if (!Object.hasOwn(form, name)) return undefined;
  const value = form[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw malformed(`The ${name} parameter must be sent exactly once, as text.`);
  return value;
}

export function decodePost(form: Record<string, unknown>, limits: InboundLimits = defaultInboundLimits): PostMessage {
  const request = field(form, 'SAMLRequest');
  const response = field(form, 'SAMLResponse');
  const relayState = field(form, 'RelayState');
  if (request !== undefined && response !== undefined) {
    throw malformed('A message cannot carry both SAMLRequest and SAMLResponse.');
  }
  const encoded = request ?? response;
  if (encoded === undefined) {
    throw new IdpError('ERR_SAML_NO_PROTOCOL_MESSAGE', 'The request does not contain a SAML protocol message.');
  }
  const param = request !== undefined ? 'SAMLRequest' : 'SAMLResponse';

  // Size cap before decoding: base64 text is ASCII, so its length is its byte size.
  if (encoded.length > limits.maxEncodedBytes) {
    throw new IdpError('ERR_SAML_REQUEST_TOO_LARGE', `The ${param} message is too large.`, {
      debug: `encoded ${param} is ${encoded.length} characters; the limit is ${limits.maxEncodedBytes}`,
    });
  }
  const bytes = decodeBase64Strict(encoded, param);
  // ...and after: base64 inflates nothing, but the two limits are configured independently.
  if (bytes.length > limits.maxXmlBytes) {
    throw new IdpError('ERR_SAML_REQUEST_TOO_LARGE', `The ${param} message is too large.`, {
      debug: `decoded ${param} is ${bytes.length} bytes; the limit is ${limits.maxXmlBytes}`,
    });
  }
  const result: PostMessage = { param, xml: decodeUtf8Strict(bytes, param) };
  if (relayState !== undefined) {
    checkRelayState(relayState, limits.maxRelayStateBytes);
    result.relayState = relayState;
  }
  return result;
}
