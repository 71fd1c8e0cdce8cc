import { h } from '../../http/html.js';
import { oidcPage } from './frame.js';

export interface LoginPageInput {
  issuerName: string;
  /** Where the form posts: `<prefix>/interaction/<uid>/login`. */
  action: string;
  abortAction: string;
  clientName: string;
  /** Pre-filled from `login_hint`. */
  username?: string | undefined;
  error?: string | undefined;
}

/**
 * The sign-in page. Fields have stable ids (`username`, `password`, `submit`, `errorText`) for
 * scripts and browsers; it works without JavaScript.
 */
export function renderLoginPage(p: LoginPageInput): string {
  return oidcPage(
    'Sign in',
    p.issuerName,
    `<p>Sign in to continue to <strong id="clientName">${h(p.clientName)}</strong>.</p>
<form method="post" id="loginForm" autocomplete="off" novalidate action="${h(p.action)}">
<label for="username">Username</label>
<input id="username" name="username" type="text" value="${h(p.username ?? '')}" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password">
<button id="submit" class="submit" type="submit">Sign in</button>
${p.error ? `<span id="errorText" role="alert">${h(p.error)}</span>` : ''}
</form>
<form method="post" action="${h(p.abortAction)}"><button id="cancel" class="secondary" type="submit">Cancel</button></form>`,
  );
}

export const BAD_CREDENTIALS_TEXT = 'Incorrect username or password.';
