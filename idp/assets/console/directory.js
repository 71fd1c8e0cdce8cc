import { getJson } from './api.js';
import { byId, el, fillTable, link, list, show } from './dom.js';

// What the lab knows: users, AD FS relying-party trusts, OpenID Providers and their clients, the
// Cisco IdS settings and the CXone tenant. All from the control API, all shown as text.

export async function loadUsers() {
  const users = await getJson('/users');
  fillTable(
    byId('users'),
    users.map((u) => [
      u.username,
      u.upn ?? '',
      u.email ?? '',
      [u.givenName, u.surname].filter(Boolean).join(' '),
      list(u.groups),
      u.role ?? '',
      String(u.assurance?.loa ?? ''),
      u.finesse ? `${u.finesse.loginId} / ${u.finesse.extension ?? ''}${u.finesse.sso === false ? ' (non-SSO)' : ''}` : '',
    ]),
  );
}

export async function loadRelyingParties() {
  const rps = await getJson('/relying-parties');
  fillTable(
    byId('relyingParties'),
    rps.map((rp) => [
      rp.name + (rp.enabled === false ? ' (disabled)' : ''),
      list(rp.identifiers),
      el('ul', {}, (rp.endpoints ?? []).map((e) => el('li', {}, `${e.kind} ${e.binding} ${e.url}`))),
      `${rp.samlResponseSignature ?? ''} ${rp.signatureAlgorithm ?? ''}`.trim(),
      rp.ficam ? 'yes' : '',
    ]),
  );
  show(byId('relyingPartiesSection'));
}

export async function loadOidcIssuers() {
  const issuers = await getJson('/oidc/issuers');
  byId('oidcIssuers').replaceChildren(
    ...issuers.map((i) => el('li', {}, `${i.id} (${i.profile}): `, link(i.discovery, i.issuer), ` · keys ${i.keys.map((k) => `${k.alg} ${k.kid}`).join(', ')}`)),
  );
  return issuers;
}

export async function loadOidcClients() {
  const clients = await getJson('/oidc/clients');
  fillTable(
    byId('oidcClients'),
    clients.map((c) => [c.client_id, c.issuer ?? 'default', c.client_name ?? '', c.token_endpoint_auth_method ?? 'client_secret_basic', el('ul', {}, (c.redirect_uris ?? []).map((u) => el('li', {}, u)))]),
  );
  show(byId('oidcSection'));
}

export async function loadIds() {
  const [settings, trust, clients] = await Promise.all([getJson('/ids/settings'), getJson('/ids/idp-metadata'), getJson('/ids/clients')]);
  fillTable(byId('idsSettings'), Object.entries(settings).map(([k, v]) => [k, String(v)]));
  byId('idsTrust').textContent = `Trusted IdP (${trust.source}): ${trust.entityId} at ${trust.ssoUrl}`;
  fillTable(byId('idsClients'), clients.map((c) => [c.name ?? '', c.clientId, list(c.redirectUrls)]));
  show(byId('idsSection'));
}

export async function loadCxone() {
  const c = await getJson('/cxone');
  const t = c.tenant;
  fillTable(byId('cxoneTenant'), [
    ['tenant', `${t.name} (${t.id})`],
    ['business unit / cluster', `${t.businessUnitId} / ${t.clusterId} (${t.area})`],
    ['users', String(c.users)],
    ['pages', [link(c.urls.login, 'sign-in'), ' · ', link(c.urls.admin, 'admin'), ' · ', link(c.urls.discovery, 'OP discovery')]],
  ]);
  fillTable(
    byId('cxoneAuthenticators'),
    c.authenticators.map((a) => [
      a.name + (a.isDefault ? ' (default)' : ''),
      a.type,
      a.active ? 'Active' : 'Inactive',
      String(a.assignedUsers),
      a.type === 'SAML'
        ? `entity ID ${a.entityId} · ACS ${a.acsUrl} · IdP ${a.endpointUrl}${a.ficam ? ' · FICAM' : ''}`
        : a.type === 'OIDC'
          ? `issuer ${a.issuer} · client ${a.clientId} (${a.clientAuthMethod}) · redirect ${a.redirectUri}${a.ficam ? ' · FICAM' : ''}`
          : `MFA ${a.mfa ?? 'off'}`,
    ]),
  );
  show(byId('cxoneSection'));
}
