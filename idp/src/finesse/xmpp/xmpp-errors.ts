import type { IdpErrorCode } from '../../shared/errors.js';
import { escapeText } from '../../shared/xml/escape.js';
import { NS } from './namespaces.js';

/**
 * The three error forms of XMPP, each with the lab's stable code in its `<text>` as
 * `[ERR_…] message` (the surface's own format, plus the code tests assert on):
 *   - stream errors (RFC 6120 §4.9): fatal, the stream closes after them;
 *   - SASL failures (RFC 6120 §6.5): the desktop may try again;
 *   - stanza errors (RFC 6120 §8.3): the answer to one iq, message or presence.
 */

function textEl(code: IdpErrorCode, message: string, ns: string): string {
  return `<text xmlns="${ns}" xml:lang="en">${escapeText(`[${code}] ${message}`)}</text>`;
}

/** RFC 6120 §4.9.3 defined conditions the service uses. */
export type StreamCondition =
  | 'bad-format'
  | 'conflict'
  | 'connection-timeout'
  | 'host-unknown'
  | 'internal-server-error'
  | 'invalid-namespace'
  | 'not-authorized'
  | 'not-well-formed'
  | 'policy-violation'
  | 'reset'
  | 'restricted-xml'
  | 'system-shutdown'
  | 'unsupported-stanza-type'
  | 'unsupported-version';

export class XmppStreamError extends Error {
  constructor(
    readonly condition: StreamCondition,
    readonly code: IdpErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'XmppStreamError';
  }

  /** `<stream:error>` with its own `xmlns:stream`, so it stands alone in a WebSocket frame or a BOSH body. */
  toXml(): string {
    return `<stream:error xmlns:stream="${NS.stream}"><${this.condition} xmlns="${NS.streams}"/>${textEl(this.code, this.message, NS.streams)}</stream:error>`;
  }
}

/** RFC 6120 §6.5 SASL failure conditions the service uses. */
export type SaslCondition =
  | 'aborted'
  | 'account-disabled'
  | 'credentials-expired'
  | 'incorrect-encoding'
  | 'invalid-authzid'
  | 'invalid-mechanism'
  | 'malformed-request'
  | 'not-authorized';

export class SaslFailure extends Error {
  constructor(
    readonly condition: SaslCondition,
    readonly code: IdpErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SaslFailure';
  }

  toXml(): string {
    return `<failure xmlns="${NS.sasl}"><${this.condition}/>${textEl(this.code, this.message, NS.sasl)}</failure>`;
  }
}

/** RFC 6120 §8.3.3 conditions, with the error type §8.3.2 pairs them with. */
const STANZA_TYPES = {
  'bad-request': 'modify',
  'feature-not-implemented': 'cancel',
  forbidden: 'auth',
  'item-not-found': 'cancel',
  'not-acceptable': 'modify',
  'not-allowed': 'cancel',
  'not-authorized': 'auth',
  'service-unavailable': 'cancel',
  'unexpected-request': 'wait',
} as const;

export type StanzaCondition = keyof typeof STANZA_TYPES;

export class XmppStanzaError extends Error {
  constructor(
    readonly condition: StanzaCondition,
    readonly code: IdpErrorCode,
    message: string,
    /** An application-specific condition element (XEP-0060 §7 `pubsub#errors`), written as is. */
    readonly appCondition = '',
  ) {
    super(message);
    this.name = 'XmppStanzaError';
  }

  toXml(): string {
    return `<error type="${STANZA_TYPES[this.condition]}"><${this.condition} xmlns="${NS.stanzas}"/>${textEl(this.code, this.message, NS.stanzas)}${this.appCondition}</error>`;
  }
}
