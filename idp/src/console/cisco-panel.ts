import express, { type Router } from 'express';
import { h } from '../http/html.js';
import type { LabState } from '../lab.js';
import { hangUp, simulateCall } from '../finesse/api/simulate-call.js';
import type { NotificationService, PublishedNotification } from '../finesse/xmpp/notification-service.js';
import { IdpError } from '../shared/errors.js';

/** Rows of the notification table on the page (the service keeps 200; the API serves them all). */
const SHOWN_NOTIFICATIONS = 50;

/**
 * The console's Cisco part: links to IdS (admin page, SP metadata) and the Finesse agents with a
 * simulated caller — a form that rings a READY agent (ALERTING → the desktop answers) and hangs a
 * call up from the caller's side. The same actions as `POST /api/finesse/calls`. Then what the
 * notification service published (reference A.2.6), newest first and live, and the connected desktops.
 */
export function renderCiscoPanel(state: LabState, notice?: string): string {
  const parts: string[] = [];
  if (state.ids) {
    parts.push(
      `<p>Cisco IdS: <a href="${h(state.ids.urls.base)}/idsadmin">/idsadmin</a> · <a href="${h(state.ids.urls.metadata)}">SP metadata (sp.xml)</a></p>`,
    );
  }
  const fin = state.finesse;
  if (fin) {
    const rt = fin.runtime;
    const rows = rt
      .roster()
      .map(({ user, agent }) => {
        const calls = rt
          .dialogsOf(agent.loginId)
          .map((d) => `<form method="post" action="/cisco/hangup" style="display:inline"><input type="hidden" name="dialogId" value="${h(d.id)}"><input type="submit" value="Hang up ${h(d.id)}"></form>`)
          .join(' ');
        return `<tr><td>${h(user.username)}</td><td>${h(agent.loginId)}</td><td>${h(agent.extension ?? user.finesse.extension)}</td><td class="state">${h(agent.state)}</td><td>${calls}</td></tr>`;
      })
      .join('');
    parts.push(`<h3>Finesse agents</h3>${notice ? `<p id="ciscoNotice">${h(notice)}</p>` : ''}
<table id="finesseAgents"><tr><th>user</th><th>loginId</th><th>extension</th><th>state</th><th>calls</th></tr>${rows}</table>
<form method="post" action="/cisco/ring" id="ringForm"><label for="ringTo">Ring agent (loginId or extension; must be READY)</label><input type="text" id="ringTo" name="to">
<label for="ringFrom">Caller number</label><input type="text" id="ringFrom" name="from" value="5551234">
<input class="submit" type="submit" value="Ring"></form>`);
    parts.push(renderNotifications(fin.notifications));
  }
  return parts.join('\n');
}

function notificationRow(n: PublishedNotification): string {
  const cells = [
    ['at', n.at],
    ['node', n.node],
    ['event', n.event],
    ['requestId', n.requestId],
    ['source', n.source],
    ['to', n.deliveredTo.join(' ')],
  ];
  return `<tr class="notification">${cells.map(([c, v]) => `<td class="${c}">${h(v!)}</td>`).join('')}<td><details><summary>Update</summary><pre>${h(n.update)}</pre></details></td></tr>`;
}

/**
 * The "Finesse notifications" section: the recent notifications rendered on the server, then kept
 * current by a small script that listens to `GET /api/finesse/notifications/stream` (SSE) and asks
 * `/api/finesse/connections` for the desktops. The script builds rows with textContent only, so a
 * requestId or an Update is shown as text, never as markup. `data-live` on the table says whether
 * the stream is open (tests wait for it).
 */
function renderNotifications(service: NotificationService): string {
  const recent = service.recent().slice(-SHOWN_NOTIFICATIONS).reverse();
  const desktops = service.connections();
  const pending = service.pendingLogouts();
  return `<h3>Finesse notifications</h3>
<div style="overflow-x:auto;font-size:12px">
<table id="finesseNotifications" data-live="off"><thead><tr><th>time</th><th>node</th><th>event</th><th>requestId</th><th>source</th><th>delivered to</th><th>Update</th></tr></thead>
<tbody>${recent.map(notificationRow).join('')}</tbody></table>
<p id="finesseNotificationsEmpty"${recent.length ? ' hidden' : ''}>Nothing published yet.</p>
<h3>Connected desktops</h3>
<table id="finesseConnections"><thead><tr><th>JID</th><th>transport</th><th>presence</th></tr></thead>
<tbody>${desktops.map((d) => `<tr><td>${h(d.jid)}</td><td>${h(d.transport)}</td><td>${d.available ? 'available' : 'unavailable'}</td></tr>`).join('')}</tbody></table>
<p id="finessePendingLogouts">${pending.length ? `Forced logout pending: ${pending.map((p) => h(`${p.loginId} (presence lost ${p.lostAt})`)).join(', ')}` : ''}</p>
</div>
<script>${LIVE_SCRIPT}</script>`;
}

