import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { NS } from '../../adfs/saml-constants.js';
import { IdpError } from '../../shared/errors.js';

/**
 * The FICAM rules of a SAML login authenticator (seed 002 SAML step 3.5: "with FICAM selected, the
 * SAML response must have a single AuthnContextClassRef, and the NamespaceURI of the assertion
 * subject must be urn:oasis:names:tc:SAML:2.0:assertion"). Reference B.2.1: not found in any
 * retrievable CXone source, so the seed's sentence is the contract.
 *
 * Both rules are read on the well-formed document BEFORE the protocol schema check (parse-xml.ts
 * `beforeSchema`): an assertion in another namespace, or two class refs in one AuthnContext, are
 * also schema violations, and with FICAM on the admin must see which FICAM rule the IdP broke.
 * Names are matched by local name here on purpose: the point is to find the element whatever
 * namespace the IdP put it in.
 */
export function checkFicam(doc: XmlDocument): void {
  const assertions = doc.root.find("*[local-name()='Assertion']") as XmlElement[];
  for (const a of assertions) {
    const subjects = a.find("*[local-name()='Subject']") as XmlElement[];
    for (const el of [a, ...subjects]) {
      if (el.namespaceUri !== NS.assertion) {
        throw new IdpError('ERR_CXONE_FICAM_ASSERTION_NAMESPACE', `FICAM: the ${el.name} must be in the namespace ${NS.assertion}.`, {
          status: 403,
          debug: `{${el.namespaceUri}}${el.name}`,
        });
      }
    }
    const classRefs = a.find(".//*[local-name()='AuthnContextClassRef']") as XmlElement[];
    if (classRefs.length !== 1) {
      throw new IdpError('ERR_CXONE_FICAM_AUTHN_CONTEXT', `FICAM: the assertion must carry exactly one AuthnContextClassRef; it carries ${classRefs.length}.`, {
        status: 403,
        debug: classRefs.map((c) => c.content.trim()).join(', '),
      });
    }
  }
}
