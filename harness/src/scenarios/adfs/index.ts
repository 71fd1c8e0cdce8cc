import type { Scenario } from '../scenario.js';
import { SAML_FAULT_SCENARIOS } from './saml-faults.js';
import { samlIdpInitiated } from './saml-idp-initiated.js';
import { samlSpInitiated } from './saml-sp-initiated.js';

/** AD FS as a SAML IdP for any SP (DESIGN F7), through the console's sample SP. */
export const ADFS_SCENARIOS: Scenario[] = [samlSpInitiated, samlIdpInitiated, ...SAML_FAULT_SCENARIOS];
