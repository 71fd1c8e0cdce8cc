import { X509Certificate } from 'node:crypto';
import { ParseOption, XmlDocument, type XmlElement } from 'libxml2-wasm';
import { BINDING, NS } from '../../adfs/saml-constants.js';
import { IdpError } from '../../shared/errors.js';

/**
 * The IdP Cisco IdS trusts (IdS Trust tab, reference A.1.6): its entity ID, the HTTP-POST
 * SingleSignOnService IdS sends AuthnRequests to, and the signing certificates a response must
 * be signed with. Either the lab's own AD FS (the default) or read from uploaded metadata.
 */
export interface IdpTrust {
  entityId: string;
  ssoUrl: string;
  signingCerts: X509Certificate[];
  source: 'lab' | 'uploaded';
}

const MAX_METADATA_BYTES = 512 * 1024;
const PARSE = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_NO_SYS_CATALOG;
const NSMAP = { md: NS.metadata, ds: NS.dsig };

function bad(message: string): IdpError {
  return new IdpError('ERR_IDS_IDP_METADATA_INVALID', `The IdP metadata cannot be used: ${message}`);
}

/**
 * Reads IdP metadata (saml-metadata §2.4.3 IDPSSODescriptor): the entity ID, signing keys
 * (KeyDescriptor use="signing" or without `use`, §2.4.1.1) and the HTTP-POST SSO location.
 * No DOCTYPE, no network, a size cap: the same rules as every inbound SAML document.
 */
export function readIdpMetadata(xml: string): IdpTrust {
  if (Buffer.byteLength(xml, 'utf8') > MAX_METADATA_BYTES) throw bad('larger than 512 KiB');
  if (/<!DOCTYPE/i.test(xml)) throw bad('it contains a document type declaration');
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml, { option: PARSE });
  } catch {
    throw bad('it is not well-formed XML');
  }
  try {
    const entities = doc.find('//md:EntityDescriptor[md:IDPSSODescriptor]', NSMAP) as XmlElement[];
    if (entities.length === 0) throw bad('no EntityDescriptor with an IDPSSODescriptor');
    if (entities.length > 1) throw bad('more than one IdP EntityDescriptor; upload the one IdS should trust');
    const entity = entities[0]!;
    const entityId = entity.attr('entityID')?.value.trim() ?? '';
    if (entityId === '') throw bad('the EntityDescriptor has no entityID');
    const idp = (entity.find('md:IDPSSODescriptor', NSMAP) as XmlElement[])[0]!;
    const post = (idp.find('md:SingleSignOnService', NSMAP) as XmlElement[]).find((s) => s.attr('Binding')?.value === BINDING.POST);
    const ssoUrl = post?.attr('Location')?.value.trim();
    if (!ssoUrl || !/^https?:\/\//.test(ssoUrl)) throw bad('no HTTP-POST SingleSignOnService (IdS sends its AuthnRequest by HTTP-POST)');
    const certs = (idp.find("md:KeyDescriptor[not(@use) or @use='signing']/ds:KeyInfo/ds:X509Data/ds:X509Certificate", NSMAP) as XmlElement[]).map((c) => {
      try {
        return new X509Certificate(Buffer.from(c.content.replace(/\s+/g, ''), 'base64'));
      } catch {
        throw bad('a signing X509Certificate is not a certificate');
      }
    });
    if (certs.length === 0) throw bad('no signing certificate in the IDPSSODescriptor');
    return { entityId, ssoUrl, signingCerts: certs, source: 'uploaded' };
  } finally {
    doc.dispose();
  }
}