/** The live view (no data in it: everything it shows arrives as JSON and is set as text). */
const LIVE_SCRIPT = `(function () {
  var table = document.getElementById('finesseNotifications');
  var rows = table.tBodies[0];
  var MAX = ${SHOWN_NOTIFICATIONS};
  function cell(row, cls, text) { var td = row.insertCell(-1); if (cls) td.className = cls; td.textContent = text; return td; }
  function add(n) {
    document.getElementById('finesseNotificationsEmpty').hidden = true;
    var row = rows.insertRow(0);
    row.className = 'notification';
    cell(row, 'at', n.at); cell(row, 'node', n.node); cell(row, 'event', n.event);
    cell(row, 'requestId', n.requestId); cell(row, 'source', n.source); cell(row, 'to', n.deliveredTo.join(' '));
    var details = document.createElement('details');
    var summary = document.createElement('summary');
    var pre = document.createElement('pre');
    summary.textContent = 'Update';
    pre.textContent = n.update;
    details.appendChild(summary); details.appendChild(pre);
    row.insertCell(-1).appendChild(details);
    while (rows.rows.length > MAX) rows.deleteRow(-1);
  }
  function desktops() {
    fetch('/api/finesse/connections').then(function (r) { return r.json(); }).then(function (c) {
      var body = document.getElementById('finesseConnections').tBodies[0];
      while (body.rows.length) body.deleteRow(0);
      c.connections.forEach(function (d) {
        var row = body.insertRow(-1);
        cell(row, '', d.jid); cell(row, '', d.transport); cell(row, '', d.available ? 'available' : 'unavailable');
      });
      document.getElementById('finessePendingLogouts').textContent = c.pendingLogouts.length
        ? 'Forced logout pending: ' + c.pendingLogouts.map(function (p) { return p.loginId + ' (presence lost ' + p.lostAt + ')'; }).join(', ')
        : '';
    }).catch(function () {});
  }
  if (!window.EventSource) return;
  var stream = new EventSource('/api/finesse/notifications/stream');
  stream.onopen = function () { table.setAttribute('data-live', 'open'); desktops(); };
  stream.onerror = function () { table.setAttribute('data-live', 'reconnecting'); };
  stream.onmessage = function (e) { add(JSON.parse(e.data)); desktops(); };
  setInterval(desktops, 5000);
})();`;

/** The panel's two form actions; they answer with a redirect back to the console page. */
export function ciscoPanelRouter(state: LabState): Router {
  const r = express.Router();
  r.use(express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 }));
  const act = (res: express.Response, action: () => string) => {
    let notice: string;
    try {
      notice = action();
    } catch (e) {
      if (!(e instanceof IdpError)) throw e;
      notice = `${e.code}: ${e.message}`;
    }
    res.redirect(303, `/?notice=${encodeURIComponent(notice)}`);
  };
  const field = (req: express.Request, name: string) => {
    const v = (req.body as Record<string, unknown> | undefined)?.[name];
    return typeof v === 'string' ? v.trim() : '';
  };
  r.post('/ring', (req, res) =>
    act(res, () => {
      if (!state.finesse) throw new IdpError('ERR_CONTROL_NOT_FOUND', 'finesse is not running', { status: 404 });
      const from = field(req, 'from');
      const d = simulateCall(state.finesse.runtime, { to: field(req, 'to'), ...(/^\d{1,32}$/.test(from) ? { from } : {}) });
      return `Call ${d.id} is ringing.`;
    }),
  );
  r.post('/hangup', (req, res) =>
    act(res, () => {
      if (!state.finesse) throw new IdpError('ERR_CONTROL_NOT_FOUND', 'finesse is not running', { status: 404 });
      const d = hangUp(state.finesse.runtime, field(req, 'dialogId'));
      return `Call ${d.id} hung up.`;
    }),
  );
  return r;
}
