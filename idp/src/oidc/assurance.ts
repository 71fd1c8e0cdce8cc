import type { User } from '../directory/user-schema.js';

/**
 * Authentication context classes the OpenID Providers offer (`acr_values_supported`), what a user
 * must be able to do to reach each, and the `amr` (RFC 8176) an emulated sign-in at that level
 * reports. The FICAM URIs are those login.gov and the iGov profile use (reference
 * oidc-mocks-and-ficam.md §4.2); the short ones are plain values as Okta-style IdPs issue them.
 *
 * A user's abilities come from the users directory (`assurance`): the lab does not prompt for a
 * second factor, it emulates one the user is recorded as having.
 */
type Factor = 'pwd' | 'mfa' | 'phr' | 'piv';

interface AcrClass {
  value: string;
  /** The strongest authentication the level needs. */
  factor: Factor;
  reachable(a: User['assurance']): boolean;
}

const FICAM = 'http://idmanagement.gov/ns/assurance';

/** Highest first: the order in which a level is picked when several are acceptable. */
export const ACR_CLASSES: readonly AcrClass[] = [
  { value: `${FICAM}/aal/2?hspd12=true`, factor: 'piv', reachable: (a) => a.hspd12 },
  { value: `${FICAM}/aal/2?phishing_resistant=true`, factor: 'phr', reachable: (a) => a.phishingResistant },
  { value: `${FICAM}/aal/2`, factor: 'mfa', reachable: (a) => a.aal >= 2 || a.mfa },
  { value: `${FICAM}/loa/4`, factor: 'phr', reachable: (a) => a.loa >= 4 && (a.phishingResistant || a.hspd12) },
  { value: `${FICAM}/loa/3`, factor: 'mfa', reachable: (a) => a.loa >= 3 && (a.mfa || a.aal >= 2) },
  { value: `${FICAM}/loa/2`, factor: 'pwd', reachable: (a) => a.loa >= 2 },
  { value: `${FICAM}/loa/1`, factor: 'pwd', reachable: () => true },
  { value: `${FICAM}/ial/2`, factor: 'pwd', reachable: (a) => a.ial >= 2 },
  { value: `${FICAM}/ial/1`, factor: 'pwd', reachable: () => true },
  { value: 'phr', factor: 'phr', reachable: (a) => a.phishingResistant || a.hspd12 },
  { value: 'mfa', factor: 'mfa', reachable: (a) => a.mfa || a.aal >= 2 },
  { value: 'pwd', factor: 'pwd', reachable: () => true },
];

export const ACR_VALUES: readonly string[] = ACR_CLASSES.map((c) => c.value);

/**
 * What a FICAM client that asks for no level gets, so that its ID token always carries `acr`
 * (iGov OIDC §3.1 makes `acr` REQUIRED): the best AAL the user reaches, LOA 1 at worst.
 */
export const FICAM_DEFAULT_ACR_VALUES: readonly string[] = [
  `${FICAM}/aal/2?hspd12=true`,
  `${FICAM}/aal/2?phishing_resistant=true`,
  `${FICAM}/aal/2`,
  `${FICAM}/loa/1`,
];

const AMR: Record<Factor, string[]> = {
  pwd: ['pwd'],
  mfa: ['pwd', 'otp', 'mfa'],
  phr: ['pwd', 'hwk', 'mfa'],
  piv: ['sc', 'pin', 'mfa'],
};

export interface AcrDecision {
  acr: string;
  amr: string[];
  /** False when values were asked for and the user reaches none of them. */
  met: boolean;
}

/**
 * The level a sign-in reaches: the first of `requested` (in the client's order of preference,
 * OIDC Core §3.1.2.1) the user can reach. With nothing requested, or nothing reachable, the
 * user's best plain level; `met` tells the caller whether the request was honoured.
 */
export function decideAcr(user: User, requested: readonly string[]): AcrDecision {
  for (const value of requested) {
    const c = ACR_CLASSES.find((k) => k.value === value);
    if (c?.reachable(user.assurance)) return { acr: c.value, amr: [...AMR[c.factor]], met: true };
  }
  const plain = ACR_CLASSES.find((k) => !k.value.startsWith('http') && k.reachable(user.assurance))!;
  return { acr: plain.value, amr: [...AMR[plain.factor]], met: requested.length === 0 };
}
