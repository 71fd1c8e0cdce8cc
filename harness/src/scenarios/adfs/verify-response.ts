import { SAML, ValidateInResponseTo, type Profile } from '@node-saml/node-saml';
import { ScenarioFailure } from '../scenario.js';
import type { AdfsTrust } from './adfs-metadata.js';

/** Leeway between the scenario's clock and the lab's: small, so an assertion 1 min out of date fails. */
const CLOCK_SKEW_MS = 5_000;

export interface VerifyOptions {
  /** The SP whose response it is: node-saml checks the Audience against it. */
  audience: string;
  /** The SP's ACS URL. */
  callbackUrl: string;
  /**
   * The AuthnRequest the response must answer (SP-initiated): InResponseTo is then required to
   * match it. Undefined for an unsolicited (IdP-initiated) response.
   */
  requestId: string | undefined;
}

/**
 * Verifies a SAML response with @node-saml/node-saml — an implementation independent of the lab —
 * strictly, against the signing certificates of the lab's metadata only: a signed assertion
 * (wantAssertionsSigned, as the sample SP's trust asks), Issuer, Audience, time window and
 * InResponseTo. Resolves with the profile; rejects with node-saml's own reason.
 */
export async function verifyResponse(samlResponse: string, trust: AdfsTrust, o: VerifyOptions): Promise<Profile> {
  const sp = new SAML({
    issuer: o.audience,
    audience: o.audience,
    callbackUrl: o.callbackUrl,
    idpCert: trust.signingCertificates,
    idpIssuer: trust.entityId,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    validateInResponseTo: o.requestId === undefined ? ValidateInResponseTo.never : ValidateInResponseTo.always,
  });
  // node-saml accepts InResponseTo only for request IDs in its cache: the request was the sample
  // SP's, so its ID (read from the browser's redirect) is put there as if this SP had sent it.
  if (o.requestId !== undefined) await sp.cacheProvider.saveAsync(o.requestId, new Date().toISOString());
  const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: samlResponse });
  if (!profile) throw new ScenarioFailure('node-saml found no profile in the response');
  return profile;
}

/** node-saml's rejection of a response that must be rejected; its acceptance fails the scenario. */
export async function rejectionOf(samlResponse: string, trust: AdfsTrust, o: VerifyOptions): Promise<string> {
  try {
    await verifyResponse(samlResponse, trust, o);
  } catch (e) {
    if (e instanceof ScenarioFailure) throw e;
    return (e as Error).message;
  }
  throw new ScenarioFailure('node-saml accepted the response');
}
