import type { Target } from './report.js';

/** What every rule group is told about the run. */
export interface CheckOptions {
  /** The product the IdP is being readied for: its own requirements become failures. */
  target: Target | undefined;
  /** Apply the FICAM (SAML) / iGov (OIDC) rules too. */
  ficam: boolean;
  /** Epoch ms the certificate dates are judged at (the wall clock in the CLI). */
  now: number;
}

/** How far ahead an expiring certificate is reported, in days. */
export const EXPIRY_WARNING_DAYS = 30;
