import { h } from '../../http/html.js';
import { cxonePage } from './frame.js';

/** CXone's first sign-in page: the username only; the authenticator decides what comes next (seed 002 step 6). */
export function renderUsernamePage(p: { tx: string; username?: string; error?: { code: string; message: string } }): string {
  return cxonePage(
    'Sign in',
    `<form method="post" action="/login" id="usernameForm">
<input type="hidden" name="tx" value="${h(p.tx)}">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autofocus value="${h(p.username ?? '')}">
${p.error ? `<span id="errorText" role="alert" data-code="${h(p.error.code)}">${h(p.error.message)}</span>` : ''}
<button class="submit" id="next" type="submit">Next</button>
</form>`,
  );
}
