import { ParseOption, XmlDocument, XmlParseError, type XmlElement } from 'libxml2-wasm';
import type { Findings } from '../report.js';

/**
 * Reads SAML metadata (saml-metadata-2.0-os) the way the lab reads any untrusted SAML XML
 * (DESIGN §3, idp/src/adfs/inbound/parse-xml.ts): a size cap, no DOCTYPE at all, then libxml2
 * (linear time, depth-capped) with network, external entities and entity substitution off. Only
 * plain data leaves this module; the libxml2 document is always disposed.
 *
 * Not done: XSD validation. The project ships the SAML protocol and assertion schemas, not the
 * metadata schema, and AD FS metadata (reference §1.2) carries WS-Federation RoleDescriptors
 * whose `xsi:type` only the WS-Federation schema defines, so a strict schema check would refuse
 * every AD FS document. The rules below check the structure CXone and IdS depend on instead.
 */

export const NS = {
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
} as const;
const NSMAP = { md: NS.md, ds: NS.ds };

/** 1 MiB: an AD FS FederationMetadata.xml is about 70 KB; one IdP's metadata is never near this. */
export const MAX_METADATA_BYTES = 1024 * 1024;

export const PARSE_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_IGNORE_ENC | ParseOption.XML_PARSE_NO_SYS_CATALOG;

export interface SamlEndpoint {
  binding: string;
  location: string;
}

export interface KeyDescriptor {
  /** `signing`, `encryption`, or undefined (both, saml-metadata §2.4.1.1). */
  use: string | undefined;
  /** base64 DER of each ds:X509Certificate. */
  certificates: string[];
}

export interface MetadataSignature {
  /** Which element carries it: the IdP's EntityDescriptor or the enclosing EntitiesDescriptor. */
  on: 'entity' | 'aggregate';
  signatureMethod: string;
  digestMethods: string[];
  /** base64 DER certificates in the signature's KeyInfo. */
  keyInfoCertificates: string[];
}

export interface IdpMetadata {
  entityId: string | undefined;
  /** EntityDescriptor@validUntil or the aggregate's (saml-metadata §2.3.2). */
  validUntil: string | undefined;
  protocols: string[];
  /** The raw WantAuthnRequestsSigned attribute (saml-metadata §2.4.3), if present. */
  wantAuthnRequestsSigned: string | undefined;
  keys: KeyDescriptor[];
  sso: SamlEndpoint[];
  slo: SamlEndpoint[];
  nameIdFormats: string[];
  signature: MetadataSignature | undefined;
}

/** The result of reading: the IdP's metadata, or undefined when a structural rule failed (recorded in `findings`). */
export function readMetadata(xml: string, findings: Findings, entityIdOption: string | undefined): IdpMetadata | undefined {
  const size = Buffer.byteLength(xml, 'utf8');
  if (size > MAX_METADATA_BYTES) {
    findings.fail('saml.xml.size', `The metadata is ${size} bytes, more than the ${MAX_METADATA_BYTES} accepted; give the IdP's own EntityDescriptor, not a federation aggregate.`);
    return undefined;
  }
  // Anywhere, in any case: SAML metadata never needs a DTD, and refusing it removes XXE and
  // entity expansion (reference §4.1 item 6); CXone and IdS refuse it too.
  if (/<!DOCTYPE/i.test(xml)) {
    findings.fail('saml.xml.doctype', 'The metadata contains a document type declaration (<!DOCTYPE …>). SAML metadata never needs one and SPs refuse it (XXE, entity expansion): export the metadata without it.', {
      spec: 'reference §4.1 item 6',
    });
    return undefined;
  }
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml, { option: PARSE_OPTIONS });
  } catch (e) {
    const d = e instanceof XmlParseError ? e.details?.[0] : undefined;
    const where = d ? ` (line ${d.line}, column ${d.col}: ${d.message.split('\n')[0]!.trim()})` : '';
    findings.fail('saml.xml.well-formed', `The metadata is not well-formed XML${where}; re-export it from the IdP.`, { spec: 'XML 1.0 §2.1' });
    return undefined;
  }
  try {
    findings.pass('saml.xml.well-formed', `Well-formed XML, ${size} bytes, no DOCTYPE.`);
    return readDocument(doc, findings, entityIdOption);
  } finally {
    doc.dispose();
  }
}

