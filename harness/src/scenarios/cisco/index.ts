import type { Scenario } from '../scenario.js';
import { f1FinesseToken } from './f1-finesse-token.js';
import { f2RefreshAt75 } from './f2-refresh-at-75.js';
import { f2RefreshExpired } from './f2-refresh-expired.js';
import { f3AgentState } from './f3-agent-state.js';
import { f3Dialog } from './f3-dialog.js';
import { finesseForgedToken } from './finesse-forged-token.js';

/** The Cisco chain (Finesse, IdS, AD FS): DESIGN F1–F3. */
export const CISCO_SCENARIOS: Scenario[] = [f1FinesseToken, f2RefreshAt75, f2RefreshExpired, f3AgentState, f3Dialog, finesseForgedToken];
