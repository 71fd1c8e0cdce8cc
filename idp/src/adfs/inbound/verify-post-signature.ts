import { createRequire } from 'node:module';
import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { XmlC14NMode } from 'libxml2-wasm';
import type { DOMParser as DOMParserType } from '@xmldom/xmldom';
import type { SignedXml as SignedXmlType } from 'xml-crypto';
import { IdpError } from '../../shared/errors.js';
import { NS } from '../saml-constants.js';
import { defaultInboundLimits, type InboundLimits } from './limits.js';
import { withSamlDocument } from './parse-xml.js';
import {
  ALLOWED_C14N,
  ALLOWED_DIGESTS,
  checkSignatureMethod,
  ENVELOPED_SIGNATURE,
  EXC_C14N,
  trustedRsaKeys,
  type SignatureAlgorithm,
  type TrustedKeys,
} from './signature-policy.js';

// xml-crypto and xmldom are loaded on the first POST-signed message, not at start: most labs never
// see one, and every module loaded before the first request delays the lab's start-up.
const require = createRequire(import.meta.url);
let libs: { DOMParser: typeof DOMParserType; SignedXml: typeof SignedXmlType } | undefined;
function xmlLibs() {
  return (libs ??= {
    DOMParser: (require('@xmldom/xmldom') as { DOMParser: typeof DOMParserType }).DOMParser,
    SignedXml: (require('xml-crypto') as { SignedXml: typeof SignedXmlType }).SignedXml,
  });
}

/**
 * Enveloped XML-DSig on the root of an inbound AuthnRequest, LogoutRequest or LogoutResponse
 * (HTTP-POST binding, saml-bindings §3.5.4.1 / saml-core §5). Reference §4.1 items 1, 3, 4, 5, 13.
 *
 * The shape is checked on the libxml2 document (the same parse read-messages.ts extracts from)
 * before any cryptography, and a message only passes when ALL of these hold:
 *  - exactly one ds:Signature in the whole document, a direct child of the root (saml-core §5.4.1:
 *    "the <ds:Signature> element ... MUST be ... enveloped" in the signed element);
 *  - exactly one SignedInfo, exactly one Reference, and its URI is "#" + the root's ID
 *    (saml-core §5.4.2: "MUST contain a single <ds:Reference> containing a same-document reference
 *    to the ID attribute value of the root element of the assertion or protocol message");
 *  - no other element carries that value in an ID / Id / id attribute (XSW, reference §4.1 item 1);
 *  - no ds:Object (nothing else may travel inside the signature) and no comment inside it;
 *  - algorithms from the allow-lists only (saml-core §5.4.3/§5.4.4: enveloped-signature plus
 *    exclusive c14n; inclusive c14n is tolerated; `#WithComments`, XPath and XSLT are refused), the
 *    transform chain is exactly [enveloped-signature, c14n] (AD FS ID6027: "Enveloped Signature
 *    Transform cannot be the last transform in the chain"), and SignatureMethod equals the
 *    relying party's algorithm (MSIS7093).
 * Then xml-crypto verifies with each configured key, never with KeyInfo (getCertFromKeyInfo
 * returns null), on an xmldom DOM built only from text libxml2 accepted. Finally the bytes
 * xml-crypto digested must equal libxml2's canonical form of the same root without its
 * Signature, so the two parsers provably saw the same signed content (parser differentials:
 * ruby-saml CVE-2025-25291/25292).
 *
 * Throws ERR_SAML_SIGNATURE_REQUIRED (no Signature), ERR_SAML_SIGNATURE_ALGORITHM (an algorithm
 * outside the allow-lists, or not the RP's), ERR_SAML_SIGNATURE_INVALID (everything else), and the
 * parse-xml.ts codes for text that is not a valid SAML message.
 */

const DSIG_NSMAP = { ds: NS.dsig };
const EXC_C14N_NS = EXC_C14N; // the InclusiveNamespaces element lives in the algorithm's namespace

interface SignaturePlan {
  /** How many ds:Signature elements libxml2 saw in the whole document. */
  signatureCount: number;
  /** Set when the signed element is not the root: its ID. */
  signedId?: string;
  rootName: string;
  rootNamespace: string;
  /** libxml2's canonical form of the root with its Signature removed (what must have been digested). */
  expectedSignedBytes: string;
}

function invalid(debug: string): IdpError {
  return new IdpError('ERR_SAML_SIGNATURE_INVALID', 'The message signature is not valid.', { debug });
}

function algorithmRefused(kind: string, uri: string): IdpError {
  return new IdpError('ERR_SAML_SIGNATURE_ALGORITHM', 'The message is signed with an unsupported algorithm.', {
    debug: `${kind} ${uri} is not allowed`,
  });
}

function children(el: XmlElement, xpath: string): XmlElement[] {
  return el.find(xpath, DSIG_NSMAP) as XmlElement[];
}

function algorithmOf(el: XmlElement | undefined): string {
  return el?.attr('Algorithm')?.value ?? '';
}

