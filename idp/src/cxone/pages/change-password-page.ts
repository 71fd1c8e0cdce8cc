import { h } from '../../http/html.js';
import type { PasswordPolicy } from '../model.js';
import type { RuleLine } from '../system/password-rules.js';
import { cxonePage } from './frame.js';
import { renderErrors, renderLiveRulesScript, renderRulesList } from './rules-list.js';

/** Why the sign-in asks for a new password. */
export type ChangeReason = 'expired' | 'must-change' | 'non-compliant';

const REASON_TEXT: Record<ChangeReason, string> = {
  expired: 'Your password has expired. Choose a new one to continue.',
  'must-change': 'Your administrator set this password for you. Choose your own to continue.',
  'non-compliant': "Your password does not meet your login authenticator's current rules. Choose a new one to continue.",
};

/** The change-password step (reference B.1: the check runs "when a password expires" and at the next login after a rule change). */
export function renderChangePasswordPage(p: {
  tx: string;
  username: string;
  reason: ChangeReason;
  rules: RuleLine[];
  policy: PasswordPolicy;
  personal: string[];
  errors?: Array<{ code: string; message: string }>;
}): string {
  return cxonePage(
    'Change password',
    `<p>Username: <strong id="username">${h(p.username)}</strong></p>
<p id="changeReason" data-reason="${h(p.reason)}">${h(REASON_TEXT[p.reason])}</p>
<form method="post" action="/login/change-password" id="changePasswordForm" data-reason="${h(p.reason)}">
<input type="hidden" name="tx" value="${h(p.tx)}">
<label for="newPassword">New password</label>
<input id="newPassword" name="newPassword" type="password" autocomplete="new-password" autofocus>
<label for="confirmPassword">Confirm new password</label>
<input id="confirmPassword" name="confirmPassword" type="password" autocomplete="new-password">
${renderErrors(p.errors ?? [])}
${renderRulesList(p.rules)}
<button class="submit" id="changePassword" type="submit">Change password</button>
</form>
${renderLiveRulesScript('newPassword', p.policy, p.personal)}`,
  );
}
