import { h, pageLayout } from '../../http/html.js';
import type { IdsContext } from '../context.js';

/**
 * `/idsadmin`: a small page with the three tabs the lab emulates (reference A.1.6): IdS Trust
 * (download sp.xml, upload IdP metadata), Settings → Tokens, and Identity Service Clients.
 */
export function renderAdminPage(ctx: IdsContext, notice?: { ok: boolean; text: string }): string {
  const s = ctx.settings;
  const num = (name: keyof typeof s, label: string, min: number, max: number) =>
    `<label for="${name}">${h(label)} (${min}–${max})</label><input type="text" id="${name}" name="${name}" value="${h(String(s[name]))}">`;
  const clients = ctx.clients
    .list()
    .map(
      (c) =>
        `<tr><td>${h(c.name)}</td><td><code>${h(c.clientId)}</code></td><td>${c.redirectUrls.map((u) => h(u)).join('<br>')}</td>` +
        `<td><form method="post" action="/idsadmin/clients/delete"><input type="hidden" name="clientId" value="${h(c.clientId)}"><input type="submit" value="Delete"></form></td></tr>`,
    )
    .join('');
  const body = `
${notice ? `<p id="${notice.ok ? 'noticeText' : 'errorText'}">${h(notice.text)}</p>` : ''}
<h3>IdS Trust</h3>
<p>Service provider: <code>${h(ctx.entityId)}</code> — <a href="/ids/saml/metadata?download=true">Download sp.xml</a></p>
<p>Identity provider (${ctx.trust.source === 'lab' ? 'the lab&#39;s AD FS' : 'uploaded metadata'}): <code>${h(ctx.trust.entityId)}</code><br>SSO URL: <code>${h(ctx.trust.ssoUrl)}</code></p>
<form method="post" action="/idsadmin/idp-metadata"><label for="metadata">IdP metadata (XML)</label>
<textarea id="metadata" name="metadata" rows="4" style="width:100%"></textarea><input class="submit" type="submit" value="Upload"></form>
<h3>Settings — Tokens</h3>
<form method="post" action="/idsadmin/settings">
${num('refreshTokenHours', 'Refresh Token Expiry (hours)', 2, 24)}
${num('authorizationCodeMinutes', 'Authorization Code Expiry (minutes)', 1, 10)}
${num('accessTokenMinutes', 'Access Token Expiry (minutes)', 5, 120)}
<label><input type="checkbox" name="encrypt" value="true"${s.encrypt ? ' checked' : ''}> Encrypt Token</label>
<input class="submit" type="submit" value="Save"></form>
<h3>Identity Service Clients</h3>
<table class="details"><tr><th>Name</th><th>Client ID</th><th>Redirect URLs</th><th></th></tr>${clients}</table>
<form method="post" action="/idsadmin/clients"><label for="name">Name</label><input type="text" id="name" name="name">
<label for="redirectUrls">Redirect URLs (one per line)</label><textarea id="redirectUrls" name="redirectUrls" rows="2" style="width:100%"></textarea>
<input class="submit" type="submit" value="Add client"></form>`;
  return pageLayout({ title: 'Cisco Identity Service Management', header: 'Cisco Identity Service Management', body, footer: 'Cisco Identity Service (idp-harness emulation)' });
}
