import { h } from '../../../http/html.js';
import type { CxoneContext } from '../../context.js';
import type { CxoneUser } from '../../model.js';
import type { FieldError } from '../field-errors.js';
import { presentUser } from '../present.js';
import { actionButton, adminPage, FormRenderer, type Notice } from './admin-frame.js';
import type { FormValues } from './form-input.js';

/** Admin → Users: who signs in with which login authenticator, and their state. */
export function renderUserList(ctx: CxoneContext, notice?: Notice): string {
  const rows = [...ctx.store.users.values()]
    .sort((a, b) => a.username.localeCompare(b.username))
    .map((u) => {
      const p = presentUser(ctx, u);
      return `<tr data-id="${h(p.id)}" data-username="${h(p.username)}"><td><a href="/admin/users/${encodeURIComponent(p.id)}">${h(p.username)}</a></td>
<td>${h(p.firstName)} ${h(p.lastName)}</td><td>${h(p.role)}</td><td class="authenticator">${h(p.loginAuthenticatorName ?? p.loginAuthenticatorId)}</td>
<td class="externalIdentity">${h(p.externalIdentity ?? '')}</td><td class="status">${p.status}${p.locked ? ' (locked)' : ''}</td></tr>`;
    })
    .join('\n');
  return adminPage(
    'Users',
    `<p><a id="newUser" href="/admin/users/new">New user</a></p>
<table class="list" id="users"><thead><tr><th>Username</th><th>Name</th><th>Role</th><th>Login authenticator</th><th>External identity</th><th>Status</th></tr></thead>
<tbody>${rows}</tbody></table>`,
    notice,
  );
}

/**
 * New / Edit user: the fields of the admin API's user, the login authenticator as a dropdown,
 * and on an existing user the actions (activate, deactivate, unlock, reset password, reset MFA,
 * delete). A password applies to users of a System authenticator only (the API says so if not).
 */
export function renderUserForm(
  ctx: CxoneContext,
  p: { existing: CxoneUser | undefined; values: FormValues; errors?: FieldError[]; notice?: Notice; resetErrors?: FieldError[] },
): string {
  const f = new FormRenderer(p.values, p.errors);
  const u = p.existing;
  const action = u ? `/admin/users/${encodeURIComponent(u.id)}` : '/admin/users';
  const authenticators = [...ctx.store.authenticators.values()].map((a): [string, string] => [a.id, `${a.name} (${a.type}${a.active ? '' : ', inactive'})`]);
  const form = `${f.summary()}
<form method="post" action="${h(action)}" id="userForm">
${f.input('username', 'Username', { autocomplete: 'off' })}
${f.input('email', 'E-mail')}
${f.input('firstName', 'First name')}
${f.input('lastName', 'Last name')}
${f.input('role', 'Role')}
${f.select('loginAuthenticatorId', 'Login authenticator', authenticators)}
${f.input('externalIdentity', 'External identity', { hint: 'SAML NameID or OIDC sub exactly, or claim(email):<address> to link on the first OIDC sign-in' })}
${f.input('password', u ? 'New password (System authenticators; leave empty to keep)' : 'Password (System authenticators)', { type: 'password', autocomplete: 'new-password' })}
${f.checkbox('active', 'Active')}
<button type="submit" class="submit" id="save">Save</button> <a href="/admin/users">Cancel</a>
</form>`;
  if (!u) return adminPage('New user', form, p.notice);
  const s = presentUser(ctx, u);
  const base = `/admin/users/${encodeURIComponent(u.id)}`;
  const reset = new FormRenderer({}, p.resetErrors);
  const state = `<table class="list" id="userState">
<tr><th>Status</th><td id="userStatus">${s.status}</td></tr>
<tr><th>Locked</th><td id="userLocked">${s.locked ? `until ${h(s.lockedUntil ?? '')} (${s.failedLogins} failures)` : `no (${s.failedLogins} failures)`}</td></tr>
<tr><th>Password</th><td id="userPassword">${s.passwordSet ? `set ${h(s.passwordSetAt ?? '')}${s.mustChangePassword ? ', must change at next sign-in' : ''}` : 'not set'}</td></tr>
<tr><th>MFA</th><td id="userMfa">${s.mfaEnrolled ? 'enrolled' : 'not enrolled'}</td></tr>
</table>
<p>${[
    s.active ? actionButton(`${base}/deactivate`, 'Deactivate', { id: 'deactivate' }) : actionButton(`${base}/activate`, 'Activate', { id: 'activate' }),
    actionButton(`${base}/unlock`, 'Unlock', { id: 'unlock' }),
    actionButton(`${base}/mfa/reset`, 'Reset MFA', { id: 'resetMfa' }),
    actionButton(`${base}/delete`, 'Delete', { id: 'delete' }),
  ].join(' ')}</p>
<form method="post" action="${h(base)}/password" id="resetPasswordForm"><h3>Reset password</h3>
${reset.summary()}
${reset.input('password', 'New password', { id: 'resetPasswordValue', type: 'password', autocomplete: 'new-password' })}
<label><input type="checkbox" id="mustChangePassword" name="mustChangePassword" value="true" checked> The user must change it at the next sign-in</label>
<button type="submit" class="secondary" id="resetPassword">Reset password</button></form>`;
  return adminPage(`User: ${u.username}`, `${state}\n<h3>Edit</h3>\n${form}`, p.notice);
}
