import type { Scenario } from '../scenario.js';
import { CODE_PKCE_SCENARIOS } from './code-pkce.js';
import { OIDC_FAULT_SCENARIOS } from './faults.js';
import { oidcRefresh } from './refresh.js';

/** The OpenID Provider for any RP (DESIGN F7), driven by openid-client. */
export const OIDC_SCENARIOS: Scenario[] = [...CODE_PKCE_SCENARIOS, oidcRefresh, ...OIDC_FAULT_SCENARIOS];
