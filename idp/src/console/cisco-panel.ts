import express, { type Router } from 'express';
import { h } from '../http/html.js';
import type { LabState } from '../lab.js';
import { hangUp, simulateCall } from '../finesse/api/simulate-call.js';
import { IdpError } from '../shared/errors.js';

/**
 * The console's Cisco part: links to IdS (admin page, SP metadata) and the Finesse agents with a
 * simulated caller — a form that rings a READY agent (ALERTING → the desktop answers) and hangs a
 * call up from the caller's side. The same actions as `POST /api/finesse/calls`.
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
  }
  return parts.join('\n');
}

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
