import type { Scenario } from '../scenario.js';
import { oidcFicam } from './oidc-ficam.js';
import { oidcBadSignature, oidcWrongNonce } from './oidc-faults.js';
import { oidcSignIn } from './oidc-sign-in.js';
import { samlFicamOff } from './saml-ficam-off.js';
import { samlFicamOn } from './saml-ficam-on.js';
import { samlIdpInitiated } from './saml-idp-initiated.js';
import { samlTampered, samlUnsigned } from './saml-signature-faults.js';
import { samlSpInitiated } from './saml-sp-initiated.js';
import { systemLockout } from './system-lockout.js';
import { systemMfaTotp } from './system-mfa-totp.js';
import { systemPasswordRules } from './system-password-rules.js';
import { systemSignIn } from './system-sign-in.js';

/** The CXone scenarios (flows F4 SAML, F5 OIDC, F6 System) in catalog order. */
export const CXONE_SCENARIOS: Scenario[] = [
  samlSpInitiated,
  samlIdpInitiated,
  samlFicamOn,
  samlFicamOff,
  samlUnsigned,
  samlTampered,
  oidcSignIn,
  oidcFicam,
  oidcBadSignature,
  oidcWrongNonce,
  systemSignIn,
  systemMfaTotp,
  systemPasswordRules,
  systemLockout,
];
