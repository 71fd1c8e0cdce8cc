import { h } from '../http/html.js';
import { ADFS_FAULT_KINDS, OIDC_FAULT_KINDS } from '../shared/faults.js';
import { EXCHANGE_KINDS } from '../shared/exchange-log.js';
import { SERVICE_NAMES } from '../config/schema.js';

/**
 * The console page (`/`): an empty frame. Everything it shows is fetched by its scripts
 * (idp/assets/console/*.js) from the JSON control API, because under docker compose this console's
 * `/api` answers for services that run in other containers while this process's own state is
 * empty. The only data written here is code, not state: the fault kinds and the filter choices.
 * Its Content-Security-Policy allows scripts and styles from this origin only, so a value that
 * slipped through as markup still could not run.
 */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const options = (values: readonly string[], all?: string) =>
  (all === undefined ? '' : `<option value="">${h(all)}</option>`) + values.map((v) => `<option value="${h(v)}">${h(v)}</option>`).join('');

export function renderDashboard(): string {
  const kinds = JSON.stringify({ adfs: ADFS_FAULT_KINDS, oidc: OIDC_FAULT_KINDS });
  return `<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>idp-harness console</title>
<link rel="stylesheet" href="/assets/console/dashboard.css">
<script type="module" src="/assets/console/main.js"></script>
</head>
<body>
<header id="top">
  <h1>idp-harness console</h1>
  <div id="clockBar">
    <span>Lab time <b id="labClock">…</b> <span id="labClockOffset"></span></span>
    <button type="button" id="clockPlusMinute">+1 min</button>
    <button type="button" id="clockPlusHour">+1 h</button>
    <input type="number" id="clockCustomMinutes" step="1" placeholder="minutes (±)" aria-label="minutes to move the lab clock">
    <button type="button" id="clockCustomApply">Move</button>
    <button type="button" id="clockFreeze">Freeze</button>
    <button type="button" id="clockReset">Real time</button>
    <button type="button" id="labReset" class="danger">Reset lab</button>
  </div>
  <p id="notice" role="status" aria-live="polite"></p>
</header>
<main>
<section id="servicesSection"><h2>Services</h2>
  <table id="services"><thead><tr><th>service</th><th>URL</th><th>metadata and pages</th></tr></thead><tbody></tbody></table>
  <p id="tryByHand">Try a sign-in by hand: <a id="sampleSpLink" href="/sample-sp/">sample SP (SAML, AD FS)</a> · <a id="sampleRpLink" href="/sample-rp/">sample RP (OpenID Connect, the lab OP)</a></p>
</section>

<section id="exchangesSection"><h2>Protocol exchanges <small>(live, newest first)</small></h2>
  <form id="exchangeFilters">
    <label>service <select id="filterService">${options(SERVICE_NAMES, 'all')}</select></label>
    <label>kind <select id="filterKind">${options(EXCHANGE_KINDS, 'all')}</select></label>
    <label>user <input type="text" id="filterUser" maxlength="200" placeholder="user name"></label>
    <label>text <input type="search" id="filterText" maxlength="200" placeholder="any text, an error code…"></label>
    <button type="button" id="filterClear">Clear filters</button>
  </form>
  <ol id="exchanges" data-live="off"></ol>
  <p id="exchangesEmpty">Nothing recorded yet: sign in somewhere.</p>
</section>

<section id="faultsSection"><h2>Faults</h2>
  <form id="faultForm" data-kinds="${h(kinds)}">
    <label>surface <select id="faultSurface"><option value="adfs">adfs (SAML responses)</option><option value="oidc">oidc (token endpoint, ID tokens)</option></select></label>
    <label>kind <select id="faultKind"></select></label>
    <label id="faultTargetLabel">only for <input type="text" id="faultTarget" maxlength="200"></label>
    <label id="faultClaimsLabel" hidden>claims (JSON) <input type="text" id="faultClaims" value='{"aud":"someone-else"}'></label>
    <button type="submit" id="faultQueue">Queue fault</button>
    <button type="button" id="faultClear">Clear queue</button>
  </form>
  <ul id="faultList"></ul>
</section>

<section id="directorySection"><h2>Users</h2>
  <table id="users"><thead><tr><th>username</th><th>UPN</th><th>email</th><th>name</th><th>groups</th><th>role</th><th>LOA</th><th>Finesse</th></tr></thead><tbody></tbody></table>
</section>
<section id="relyingPartiesSection" hidden><h2>AD FS relying-party trusts</h2>
  <table id="relyingParties"><thead><tr><th>name</th><th>identifiers</th><th>endpoints</th><th>signature</th><th>FICAM</th></tr></thead><tbody></tbody></table>
</section>
<section id="oidcSection" hidden><h2>OpenID Providers</h2>
  <ul id="oidcIssuers"></ul>
  <table id="oidcClients"><thead><tr><th>client_id</th><th>issuer</th><th>name</th><th>authentication</th><th>redirect URIs</th></tr></thead><tbody></tbody></table>
</section>
<section id="idsSection" hidden><h2>Cisco Identity Service</h2>
  <table id="idsSettings"><tbody></tbody></table>
  <p id="idsTrust"></p>
  <table id="idsClients"><thead><tr><th>client</th><th>clientId</th><th>redirect URLs</th></tr></thead><tbody></tbody></table>
</section>
<section id="finesseSection" hidden><h2>Cisco Finesse</h2>
  <table id="finesseAgents"><thead><tr><th>user</th><th>loginId</th><th>extension</th><th>state</th><th>calls</th></tr></thead><tbody></tbody></table>
  <form id="ringForm"><label for="ringTo">Ring agent (loginId or extension; must be READY)</label> <input type="text" id="ringTo" maxlength="64">
    <label for="ringFrom">caller number</label> <input type="text" id="ringFrom" value="5551234" maxlength="32">
    <button type="submit" id="ringSubmit">Ring</button></form>
  <p id="ciscoNotice"></p>
  <h3>Finesse notifications</h3>
  <div class="scroll"><table id="finesseNotifications" data-live="off"><thead><tr><th>time</th><th>node</th><th>event</th><th>requestId</th><th>source</th><th>delivered to</th><th>Update</th></tr></thead><tbody></tbody></table></div>
  <p id="finesseNotificationsEmpty">Nothing published yet.</p>
  <h3>Connected desktops</h3>
  <table id="finesseConnections"><thead><tr><th>JID</th><th>transport</th><th>presence</th></tr></thead><tbody></tbody></table>
  <p id="finessePendingLogouts"></p>
</section>
<section id="cxoneSection" hidden><h2>NICE CXone</h2>
  <table id="cxoneTenant"><tbody></tbody></table>
  <table id="cxoneAuthenticators"><thead><tr><th>name</th><th>type</th><th>status</th><th>users</th><th>settings</th></tr></thead><tbody></tbody></table>
</section>
</main>
<footer>idp-harness — an offline federation lab for testing. Every value on this page comes from the control API (<code>/api</code>).</footer>
</body></html>`;
}