/**
 * Where a signature is verified: by default the root element, the only element that may carry a
 * Signature. A SAML Response may carry two (on the Response and on its Assertion, saml-core
 * §5.2); a verifier of one of them names the element and every element allowed to carry one.
 */
export interface SignatureTarget {
  /** The signed element (default: the root). */
  element?: (doc: XmlDocument) => XmlElement;
  /** The elements that may carry a ds:Signature child (default: the signed element only). */
  carriers?: (doc: XmlDocument) => XmlElement[];
}

/** The structural checks, on the libxml2 document. Returns what phase two needs. */
function inspect(doc: XmlDocument, expectedAlg: SignatureAlgorithm | readonly SignatureAlgorithm[], target: SignatureTarget = {}): SignaturePlan {
  const root = target.element?.(doc) ?? doc.root;
  const id = root.attr('ID')?.value ?? '';
  if (id === '') throw invalid('the signed element has no ID to reference');

  const carriers = target.carriers?.(doc) ?? [root];
  const signatures = doc.find('//ds:Signature', DSIG_NSMAP) as XmlElement[];
  for (const sig of signatures) {
    if (!carriers.some((c) => sig.parent?.isSameNode(c))) throw invalid('a Signature sits where no signature belongs');
  }
  const own = signatures.filter((sig) => sig.parent?.isSameNode(root));
  if (own.length === 0) {
    throw new IdpError('ERR_SAML_SIGNATURE_REQUIRED', 'The message is not signed.', { details: { msis: 'MSIS7085' } });
  }
  if (own.length > 1 || signatures.length > carriers.length) throw invalid(`the document contains ${signatures.length} Signature elements`);
  const signature = own[0]!;
  if (children(signature, 'ds:Object').length > 0) throw invalid('the Signature carries ds:Object content');
  // No signer writes comments into a Signature; a comment in DigestValue or SignatureValue is how
  // the xml-crypto CVE-2025-29774/29775 family made readers and canonicalizers disagree.
  if (signature.find('.//comment()').length > 0) throw invalid('the Signature contains a comment');

  if ((doc.find('//ds:SignedInfo', DSIG_NSMAP) as XmlElement[]).length !== signatures.length) throw invalid('a SignedInfo outside a Signature');
  if (children(signature, 'ds:SignedInfo').length !== 1) throw invalid('more than one SignedInfo');
  const signedInfo = children(signature, 'ds:SignedInfo')[0];
  if (!signedInfo) throw invalid('the Signature has no SignedInfo');

  const c14n = algorithmOf(children(signedInfo, 'ds:CanonicalizationMethod')[0]);
  if (!ALLOWED_C14N.has(c14n)) throw algorithmRefused('CanonicalizationMethod', c14n);
  checkSignatureMethod(algorithmOf(children(signedInfo, 'ds:SignatureMethod')[0]), expectedAlg);

  const references = children(signedInfo, 'ds:Reference');
  if (references.length !== 1) throw invalid(`SignedInfo has ${references.length} Reference elements`);
  const reference = references[0]!;
  const uri = reference.attr('URI')?.value;
  if (uri !== '#' + id) throw invalid(`Reference URI ${JSON.stringify(uri)} is not "#${id}"`);

  const transforms = children(reference, 'ds:Transforms/ds:Transform');
  for (const t of transforms) {
    const alg = algorithmOf(t);
    if (alg !== ENVELOPED_SIGNATURE && !ALLOWED_C14N.has(alg)) throw algorithmRefused('Transform', alg);
  }
  const chain = transforms.map(algorithmOf);
  if (chain.length !== 2 || chain[0] !== ENVELOPED_SIGNATURE || !ALLOWED_C14N.has(chain[1]!)) {
    throw invalid(
      `transform chain [${chain.join(', ')}] is not [enveloped-signature, c14n] ` +
        '(ID6027: Enveloped Signature Transform cannot be the last transform in the chain)',
    );
  }
  const digest = algorithmOf(children(reference, 'ds:DigestMethod')[0]);
  if (!ALLOWED_DIGESTS.has(digest)) throw algorithmRefused('DigestMethod', digest);

  // XSW: the referenced ID must name the root and nothing else, under any of the attribute names
  // verifiers resolve references by (xml-crypto: ID, Id, id). xs:ID is an NCName (schema-checked
  // on the root), so it cannot contain a quote that would break out of the literal.
  if (/['"]/.test(id)) throw invalid('the root ID contains a quote');
  const sameId = doc.find(
    `//*[@*[local-name()='ID' or local-name()='Id' or local-name()='id'] = '${id}']`,
  ) as XmlElement[];
  if (sameId.length !== 1) throw invalid(`${sameId.length} elements carry the ID ${id}`);

  // What the enveloped-signature + c14n transforms must produce: the root without the Signature.
  const c14nTransform = transforms[1]!;
  const prefixList = (c14nTransform.find('ec:InclusiveNamespaces', { ec: EXC_C14N_NS }) as XmlElement[])[0]
    ?.attr('PrefixList')
    ?.value.split(/\s+/)
    .filter((p) => p !== '');
  const rootName = root.name;
  const rootNamespace = root.namespaceUri;
  signature.remove(); // the document is ours and disposed right after
  const exclusive = chain[1] === EXC_C14N;
  const expectedSignedBytes = root.canonicalizeToString({
    mode: exclusive ? XmlC14NMode.XML_C14N_EXCLUSIVE_1_0 : XmlC14NMode.XML_C14N_1_0,
    withComments: false,
    ...(exclusive && prefixList && prefixList.length > 0 ? { inclusiveNamespacePrefixes: prefixList } : {}),
  });
  return { rootName, rootNamespace, expectedSignedBytes, signatureCount: signatures.length, ...(root.isSameNode(doc.root) ? {} : { signedId: id }) };
}

/** xmldom's view when the signed element is not the root: exactly one element with that ID, and its Signature child. */
function xmldomElementSignature(xml: string, id: string, signatureCount: number): Node {
  const problems: string[] = [];
  const dom = new (xmlLibs().DOMParser)({
    errorHandler: { warning: () => undefined, error: (m) => problems.push(String(m)), fatalError: (m) => problems.push(String(m)) },
  }).parseFromString(xml, 'text/xml');
  if (problems.length > 0 || !dom.documentElement) throw invalid(`xmldom disagrees with libxml2: ${problems[0] ?? 'no root'}`);
  const found: Element[] = [];
  const walk = (n: Element) => {
    if (n.getAttribute('ID') === id || n.getAttribute('Id') === id || n.getAttribute('id') === id) found.push(n);
    for (let c = n.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) walk(c as Element);
  };
  walk(dom.documentElement as unknown as Element);
  if (found.length !== 1) throw invalid('xmldom sees a different ID layout');
  if (dom.getElementsByTagNameNS(NS.dsig, 'Signature').length !== signatureCount) throw invalid('xmldom sees a different Signature layout');
  const own: Node[] = [];
  for (let c = found[0]!.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1 && (c as Element).localName === 'Signature' && (c as Element).namespaceURI === NS.dsig) own.push(c as unknown as Node);
  }
  if (own.length !== 1) throw invalid('xmldom sees a different Signature layout');
  return own[0]!;
}

/** The xmldom view of the same text, cross-checked against the libxml2 one. Returns the Signature node. */
function xmldomSignature(xml: string, plan: SignaturePlan): Node {
  if (plan.signedId !== undefined) return xmldomElementSignature(xml, plan.signedId, plan.signatureCount);
  const problems: string[] = [];
  const dom = new (xmlLibs().DOMParser)({
    errorHandler: {
      warning: () => undefined,
      error: (m) => problems.push(String(m)),
      fatalError: (m) => problems.push(String(m)),
    },
  }).parseFromString(xml, 'text/xml');
  const root = dom.documentElement;
  if (problems.length > 0 || !root) throw invalid(`xmldom disagrees with libxml2: ${problems[0] ?? 'no root'}`);
  if (root.localName !== plan.rootName || root.namespaceURI !== plan.rootNamespace) {
    throw invalid('xmldom sees a different root element');
  }
  const all = dom.getElementsByTagNameNS(NS.dsig, 'Signature');
  const own = Array.from({ length: all.length }, (_, i) => all.item(i)!).filter((sig) => sig.parentNode === root);
  if (all.length !== plan.signatureCount || own.length !== 1) {
    throw invalid('xmldom sees a different Signature layout');
  }
  return own[0]!;
}

export function verifyPostSignature(
  xml: string,
  certs: TrustedKeys,
  expectedAlg: SignatureAlgorithm | readonly SignatureAlgorithm[],
  limits: InboundLimits = defaultInboundLimits,
  target: SignatureTarget = {},
): void {
  const plan = withSamlDocument(xml, limits, (doc) => inspect(doc, expectedAlg, target));
  const keys = trustedRsaKeys(certs);
  const signatureNode = xmldomSignature(xml, plan);

  let lastError = 'no configured certificate verifies the signature';
  for (const key of keys) {
    // getCertFromKeyInfo → null: a certificate inside the message is never trusted (reference
    // §4.1 item 4); only the relying party's configured keys are tried.
    const verifier = new (xmlLibs().SignedXml)({ publicCert: key, getCertFromKeyInfo: () => null });
    let ok = false;
    try {
      verifier.loadSignature(signatureNode);
      ok = verifier.checkSignature(xml);
      if (!ok) lastError = 'the Reference digest does not match the signed content';
    } catch (e) {
      lastError = (e as Error).message;
      ok = false;
    }
    if (!ok) continue;
    const signed = verifier.getSignedReferences();
    if (signed.length !== 1 || signed[0] !== plan.expectedSignedBytes) {
      throw invalid('the signed content differs from what libxml2 parsed (parser differential)');
    }
    return;
  }
  throw invalid(lastError);
}
