import { createHash, sign, type KeyObject } from 'node:crypto';
import {
  DSIG_NS,
  ENVELOPED_SIGNATURE,
  EXC_C14N,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithm,
} from './algorithms.js';
import { excC14n } from './c14n.js';
import { attr, el, localName, type XmlNode } from './tree.js';

export type { SignatureAlgorithm } from './algorithms.js';

export interface SigningKey {
  /** Parsed once at start-up; parsing PEM per signature would cost as much as the c14n. */
  privateKey: KeyObject;
  /** The signing certificate, DER in base64 on one line, as it appears in KeyInfo. */
  certBase64: string;
}

const DS_SCOPE: Readonly<Record<string, string>> = Object.freeze({ ds: DSIG_NS });

export interface SignOptions {
  /** Namespace bindings declared on ancestors of `node` (none for AD FS's self-contained nodes). */
  inScope?: Record<string, string>;
  /** Child index for the Signature; wins over the "after Issuer" rule. */
  insertAt?: number;
}

/**
 * Enveloped XML-DSig in the AD FS layout (reference §1.3 skeleton and §1.4 "Signature placement"):
 *
 *   <ds:Signature xmlns:ds="…xmldsig#"><ds:SignedInfo>
 *     <ds:CanonicalizationMethod exc-c14n /><ds:SignatureMethod rsa-sha256|rsa-sha1 />
 *     <ds:Reference URI="#<ID>"><ds:Transforms>enveloped-signature, exc-c14n</ds:Transforms>
 *       <ds:DigestMethod sha256|sha1 /><ds:DigestValue>…</ds:DigestValue></ds:Reference>
 *   </ds:SignedInfo><ds:SignatureValue>…</ds:SignatureValue>
 *   <KeyInfo xmlns="…xmldsig#"><ds:X509Data><ds:X509Certificate>…</ds:X509Certificate></ds:X509Data></KeyInfo>
 *   </ds:Signature>
 *
 * inserted right after the node's `Issuer` child (SAML: saml-core §5.4.1 requires the Signature
 * to follow Issuer), or first when there is none (metadata, reference §1.2).
 *
 * Mutates and returns `node`.
 */
export function signEnveloped(
  node: XmlNode,
  key: SigningKey,
  alg: SignatureAlgorithm,
  opts: SignOptions = {},
): XmlNode {
  const id = attr(node, 'ID');
  if (id === undefined || id === '') throw new Error(`signEnveloped: <${node.name}> has no ID attribute to reference`);
  const { signatureUri, digestUri, hash } = SIGNATURE_ALGORITHMS[alg];

  // XML-DSig §6.6.4: the enveloped-signature transform removes the Signature being created, so
  // digesting the node before the Signature is inserted gives the same bytes without an `omit`.
  const c14nOpts = opts.inScope === undefined ? {} : { inScope: opts.inScope };
  const digest = createHash(hash).update(excC14n(node, c14nOpts), 'utf8').digest('base64');

  const signedInfo = el('ds:SignedInfo', undefined, [
    el('ds:CanonicalizationMethod', { Algorithm: EXC_C14N }),
    el('ds:SignatureMethod', { Algorithm: signatureUri }),
    el('ds:Reference', { URI: '#' + id }, [
      el('ds:Transforms', undefined, [
        el('ds:Transform', { Algorithm: ENVELOPED_SIGNATURE }),
        el('ds:Transform', { Algorithm: EXC_C14N }),
      ]),
      el('ds:DigestMethod', { Algorithm: digestUri }),
      el('ds:DigestValue', undefined, [digest]),
    ]),
  ]);
  // XML-DSig §3.1.2: the signature covers SignedInfo canonicalized by CanonicalizationMethod.
  // In the document SignedInfo sits under <ds:Signature xmlns:ds>, so `ds` is in scope; every
  // element in it is ds-prefixed, so no other binding of the surrounding document is utilized.
  const signedBytes = Buffer.from(excC14n(signedInfo, { inScope: DS_SCOPE }), 'utf8');
  const signatureValue = sign(hash, signedBytes, key.privateKey).toString('base64');

  const signature = el('ds:Signature', { 'xmlns:ds': DSIG_NS }, [
    signedInfo,
    el('ds:SignatureValue', undefined, [signatureValue]),
    // AD FS oddity (reference §0, "KeyInfo"): KeyInfo is unprefixed with its own default
    // namespace declaration, while its children use the `ds:` prefix.
    el('KeyInfo', { xmlns: DSIG_NS }, [
      el('ds:X509Data', undefined, [el('ds:X509Certificate', undefined, [key.certBase64])]),
    ]),
  ]);
  node.children.splice(insertionIndex(node, opts.insertAt), 0, signature);
  return node;
}

function insertionIndex(node: XmlNode, insertAt: number | undefined): number {
  if (insertAt !== undefined) return insertAt;
  for (let i = 0; i < node.children.length; i++) {
    const ch = node.children[i]!;
    if (typeof ch !== 'string' && localName(ch.name) === 'Issuer') return i + 1;
  }
  return 0;
}
