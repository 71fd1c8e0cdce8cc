import { h, layout } from './html.js';

export interface LoginPageInput {
  serviceName: string;
  /** Where the form posts: `/adfs/ls/?client-request-id=<pending request>`. */
  action: string;
  userName?: string | undefined;
  error?: string | undefined;
}

/**
 * The AD FS forms sign-in page: `UserName`, `Password` and the hidden
 * `AuthMethod=FormsAuthentication`, with AD FS's element IDs (userNameInput, passwordInput,
 * submitButton, errorText) so scripts written against a real farm find their fields. Unlike AD FS
 * it submits without JavaScript, so scripted clients and headless browsers alike get through.
 */
export function renderLoginPage(p: LoginPageInput): string {
  return layout(
    'Sign In',
    p.serviceName,
    `<form method="post" id="loginForm" autocomplete="off" novalidate action="${h(p.action)}">
<div id="formsAuthenticationArea">
<label for="userNameInput">User account</label>
<input id="userNameInput" name="UserName" type="text" value="${h(p.userName ?? '')}" tabindex="1" placeholder="someone@example.com" autofocus>
<label for="passwordInput">Password</label>
<input id="passwordInput" name="Password" type="password" tabindex="2" placeholder="Password">
<input id="kmsiInput" name="Kmsi" type="hidden" value="false">
<input id="optionForms" type="hidden" name="AuthMethod" value="FormsAuthentication">
<button id="submitButton" class="submit" type="submit" tabindex="4">Sign in</button>
${p.error ? `<span id="errorText" role="alert">${h(p.error)}</span>` : ''}
</div></form>`,
  );
}

/** AD FS's wording for a failed forms sign-in. */
export const BAD_CREDENTIALS_TEXT = 'Incorrect user ID or password. Type the correct user ID and password, and try again.';
