import { z } from 'zod';
import { NAMEID_FORMAT } from './saml-constants.js';

/**
 * An AD FS relying-party trust, as `Add-AdfsRelyingPartyTrust` models it (reference §1.4, §2.3):
 * fixture files and the control API use exactly these fields.
 *
 * Certificates are given as PEM text, `pki:<system>/<signing|encryption>` (a certificate of the
 * lab's own PKI, e.g. `pki:sample-sp/signing`) or `file:<path>` (relative to the fixtures folder).
 * URLs may contain `${adfs}`, `${console}`… which stand for that service's public URL.
 */
const nameIdFormat = z
  .string()
  .transform((f) => (f in NAMEID_FORMAT ? NAMEID_FORMAT[f as keyof typeof NAMEID_FORMAT] : f))
  .pipe(z.string().regex(/^urn:/, 'a NameID format URI or one of ' + Object.keys(NAMEID_FORMAT).join(', ')));

const endpoint = z.strictObject({
  /** `acs` = SAMLAssertionConsumer, `slo` = SAMLLogout. */
  kind: z.enum(['acs', 'slo']),
  /** AD FS answers an ACS over POST only; logout over POST or Redirect. */
  binding: z.enum(['POST', 'Redirect']),
  url: z.string().min(1),
  index: z.number().int().min(0).max(65535).default(0),
  isDefault: z.boolean().default(false),
  /** Where LogoutResponses go, when it differs from `url` (SLO only). */
  responseUrl: z.string().min(1).optional(),
});

const claimRule = z.strictObject({
  /** Claim type: AD FS claim-type URI or a short name such as Cisco's `uid`. Used verbatim as Attribute@Name. */
  type: z.string().min(1),
  /**
   * A template over the signed-in user: `{upn}`, `{email}`, `{username}`, `{windowsAccountName}`,
   * `{groups}` (multi-valued), `{finesse.loginId}`, `{attributes.<key>}`, `{persistentId}`… or a
   * static string. A template that is exactly one multi-valued placeholder gives one
   * AttributeValue per value.
   */
  value: z.string(),
});

export const RelyingPartySchema = z
  .strictObject({
    /** Display name (AD FS `Name`), unique in the farm. */
    name: z.string().min(1).max(200),
    /** RP identifiers; the AuthnRequest Issuer must equal one exactly, and it becomes the Audience. */
    identifiers: z.array(z.string().min(1)).min(1),
    enabled: z.boolean().default(true),
    endpoints: z.array(endpoint).default([]),
    /** Certificates an SP may sign requests with (AD FS `RequestSigningCertificate`). */
    requestSigningCertificates: z.array(z.string().min(1)).default([]),
    /** AD FS `SignedSamlRequestsRequired`: unsigned AuthnRequests get MSIS7085. */
    signedSamlRequestsRequired: z.boolean().default(false),
    /** AD FS `EncryptClaims`: send an EncryptedAssertion to `encryptionCertificate`. */
    encryptClaims: z.boolean().default(false),
    encryptionCertificate: z.string().min(1).optional(),
    /** AD FS `SamlResponseSignature`. */
    samlResponseSignature: z.enum(['AssertionOnly', 'MessageOnly', 'MessageAndAssertion']).default('AssertionOnly'),
    /** AD FS `SignatureAlgorithm`: signs responses with it and expects it on signed requests (MSIS7093). */
    signatureAlgorithm: z.enum(['rsa-sha256', 'rsa-sha1']).default('rsa-sha256'),
    /** The NameID rule; AD FS emits no NameID unless a rule issues one (reference §1.6). */
    nameId: z
      .strictObject({
        format: nameIdFormat,
        /** Template as for claims; a transient NameID without one gets a fresh opaque value. */
        value: z.string().optional(),
        nameQualifier: z.string().min(1).optional(),
        spNameQualifier: z.string().min(1).optional(),
      })
      .optional(),
    /** Issuance transform rules, as data: one Attribute per rule, in this order. */
    claims: z.array(claimRule).default([]),
    /** AD FS `TokenLifetime` in minutes (0 means the default 60). */
    tokenLifetimeMinutes: z.number().int().min(0).max(1440).default(60),
    /** AD FS `NotBeforeSkew` in minutes: Conditions NotBefore = IssueInstant − skew. */
    notBeforeSkewMinutes: z.number().int().min(0).max(60).default(0),
    /** Emit AuthnStatement@SessionIndex (= the assertion ID, as AD FS does). */
    sessionIndex: z.boolean().default(true),
    /**
     * FICAM mode: exactly one AuthnContextClassRef carrying the FICAM LOA achieved, a signed
     * assertion, persistent or transient NameID only (FICAM SAML 2.0 WB SSO Profile 1.0.2).
     */
    ficam: z.boolean().default(false),
  })
  .superRefine((rp, ctx) => {
    if (rp.encryptClaims && !rp.encryptionCertificate) {
      ctx.addIssue({ code: 'custom', path: ['encryptionCertificate'], message: 'required when encryptClaims is true' });
    }
    if (rp.signedSamlRequestsRequired && rp.requestSigningCertificates.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['requestSigningCertificates'], message: 'required when signedSamlRequestsRequired is true' });
    }
    if (rp.ficam && rp.nameId && ![NAMEID_FORMAT.persistent, NAMEID_FORMAT.transient].includes(rp.nameId.format as never)) {
      ctx.addIssue({ code: 'custom', path: ['nameId', 'format'], message: 'FICAM allows only persistent or transient NameIDs' });
    }
    if (rp.ficam && !rp.nameId) {
      ctx.addIssue({ code: 'custom', path: ['nameId'], message: 'FICAM requires a persistent or transient NameID rule' });
    }
    // FICAM: persistent identifiers must be pseudonymous (opaque, pairwise), never PII.
    if (rp.ficam && rp.nameId?.format === NAMEID_FORMAT.persistent && rp.nameId.value !== undefined && rp.nameId.value !== '{persistentId}') {
      ctx.addIssue({ code: 'custom', path: ['nameId', 'value'], message: 'a FICAM persistent NameID must be the pairwise {persistentId} (or left out)' });
    }
    if (rp.ficam && rp.signatureAlgorithm !== 'rsa-sha256') {
      ctx.addIssue({ code: 'custom', path: ['signatureAlgorithm'], message: 'FICAM requires SHA-256 signatures' });
    }
    if (rp.ficam && rp.samlResponseSignature === 'MessageOnly') {
      ctx.addIssue({ code: 'custom', path: ['samlResponseSignature'], message: 'FICAM requires a signed assertion' });
    }
    const acs = rp.endpoints.filter((e) => e.kind === 'acs');
    const seen = new Set<number>();
    acs.forEach((e, i) => {
      if (e.binding !== 'POST') ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'binding'], message: 'an ACS must use POST' });
      if (seen.has(e.index)) ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'index'], message: `duplicate ACS index ${e.index}` });
      seen.add(e.index);
    });
  });

export type RelyingPartyInput = z.input<typeof RelyingPartySchema>;
export type RelyingPartyData = z.output<typeof RelyingPartySchema>;
