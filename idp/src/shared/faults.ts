import { z } from 'zod';
import { IdpError } from './errors.js';

/**
 * Faults are data: a one-shot queue per protocol surface, filled through the control API and
 * consumed by the next message that surface produces. Normal code paths stay spec-correct; a
 * fault only bends the one message it is taken by.
 */
export const ADFS_FAULT_KINDS = [
  /** Conditions/SubjectConfirmationData already past NotOnOrAfter. */
  'expired-assertion',
  /** Conditions NotBefore in the future. */
  'not-yet-valid-assertion',
  /** Audience that is not the relying party's identifier. */
  'wrong-audience',
  /** SubjectConfirmationData Recipient that is not the ACS URL (Response Destination stays right, so only the Recipient check trips). */
  'wrong-recipient',
  /** InResponseTo that does not match the AuthnRequest. */
  'wrong-in-response-to',
  /** No signature at all, neither on the message nor on the assertion. */
  'unsigned',
  /** Signed, but by a key that is not in the metadata. */
  'unknown-signing-key',
  /** Two AuthnContextClassRef values in the AuthnStatement (breaks FICAM's "exactly one"). */
  'two-authn-context-class-refs',
  /** The assertion in a namespace other than urn:oasis:names:tc:SAML:2.0:assertion. */
  'wrong-assertion-namespace',
  /** Signed, then altered: the first AttributeValue (or the NameID) gets `-tampered` appended, so no signature verifies. */
  'tampered',
  /** The previous response to this relying party, sent again byte for byte (a replay); waits until there was one. */
  'replay',
] as const;

export const OIDC_FAULT_KINDS = [
  /** The token endpoint answers `invalid_grant` (RFC 6749 §5.2) without looking at the request. */
  'invalid-grant',
  /** The token endpoint answers HTTP 500 `server_error`, as an overloaded IdP does. */
  'server-error',
  /** The token endpoint answers after `delayMs` (default 3000), then normally. */
  'slow-token',
  /** The next ID token is already expired (`exp` and `iat` in the past), correctly signed. */
  'expired-id-token',
  /** The next ID token carries a signature no published key verifies (same `kid`, other key). */
  'id-token-bad-signature',
  /**
   * The next ID token (or, with `target: userinfo`, the next userinfo answer) gets `claims`
   * merged in (`null` removes one) and is re-signed with the same key: any claim, protocol ones
   * (aud, iss, nonce, acr) included, for testing how a client reacts to wrong content.
   */
  'claims',
] as const;

const OidcFaultSchema = z
  .strictObject({
    surface: z.literal('oidc'),
    kind: z.enum(OIDC_FAULT_KINDS),
    /** Only this issuer's (`oidc.issuers[].id`) responses take the fault. */
    issuer: z.string().min(1).optional(),
    /** Only responses to this client take the fault. */
    clientId: z.string().min(1).optional(),
    /** `slow-token`: how long to wait (ms). */
    delayMs: z.number().int().min(1).max(60_000).optional(),
    /** `claims`: claims to set (`null` removes one). */
    claims: z.record(z.string(), z.unknown()).optional(),
    /** `claims`: where the override lands (default: the ID token). */
    target: z.enum(['id_token', 'userinfo']).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.kind === 'claims' && !f.claims) ctx.addIssue({ code: 'custom', path: ['claims'], message: "required for kind 'claims'" });
    if (f.kind !== 'claims' && (f.claims || f.target)) ctx.addIssue({ code: 'custom', path: ['claims'], message: "only for kind 'claims'" });
    if (f.kind !== 'slow-token' && f.delayMs !== undefined) ctx.addIssue({ code: 'custom', path: ['delayMs'], message: "only for kind 'slow-token'" });
  });

export const FaultSchema = z.discriminatedUnion('surface', [
  z.strictObject({
    surface: z.literal('adfs'),
    kind: z.enum(ADFS_FAULT_KINDS),
    /** Only a response to this relying party (an identifier or name) takes the fault. */
    relyingParty: z.string().min(1).optional(),
  }),
  OidcFaultSchema,
]);
export type Fault = z.output<typeof FaultSchema>;
export type FaultSurface = Fault['surface'];

export class FaultQueue {
  private queue: Fault[] = [];

  enqueue(input: unknown): Fault {
    const parsed = FaultSchema.safeParse(input);
    if (!parsed.success) {
      throw new IdpError('ERR_CONTROL_INVALID', 'invalid fault', {
        details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      });
    }
    this.queue.push(parsed.data);
    return parsed.data;
  }

  /** Removes and returns the first queued fault of `surface` that `accepts`, if any. */
  take<S extends FaultSurface>(surface: S, accepts: (f: Extract<Fault, { surface: S }>) => boolean = () => true) {
    const i = this.queue.findIndex((f) => f.surface === surface && accepts(f as Extract<Fault, { surface: S }>));
    if (i < 0) return undefined;
    return this.queue.splice(i, 1)[0] as Extract<Fault, { surface: S }>;
  }

  /** Whether a fault of `surface` that `accepts` is queued (without taking it). */
  has<S extends FaultSurface>(surface: S, accepts: (f: Extract<Fault, { surface: S }>) => boolean = () => true): boolean {
    return this.queue.some((f) => f.surface === surface && accepts(f as Extract<Fault, { surface: S }>));
  }

  list(): readonly Fault[] {
    return [...this.queue];
  }

  clear(): void {
    this.queue = [];
  }
}
