import { getJson } from './api.js';
import { byId, el, fillTable, link } from './dom.js';

// The services table: each running service's URL and the documents and pages a newcomer looks
// for. The paths are the services' fixed ones; the base URLs come from `/api/services`.

const PAGES = {
  adfs: (u) => [[`${u}/FederationMetadata/2007-06/FederationMetadata.xml`, 'federation metadata'], [`${u}/adfs/ls/IdpInitiatedSignOn.aspx`, 'IdP-initiated sign-on']],
  oidc: () => [],
  ids: (u) => [[`${u}/ids/saml/metadata`, 'SP metadata (sp.xml)'], [`${u}/idsadmin`, 'IdS admin']],
  finesse: (u) => [[`${u}/desktop/sso/token?cc_username=agent1&return_refresh_token=true`, 'SSO token (agent1)']],
  cxone: (u) => [[`${u}/.well-known/openid-configuration`, 'OP discovery'], [`${u}/admin`, 'admin'], [`${u}/login`, 'sign-in']],
  console: () => [['/sample-sp/', 'sample SP'], ['/sample-rp/', 'sample RP'], ['/api/services', 'control API']],
};

/** Loads the services; returns their names (the page shows the sections of those that run). */
export async function loadServices(issuers) {
  const { services } = await getJson('/services');
  fillTable(
    byId('services'),
    services.map((s) => {
      const pages = (PAGES[s.name]?.(s.url) ?? []).map(([href, text]) => link(href, text));
      if (s.name === 'oidc') for (const i of issuers ?? []) pages.push(link(i.discovery, `discovery (${i.id})`));
      return [el('span', { class: `service svc-${s.name}` }, s.name), link(s.url), pages.flatMap((p, i) => (i ? [' · ', p] : [p]))];
    }),
  );
  return services.map((s) => s.name);
}
