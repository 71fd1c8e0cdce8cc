import { el, type XmlNode } from '../shared/xml/tree.js';
import type { NameIdValue } from './build-assertion.js';
import { buildProtocolMessage, type ProtocolHeader } from './build-protocol-message.js';
import { buildStatus } from './build-response.js';
import { NS } from './saml-constants.js';

/** `<samlp:LogoutRequest>` with the NameID exactly as it was issued, and its SessionIndex (§1.11). */
export function buildLogoutRequest(r: ProtocolHeader & { nameId: NameIdValue | undefined; sessionIndex: string | undefined }): XmlNode {
  const nameId = r.nameId ?? { value: '' };
  return buildProtocolMessage('LogoutRequest', r, [
    el(
      'NameID',
      { Format: nameId.format, NameQualifier: nameId.nameQualifier, SPNameQualifier: nameId.spNameQualifier, xmlns: NS.assertion },
      [nameId.value],
    ),
    r.sessionIndex !== undefined && el('samlp:SessionIndex', {}, [r.sessionIndex]),
  ]);
}

export function buildLogoutResponse(r: ProtocolHeader & { inResponseTo: string; status: { top: string; second?: string | undefined } }): XmlNode {
  return buildProtocolMessage('LogoutResponse', r, [buildStatus(r.status)]);
}
