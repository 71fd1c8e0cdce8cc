import { h } from '../../http/html.js';
import type { RuleLine } from '../system/password-rules.js';
import { cxonePage } from './frame.js';
import { renderErrors, renderRulesList } from './rules-list.js';

/** The System authenticator's password page, after the username (reference B.1: the rules are shown on the password form). */
export function renderPasswordPage(p: { tx: string; username: string; authenticatorName: string; rules: RuleLine[]; error?: { code: string; message: string } }): string {
  return cxonePage(
    'Sign in',
    `<p>Username: <strong id="username">${h(p.username)}</strong> · <a href="/login">Not you?</a></p>
<form method="post" action="/login/password" id="passwordForm">
<input type="hidden" name="tx" value="${h(p.tx)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" autofocus>
${p.error ? renderErrors([p.error]) : ''}
<button class="submit" id="signIn" type="submit">Sign in</button>
</form>
<p style="font-size:13px;margin-top:20px">Password rules of <span id="authenticatorName">${h(p.authenticatorName)}</span>:</p>
${renderRulesList(p.rules)}`,
  );
}
