import { h } from '../../../http/html.js';
import type { CxoneContext } from '../../context.js';
import { actionButton, adminPage, type Notice } from './admin-frame.js';

/** Admin → Login Authenticators (seed 002 step 3): name, type, status, users, and what can be done to each. */
export function renderAuthenticatorList(ctx: CxoneContext, notice?: Notice): string {
  const rows = [...ctx.store.authenticators.values()]
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name))
    .map((a) => {
      const base = `/admin/login-authenticators/${encodeURIComponent(a.id)}`;
      const actions = [
        `<a class="inline" href="${h(base)}/edit">Edit</a>`,
        a.active ? (a.isDefault ? '' : actionButton(`${base}/deactivate`, 'Deactivate')) : actionButton(`${base}/activate`, 'Activate'),
        a.isDefault ? '' : actionButton(`${base}/delete`, 'Delete'),
      ].join(' ');
      return `<tr data-id="${h(a.id)}" data-name="${h(a.name)}"><td><a href="${h(base)}">${h(a.name)}</a>${a.isDefault ? ' <small>(default)</small>' : ''}</td>
<td class="type">${h(a.type)}</td><td class="status">${a.active ? 'Active' : 'Inactive'}</td><td class="users">${ctx.store.usersOf(a.id).length}</td><td>${actions}</td></tr>`;
    })
    .join('\n');
  return adminPage(
    'Login Authenticators',
    `<p>New: <a id="newSystem" href="/admin/login-authenticators/new?type=System">System</a> ·
<a id="newSaml" href="/admin/login-authenticators/new?type=SAML">SAML</a> ·
<a id="newOidc" href="/admin/login-authenticators/new?type=OIDC">OIDC</a></p>
<table class="list" id="authenticators"><thead><tr><th>Name</th><th>Type</th><th>Status</th><th>Users</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>`,
    notice,
  );
}
