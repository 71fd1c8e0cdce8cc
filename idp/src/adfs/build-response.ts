import { el, type XmlNode } from '../shared/xml/tree.js';
import { buildProtocolMessage, type ProtocolHeader } from './build-protocol-message.js';

export interface ResponseInput extends ProtocolHeader {
  status: { top: string; second?: string | undefined };
  /** An <Assertion> (signed or not) or an <EncryptedAssertion>. */
  assertion?: XmlNode | undefined;
}

/** `<samlp:Response>` as AD FS writes it (reference §1.3): the header, Status, then the assertion. */
export function buildResponse(r: ResponseInput): XmlNode {
  return buildProtocolMessage('Response', r, [buildStatus(r.status), r.assertion]);
}

export function buildStatus(s: { top: string; second?: string | undefined }): XmlNode {
  return el('samlp:Status', {}, [
    el('samlp:StatusCode', { Value: s.top }, [s.second ? el('samlp:StatusCode', { Value: s.second }) : null]),
  ]);
}
