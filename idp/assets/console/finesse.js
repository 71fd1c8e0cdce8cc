import { getJson, postJson, query } from './api.js';
import { byId, el, show } from './dom.js';

// The Cisco Finesse part: agents with their states and calls, a simulated caller (ring a READY
// agent, hang up from the caller's side: `/api/finesse/calls`), and what the notification service
// published (reference A.2.6), live from `/api/finesse/notifications/stream`, with the connected
// desktops. `data-live` on the notification table says whether the stream is open.

const SHOWN_NOTIFICATIONS = 50;

function say(text) {
  byId('ciscoNotice').textContent = text;
}

async function act(work) {
  try {
    say(await work());
  } catch (e) {
    say(String(e.message));
  }
  await loadAgents().catch(() => undefined);
}

export async function loadAgents() {
  const agents = await getJson('/finesse/agents');
  const body = byId('finesseAgents').tBodies[0];
  body.replaceChildren(
    ...agents.map((a) =>
      el(
        'tr',
        { 'data-user': a.username },
        el('td', {}, a.username),
        el('td', {}, a.loginId),
        el('td', {}, a.extension ?? ''),
        el('td', { class: 'state' }, a.state),
        el(
          'td',
          { class: 'calls' },
          a.dialogs.map((id) => el('button', { type: 'button', class: 'hangup', 'data-dialog': id, onclick: () => act(async () => `Call ${(await postJson(`/finesse/calls/${encodeURIComponent(id)}/hangup`)).id} hung up.`) }, `Hang up ${id}`)),
        ),
      ),
    ),
  );
}

function cell(row, cls, text) {
  const td = row.insertCell(-1);
  if (cls) td.className = cls;
  td.textContent = text;
  return td;
}

function addNotification(n) {
  byId('finesseNotificationsEmpty').hidden = true;
  const rows = byId('finesseNotifications').tBodies[0];
  const row = rows.insertRow(0);
  row.className = 'notification';
  cell(row, 'at', n.at);
  cell(row, 'node', n.node);
  cell(row, 'event', n.event);
  cell(row, 'requestId', n.requestId);
  cell(row, 'source', n.source);
  cell(row, 'to', (n.deliveredTo ?? []).join(' '));
  row.insertCell(-1).append(el('details', {}, el('summary', {}, 'Update'), el('pre', {}, n.update)));
  while (rows.rows.length > SHOWN_NOTIFICATIONS) rows.deleteRow(-1);
}

async function loadConnections() {
  const c = await getJson('/finesse/connections');
  const body = byId('finesseConnections').tBodies[0];
  body.replaceChildren(...c.connections.map((d) => el('tr', {}, el('td', {}, d.jid), el('td', {}, d.transport), el('td', {}, d.available ? 'available' : 'unavailable'))));
  byId('finessePendingLogouts').textContent = c.pendingLogouts.length
    ? `Forced logout pending: ${c.pendingLogouts.map((p) => `${p.loginId} (presence lost ${p.lostAt})`).join(', ')}`
    : '';
}

function openNotifications() {
  const table = byId('finesseNotifications');
  if (!window.EventSource) return;
  const buffered = [];
  let loaded = false;
  const seen = new Set();
  const key = (n) => JSON.stringify([n.at, n.node, n.event, n.requestId, n.update]);
  const add = (n) => {
    if (seen.has(key(n))) return;
    seen.add(key(n));
    addNotification(n);
  };
  const stream = new EventSource('/api/finesse/notifications/stream');
  stream.onmessage = (e) => {
    let n;
    try {
      n = JSON.parse(e.data);
    } catch {
      return;
    }
    if (!loaded) return void buffered.push(n);
    add(n);
    loadConnections().catch(() => undefined);
    loadAgents().catch(() => undefined);
  };
  stream.onerror = () => table.setAttribute('data-live', 'reconnecting');
  stream.onopen = async () => {
    try {
      const recent = await getJson(`/finesse/notifications${query({ limit: SHOWN_NOTIFICATIONS })}`);
      for (const n of recent) add(n);
      for (const n of buffered.splice(0)) add(n);
      loaded = true;
      await loadConnections();
      table.setAttribute('data-live', 'open');
    } catch {
      table.setAttribute('data-live', 'error');
    }
  };
  setInterval(() => loadConnections().catch(() => undefined), 5000);
}

export async function initFinesse() {
  show(byId('finesseSection'));
  byId('ringForm').addEventListener('submit', (e) => {
    e.preventDefault();
    const to = byId('ringTo').value.trim();
    const from = byId('ringFrom').value.trim();
    act(async () => `Call ${(await postJson('/finesse/calls', { to, ...(/^\d{1,32}$/.test(from) ? { from } : {}) })).id} is ringing.`);
  });
  await loadAgents();
  openNotifications();
}
