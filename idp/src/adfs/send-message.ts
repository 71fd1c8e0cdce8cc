import { deflateRawSync } from 'node:zlib';
import { sign } from 'node:crypto';
import type { Response } from 'express';
import { SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from '../shared/xml/algorithms.js';
import { toXml } from '../shared/xml/serialize.js';
import { signEnveloped, type SigningKey } from '../shared/xml/sign.js';
import type { XmlNode } from '../shared/xml/tree.js';
import { sendPostForm } from './respond.js';

/**
 * Sends a signed protocol message to an SP endpoint over its binding. HTTP-POST: enveloped
 * signature and the auto-POST page. HTTP-Redirect (saml-bindings §3.4.4.1): DEFLATE + base64,
 * no signature inside the XML, and a detached signature over
 * `SAMLRequest=…&RelayState=…&SigAlg=…` exactly as it appears in the URL. Returns the XML sent.
 */
export function sendSignedMessage(
  res: Response,
  binding: 'POST' | 'Redirect',
  url: string,
  field: 'SAMLRequest' | 'SAMLResponse',
  message: XmlNode,
  key: SigningKey,
  alg: SignatureAlgorithm,
  relayState?: string,
): string {
  if (binding === 'POST') {
    signEnveloped(message, key, alg);
    const xml = toXml(message);
    sendPostForm(res, url, field, xml, relayState);
    return xml;
  }
  const xml = toXml(message);
  const encoded = deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64');
  let query = `${field}=${encodeURIComponent(encoded)}`;
  if (relayState !== undefined) query += `&RelayState=${encodeURIComponent(relayState)}`;
  const { signatureUri, hash } = SIGNATURE_ALGORITHMS[alg];
  query += `&SigAlg=${encodeURIComponent(signatureUri)}`;
  const signature = sign(hash, Buffer.from(query, 'utf8'), key.privateKey).toString('base64');
  query += `&Signature=${encodeURIComponent(signature)}`;
  res.redirect(302, url + (url.includes('?') ? '&' : '?') + query);
  return xml;
}
