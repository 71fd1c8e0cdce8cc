import { el, type XmlNode } from '../shared/xml/tree.js';
import { adfsInstant } from '../shared/ids.js';
import { BEARER, NS } from './saml-constants.js';

export interface NameIdValue {
  value: string;
  format?: string | undefined;
  nameQualifier?: string | undefined;
  spNameQualifier?: string | undefined;
}

export interface AssertionInput {
  id: string;
  issuer: string;
  issueInstant: number;
  nameId?: NameIdValue | undefined;
  /** Absent for unsolicited (IdP-initiated) responses. */
  inResponseTo?: string | undefined;
  recipient: string;
  /** SubjectConfirmationData NotOnOrAfter (IssueInstant + SamlMessageDeliveryWindow). */
  confirmationNotOnOrAfter: number;
  notBefore: number;
  notOnOrAfter: number;
  audience: string;
  attributes: ReadonlyArray<{ name: string; values: readonly string[] }>;
  authnInstant: number;
  sessionIndex?: string | undefined;
  classRefs: readonly string[];
  /** The assertion namespace; only a fault changes it. */
  namespace?: string | undefined;
}

/**
 * The Assertion exactly as AD FS writes it (reference §1.3): attributes ID, IssueInstant, Version
 * then xmlns; Issuer, Subject, Conditions, AttributeStatement *before* AuthnStatement; no
 * SubjectConfirmationData@NotBefore, no AuthnContextDeclRef, no SubjectLocality; attributes with
 * neither NameFormat nor xsi:type; NameID only when a rule issued one.
 */
export function buildAssertion(a: AssertionInput): XmlNode {
  const nameId = a.nameId
    ? el(
        'NameID',
        { Format: a.nameId.format, NameQualifier: a.nameId.nameQualifier, SPNameQualifier: a.nameId.spNameQualifier },
        [a.nameId.value],
      )
    : null;
  return el('Assertion', { ID: a.id, IssueInstant: adfsInstant(a.issueInstant), Version: '2.0', xmlns: a.namespace ?? NS.assertion }, [
    el('Issuer', {}, [a.issuer]),
    el('Subject', {}, [
      nameId,
      el('SubjectConfirmation', { Method: BEARER }, [
        el('SubjectConfirmationData', {
          InResponseTo: a.inResponseTo,
          NotOnOrAfter: adfsInstant(a.confirmationNotOnOrAfter),
          Recipient: a.recipient,
        }),
      ]),
    ]),
    el('Conditions', { NotBefore: adfsInstant(a.notBefore), NotOnOrAfter: adfsInstant(a.notOnOrAfter) }, [
      el('AudienceRestriction', {}, [el('Audience', {}, [a.audience])]),
    ]),
    a.attributes.length > 0 &&
      el(
        'AttributeStatement',
        {},
        a.attributes.map((at) => el('Attribute', { Name: at.name }, at.values.map((v) => el('AttributeValue', {}, [v])))),
      ),
    el('AuthnStatement', { AuthnInstant: adfsInstant(a.authnInstant), SessionIndex: a.sessionIndex }, [
      el('AuthnContext', {}, a.classRefs.map((c) => el('AuthnContextClassRef', {}, [c]))),
    ]),
  ]);
}
