import { getJson, query } from './api.js';
import { byId, el } from './dom.js';
import { exchangeDetail, signatureBadge } from './exchange-detail.js';

// The live list of protocol exchanges: `/api/exchanges` for what happened before, then the
// `/api/exchanges/stream` event stream; the filters are the API's own (service, kind, user, q),
// so a filter change reopens both. `data-live` on the list says where it stands (tests wait for it).

const SHOWN = 300;
const list = () => byId('exchanges');
let stream;
let generation = 0;
const shown = new Map();

function filters() {
  return { service: byId('filterService').value, kind: byId('filterKind').value, user: byId('filterUser').value.trim(), q: byId('filterText').value.trim() };
}

/** Newest first: by real time, then by order within one console. */
function newer(a, b) {
  return a.at === b.at ? a.seq > b.seq : a.at > b.at;
}

function row(x) {
  const details = el('details', { class: 'exchange-row' });
  const summary = el(
    'summary',
    {},
    el('span', { class: 'at', title: `lab time ${x.labAt}` }, x.at.slice(11, 23)),
    el('span', { class: `service svc-${x.service}` }, x.service),
    el('span', { class: 'kind' }, x.kind),
    el('span', { class: 'dir' }, x.direction === 'in' ? '⇠ in' : '⇢ out'),
    el('span', { class: 'summary' }, x.summary),
    x.status !== undefined ? el('span', { class: `status${x.status >= 400 ? ' bad' : ''}` }, String(x.status)) : undefined,
    x.user ? el('span', { class: 'user' }, x.user) : undefined,
    x.code ? el('span', { class: 'code' }, x.code) : undefined,
    signatureBadge(x.payload?.signature),
  );
  details.append(summary);
  // Decoded on first opening: pretty-printing every message up front would cost for nothing.
  details.addEventListener('toggle', () => {
    if (details.open && details.childElementCount === 1) details.append(exchangeDetail(x));
  });
  return el('li', { class: 'exchange', 'data-id': x.id, 'data-service': x.service, 'data-kind': x.kind }, details);
}

function add(x) {
  if (!x || typeof x.id !== 'string' || shown.has(x.id)) return;
  shown.set(x.id, x);
  const ol = list();
  const item = row(x);
  let before = null;
  for (const li of ol.children) {
    if (newer(x, shown.get(li.dataset.id))) {
      before = li;
      break;
    }
  }
  ol.insertBefore(item, before);
  while (ol.children.length > SHOWN) {
    shown.delete(ol.lastElementChild.dataset.id);
    ol.lastElementChild.remove();
  }
  byId('exchangesEmpty').hidden = true;
}

/** (Re)opens the stream with the current filters, then loads what happened before. */
export function reloadExchanges() {
  const mine = ++generation;
  stream?.close();
  shown.clear();
  list().replaceChildren();
  byId('exchangesEmpty').hidden = false;
  list().dataset.live = 'connecting';
  if (!window.EventSource) return;
  const f = filters();
  const buffered = [];
  let loaded = false;
  stream = new EventSource(`/api/exchanges/stream${query(f)}`);
  stream.onmessage = (ev) => {
    if (mine !== generation) return;
    let x;
    try {
      x = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (loaded) add(x);
    else buffered.push(x);
  };
  stream.onerror = () => {
    if (mine === generation) list().dataset.live = 'reconnecting';
  };
  // Opened (again, after a reconnection): what the stream may have missed comes from the list.
  stream.onopen = async () => {
    try {
      const before = await getJson(`/exchanges${query({ ...f, limit: SHOWN })}`);
      if (mine !== generation) return;
      for (const x of before) add(x);
      for (const x of buffered.splice(0)) add(x);
      loaded = true;
      list().dataset.live = 'open';
    } catch {
      if (mine === generation) list().dataset.live = 'error';
    }
  };
}

export function initExchanges() {
  let timer;
  const later = () => {
    clearTimeout(timer);
    list().dataset.live = 'pending';
    timer = setTimeout(reloadExchanges, 300);
  };
  byId('filterService').addEventListener('change', reloadExchanges);
  byId('filterKind').addEventListener('change', reloadExchanges);
  byId('filterUser').addEventListener('input', later);
  byId('filterText').addEventListener('input', later);
  byId('filterClear').addEventListener('click', () => {
    byId('exchangeFilters').reset();
    reloadExchanges();
  });
  byId('exchangeFilters').addEventListener('submit', (e) => e.preventDefault());
  reloadExchanges();
}
