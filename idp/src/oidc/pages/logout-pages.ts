import { h } from '../../http/html.js';
import { oidcPage } from './frame.js';

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2: the OP SHOULD ask the user).
 * `form` is oidc-provider's hidden form (id `op.logoutForm`, with its xsrf token); the buttons
 * submit it with `logout=yes` or without.
 */
export function renderLogoutConfirm(p: { issuerName: string; form: string; clientName?: string | undefined; droppedRedirect?: string | undefined }): string {
  const from = p.clientName ? ` from <strong id="clientName">${h(p.clientName)}</strong>` : '';
  const dropped = p.droppedRedirect
    ? `<p id="redirectNotice">The return address <code>${h(p.droppedRedirect)}</code> is not registered for this client, so you will stay on this site after signing out.</p>`
    : '';
  return oidcPage(
    'Sign out',
    p.issuerName,
    `<p>Do you want to sign out${from}?</p>${dropped}
${p.form}
<button id="confirm" class="submit" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button id="stay" class="secondary" type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
}

/** Where logout ends when no registered post_logout_redirect_uri was given. */
export function renderLogoutDone(p: { issuerName: string; clientName?: string | undefined }): string {
  const from = p.clientName ? ` from <strong id="clientName">${h(p.clientName)}</strong>` : '';
  return oidcPage('Signed out', p.issuerName, `<p id="signedOut">You have signed out${from}.</p>`);
}
