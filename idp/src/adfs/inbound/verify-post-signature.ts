import { createHash, verify as verifyRsa } from 'node:crypto';
import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { XmlC14NMode } from 'libxml2-wasm';
import { IdpError } from '../../shared/errors.js';
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
import { DIGEST_SHA1 } from '../../shared/xml/algorithms.js';
import { NS } from '../saml-constants.js';

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
 * Then the signature is checked on that same libxml2 document (xmldsig-core §3.2, core
 * validation): the referenced element without its Signature, canonicalized by libxml2 as the
 * transform chain says, must hash to DigestValue; SignedInfo, canonicalized as its
 * CanonicalizationMethod says, must carry a SignatureValue that one of the configured keys
 * verifies — never a key from KeyInfo. One parser sees the message from the first check to the
 * last read, so there is no second parser to disagree with (parser differentials: ruby-saml
 * CVE-2025-25291/25292), and no DOM is built twice.
 *
 * Throws ERR_SAML_SIGNATURE_REQUIRED (no Signature), ERR_SAML_SIGNATURE_ALGORITHM (an algorithm
 * outside the allow-lists, or not the RP's), ERR_SAML_SIGNATURE_INVALID (everything else), and the
 * parse-xml.ts codes for text that is not a valid SAML message.
 */

const DSIG_NSMAP = { ds: NS.dsig };
const EXC_C14N_NS = EXC_C14N; // the InclusiveNamespaces element lives in the algorithm's namespace

interface SignaturePlan {
  /** Hash of SignatureMethod and the raw signature bytes. */
  hash: 'sha256' | 'sha1';
  signatureValue: Buffer;
  /** SignedInfo as its CanonicalizationMethod renders it: the bytes that were signed. */
  signedInfoBytes: string;
  /** Whether the canonical signed element hashes to DigestValue. */
  digestMatches: boolean;
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
  const hash = checkSignatureMethod(algorithmOf(children(signedInfo, 'ds:SignatureMethod')[0]), expectedAlg);

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

  const digestValue = base64Value(children(reference, 'ds:DigestValue'), 'DigestValue');
  const signatureValue = base64Value(children(signature, 'ds:SignatureValue'), 'SignatureValue');

  // What was signed: SignedInfo under its CanonicalizationMethod (xmldsig-core §4.3.1), in place,
  // before the document changes (inclusive c14n takes the namespaces in scope from ancestors).
  const signedInfoBytes = canonical(signedInfo, c14n, children(signedInfo, 'ds:CanonicalizationMethod')[0]!);
  // What the enveloped-signature + c14n transforms must produce: the element without its Signature.
  signature.remove(); // the document is ours and disposed right after
  const signedBytes = canonical(root, chain[1]!, transforms[1]!);
  const computed = createHash(digest === DIGEST_SHA1 ? 'sha1' : 'sha256').update(signedBytes, 'utf8').digest();
  return { hash, signatureValue, signedInfoBytes, digestMatches: computed.length === digestValue.length && computed.equals(digestValue) };
}

/** libxml2's canonical form of `el` under `algorithm`, with the InclusiveNamespaces PrefixList `method` carries (exc-c14n §3). */
function canonical(el: XmlElement, algorithm: string, method: XmlElement): string {
  const exclusive = algorithm === EXC_C14N;
  const prefixList = (method.find('ec:InclusiveNamespaces', { ec: EXC_C14N_NS }) as XmlElement[])[0]
    ?.attr('PrefixList')
    ?.value.split(/\s+/)
    .filter((p) => p !== '');
  return el.canonicalizeToString({
    mode: exclusive ? XmlC14NMode.XML_C14N_EXCLUSIVE_1_0 : XmlC14NMode.XML_C14N_1_0,
    withComments: false,
    ...(exclusive && prefixList && prefixList.length > 0 ? { inclusiveNamespacePrefixes: prefixList } : {}),
  });
}

/** xs:base64Binary content of exactly one element (whitespace allowed, nothing else). */
function base64Value(found: XmlElement[], name: string): Buffer {
  if (found.length !== 1) throw invalid(`expected one ${name}, found ${found.length}`);
  const text = found[0]!.content.replace(/\s+/g, '');
  if (text === '' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw invalid(`${name} is not base64`);
  return Buffer.from(text, 'base64');
}

export function verifyPostSignature(
  xml: string,
  certs: TrustedKeys,
  expectedAlg: SignatureAlgorithm | readonly SignatureAlgorithm[],
  limits: InboundLimits = defaultInboundLimits,
  target: SignatureTarget = {},
): void {
  const keys = trustedRsaKeys(certs);
  checkPlan(withSamlDocument(xml, limits, (doc) => inspect(doc, expectedAlg, target)), keys);
}

/**
 * The same verification on a document the caller already parsed through parse-xml.ts (one parse
 * for reading and verifying a message that carries two signatures). It removes the verified
 * Signature from `doc`: verify the outer signature (the root's) before an inner one.
 */
export function verifySignatureInDocument(
  doc: XmlDocument,
  certs: TrustedKeys,
  expectedAlg: SignatureAlgorithm | readonly SignatureAlgorithm[],
  target: SignatureTarget = {},
): void {
  const keys = trustedRsaKeys(certs);
  checkPlan(inspect(doc, expectedAlg, target), keys);
}

/** xmldsig-core §3.2.1 Reference validation, then §3.2.2 signature validation with each configured key only (reference §4.1 item 4: a certificate inside the message is never trusted). */
function checkPlan(plan: SignaturePlan, keys: ReturnType<typeof trustedRsaKeys>): void {
  if (!plan.digestMatches) throw invalid('the Reference digest does not match the signed content');
  for (const key of keys) {
    if (verifyRsa(plan.hash, Buffer.from(plan.signedInfoBytes, 'utf8'), key, plan.signatureValue)) return;
  }
  throw invalid('no configured certificate verifies the signature');
}
