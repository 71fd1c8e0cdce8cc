import { IdpError } from '../../shared/errors.js';

/**
 * Byte-level decoding shared by the two bindings. Both are strict: a protocol message that is not
 * exactly base64 (RFC 4648 §4) or not valid UTF-8 is malformed, never "best effort" decoded.
 */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Line breaks and spaces some senders wrap base64 with (MIME style); nothing else is tolerated. */
const WRAP = /[\r\n\t ]/g;

/**
 * RFC 4648 §4 base64 with padding. Node's own decoder silently skips garbage and accepts
 * unpadded or URL-safe input, so the alphabet and length are checked first.
 */
export function decodeBase64Strict(text: string, what: string): Buffer {
  const compact = text.replace(WRAP, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new IdpError('ERR_SAML_REQUEST_MALFORMED', `The ${what} parameter is not valid base64.`);
  }
  return Buffer.from(compact, 'base64');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 (saml-bindings §3.4.4 / §3.5.4 carry the XML as UTF-8 octets); invalid sequences reject. */
export function decodeUtf8Strict(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new IdpError('ERR_SAML_REQUEST_MALFORMED', `The ${what} parameter is not UTF-8 text.`, { cause });
  }
}

/**
 * saml-bindings §3.4.3 / §3.5.3: "The value MUST NOT exceed 80 bytes in length" (the limit is
 * configurable for lenient deployments, reference §4.1 item 9).
 */
export function checkRelayState(relayState: string, maxBytes: number): void {
  const size = Buffer.byteLength(relayState, 'utf8');
  if (size > maxBytes) {
    throw new IdpError('ERR_SAML_RELAY_STATE_INVALID', 'The SAML protocol parameter RelayState is not valid.', {
      debug: `RelayState is ${size} bytes; the limit is ${maxBytes}`,
      details: { msis: 'MSIS7046' },
    });
  }
}
