import { initClock, initFaults, loadClock, loadFaults } from './controls.js';
import { loadCxone, loadIds, loadOidcClients, loadOidcIssuers, loadRelyingParties, loadUsers } from './directory.js';
import { notify } from './dom.js';
import { initExchanges } from './exchanges.js';
import { initFinesse, loadAgents } from './finesse.js';
import { loadServices } from './services.js';

// The console page: every section is filled from the control API. Which sections appear follows
// `/api/services` (under docker compose, the services of every peer container).

let running = [];

/** Runs each loader; one that fails says so in the notice line and leaves the others alone. */
async function settle(loaders) {
  const results = await Promise.allSettled(loaders.map((l) => l()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) notify(`Could not load everything: ${failed.reason?.message ?? failed.reason}`, true);
}

/** Everything that a reset or a change of the lab can alter. */
async function loadAll() {
  let issuers = [];
  if (running.includes('oidc')) issuers = await loadOidcIssuers().catch(() => []);
  running = await loadServices(issuers);
  await settle([
    loadClock,
    loadFaults,
    loadUsers,
    ...(running.includes('adfs') ? [loadRelyingParties] : []),
    ...(running.includes('oidc') ? [loadOidcClients] : []),
    ...(running.includes('ids') ? [loadIds] : []),
    ...(running.includes('cxone') ? [loadCxone] : []),
    ...(running.includes('finesse') ? [loadAgents] : []),
  ]);
}

async function start() {
  try {
    running = await loadServices([]);
  } catch (e) {
    notify(`The control API does not answer: ${e.message}`, true);
    return;
  }
  initClock(loadAll);
  initFaults();
  initExchanges();
  if (running.includes('finesse')) await initFinesse().catch((e) => notify(String(e.message), true));
  await loadAll();
  document.body.dataset.ready = 'true';
}

start();
