import { X509Certificate } from 'node:crypto';
import { XmlDocument, type XmlElement } from 'libxml2-wasm';
import { verifySignatureInDocument } from '../../../../idp/src/adfs/inbound/verify-post-signature.js';
import { IdpError } from '../../../../idp/src/shared/errors.js';
import { certificateInfo, certificateLabel } from '../certificate-info.js';
import type { Findings } from '../report.js';
import type { SigningCertificate } from './check-certificates.js';
import { NS, PARSE_OPTIONS, type IdpMetadata } from './read-metadata.js';
import { SHA1_ALGORITHMS } from './sha1-algorithms.js';


/**
 * The metadata's own enveloped signature (saml-metadata §3: "metadata MAY be signed"), verified
 * with the lab's strict XML-DSig verifier (idp/src/adfs/inbound/verify-post-signature.ts: one
 * Reference to the signed element's ID, enveloped + c14n transforms, no wrapping, libxml2
 * canonicalization). The key comes from the document itself — the certificate in the
 * signature's KeyInfo, else the IdP's signing certificates — so a valid signature proves
 * integrity only: nobody changed the document after the holder of that key signed it. It says
 * nothing about who that is; only a fingerprint obtained another way does.
 */
export function checkMetadataSignature(xml: string, md: IdpMetadata, signing: SigningCertificate[], findings: Findings): void {
  const sig = md.signature;
  if (!sig) {
    findings.warn('saml.metadata.signed', 'The metadata is not signed: fetch it only over HTTPS from the IdP itself, and compare the signing certificate’s SHA-256 fingerprint with the one the IdP’s administrator gives you.', {
      spec: 'saml-metadata §3',
    });
    return;
  }
  const weak = [sig.signatureMethod, ...sig.digestMethods].filter((a) => SHA1_ALGORITHMS.has(a));
  if (weak.length > 0) findings.warn('saml.metadata.signature-algorithm', `The metadata is signed with SHA-1 (${weak.join(', ')}); ask for rsa-sha256.`, { spec: 'xmldsig-core1 §6.1' });
  else findings.pass('saml.metadata.signature-algorithm', `Signed with ${sig.signatureMethod}.`, { spec: 'xmldsig-core1 §6.1' });

  const candidates: Array<{ base64: string; where: string }> = [
    ...sig.keyInfoCertificates.map((base64) => ({ base64, where: 'the certificate in the signature’s own KeyInfo' })),
    ...signing.map((c) => ({ base64: c.base64, where: 'the IdP’s signing certificate' })),
  ];
  if (candidates.length === 0) {
    findings.warn('saml.metadata.signed', 'The metadata is signed, but carries no certificate to check the signature with; verify it with the key the IdP’s administrator gives you.', { spec: 'saml-metadata §3' });
    return;
  }
  let lastProblem = '';
  for (const c of candidates) {
    const outcome = verifyWith(xml, sig.on, c.base64);
    if (outcome === 'valid') {
      const label = safeLabel(c.base64);
      findings.pass(
        'saml.metadata.signed',
        `The signature is valid with ${c.where}${label ? `, ${label}` : ''}. This proves integrity only — the document was not changed after the holder of that key signed it — not who signed it: compare the fingerprint with one the IdP’s administrator gives you by another channel.`,
        { spec: 'saml-metadata §3; xmldsig-core §3.2' },
      );
      return;
    }
    if (outcome instanceof IdpError && outcome.code === 'ERR_SAML_SIGNATURE_ALGORITHM') {
      findings.warn('saml.metadata.signed', `The signature uses an algorithm this validator does not verify (${outcome.debug ?? sig.signatureMethod}); it checks rsa-sha256 and rsa-sha1 enveloped signatures.`, { spec: 'saml-metadata §3' });
      return;
    }
    lastProblem = outcome instanceof IdpError ? (outcome.debug ?? outcome.message) : String(outcome);
  }
  findings.fail('saml.metadata.signed', `The metadata signature does not verify (${lastProblem}): the document was changed after it was signed, or signed with another key. Download it again from the IdP.`, {
    spec: 'saml-metadata §3; xmldsig-core §3.2',
  });
}

/** One verification on a fresh parse: the verifier removes the Signature it checked. */
function verifyWith(xml: string, on: 'entity' | 'aggregate', certBase64: string): 'valid' | Error {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(certBase64, 'base64'));
  } catch (e) {
    return e as Error;
  }
  const doc = XmlDocument.fromString(xml, { option: PARSE_OPTIONS });
  try {
    const entity = (doc.find('//md:EntityDescriptor[md:IDPSSODescriptor]', { md: NS.md }) as XmlElement[])[0]!;
    const signed = on === 'entity' ? entity : doc.root;
    // Carriers: the signed element, and the other of root/entity when it is signed as well.
    const carriers = [doc.root, entity].filter((el, i, all) => all.findIndex((x) => x.isSameNode(el)) === i);
    verifySignatureInDocument(doc, [cert], ['rsa-sha256', 'rsa-sha1'], { element: () => signed, carriers: () => carriers });
    return 'valid';
  } catch (e) {
    return e as Error;
  } finally {
    doc.dispose();
  }
}

function safeLabel(base64: string): string | undefined {
  try {
    return certificateLabel(certificateInfo(base64));
  } catch {
    return undefined;
  }
}