function readDocument(doc: XmlDocument, findings: Findings, entityIdOption: string | undefined): IdpMetadata | undefined {
  const root = doc.root;
  if (root.namespaceUri !== NS.md || (root.name !== 'EntityDescriptor' && root.name !== 'EntitiesDescriptor')) {
    findings.fail('saml.entity.descriptor', `The root element is {${root.namespaceUri}}${root.name}, not a SAML 2.0 metadata EntityDescriptor; is this the IdP's metadata?`, {
      spec: 'saml-metadata §2.3',
    });
    return undefined;
  }
  let entities = doc.find('//md:EntityDescriptor[md:IDPSSODescriptor]', NSMAP) as XmlElement[];
  if (entityIdOption !== undefined) entities = entities.filter((e) => e.attr('entityID')?.value === entityIdOption);
  if (entities.length === 0) {
    findings.fail(
      'saml.entity.descriptor',
      entityIdOption !== undefined
        ? `No EntityDescriptor with entityID '${entityIdOption}' and an IDPSSODescriptor.`
        : 'No EntityDescriptor has an IDPSSODescriptor: this is not an identity provider’s metadata (an SP’s, perhaps?).',
      { spec: 'saml-metadata §2.4.3' },
    );
    return undefined;
  }
  if (entities.length > 1) {
    findings.fail('saml.entity.descriptor', `The document holds ${entities.length} identity providers; pass --entity-id <entityID> to choose one.`, { spec: 'saml-metadata §2.3.1' });
    return undefined;
  }
  const entity = entities[0]!;
  const idps = entity.find('md:IDPSSODescriptor', NSMAP) as XmlElement[];
  if (idps.length > 1) findings.warn('saml.entity.descriptor', `The EntityDescriptor has ${idps.length} IDPSSODescriptors; SPs read the first SAML 2.0 one.`, { spec: 'saml-metadata §2.3.2' });
  else findings.pass('saml.entity.descriptor', 'One EntityDescriptor with an IDPSSODescriptor.');
  const idp = idps[0]!;
  const attr = (el: XmlElement, name: string) => el.attr(name)?.value;
  const endpoints = (name: string): SamlEndpoint[] =>
    (idp.find(`md:${name}`, NSMAP) as XmlElement[]).map((e) => ({ binding: (attr(e, 'Binding') ?? '').trim(), location: (attr(e, 'Location') ?? '').trim() }));
  const x509 = (el: XmlElement) => (el.find('.//ds:X509Data/ds:X509Certificate', NSMAP) as XmlElement[]).map((c) => c.content.replace(/\s+/g, ''));
  return {
    entityId: attr(entity, 'entityID'),
    validUntil: attr(entity, 'validUntil') ?? (root.isSameNode(entity) ? undefined : attr(root, 'validUntil')),
    protocols: (attr(idp, 'protocolSupportEnumeration') ?? '').split(/\s+/).filter(Boolean),
    wantAuthnRequestsSigned: attr(idp, 'WantAuthnRequestsSigned'),
    keys: (idp.find('md:KeyDescriptor', NSMAP) as XmlElement[]).map((k) => ({ use: attr(k, 'use'), certificates: x509(k) })),
    sso: endpoints('SingleSignOnService'),
    slo: endpoints('SingleLogoutService'),
    nameIdFormats: (idp.find('md:NameIDFormat', NSMAP) as XmlElement[]).map((n) => n.content.trim()),
    signature: signatureOf(entity, root),
  };
}

/** The enveloped signature of the IdP's EntityDescriptor, or else of the aggregate around it. */
function signatureOf(entity: XmlElement, root: XmlElement): MetadataSignature | undefined {
  const own = (entity.find('ds:Signature', NSMAP) as XmlElement[])[0];
  const outer = root.isSameNode(entity) ? undefined : (root.find('ds:Signature', NSMAP) as XmlElement[])[0];
  const sig = own ?? outer;
  if (!sig) return undefined;
  const alg = (xpath: string) => (sig.find(xpath, NSMAP) as XmlElement[]).map((e) => e.attr('Algorithm')?.value ?? '');
  return {
    on: own ? 'entity' : 'aggregate',
    signatureMethod: alg('ds:SignedInfo/ds:SignatureMethod')[0] ?? '',
    digestMethods: alg('ds:SignedInfo/ds:Reference/ds:DigestMethod'),
    keyInfoCertificates: (sig.find('ds:KeyInfo/ds:X509Data/ds:X509Certificate', NSMAP) as XmlElement[]).map((c) => c.content.replace(/\s+/g, '')),
  };
}
