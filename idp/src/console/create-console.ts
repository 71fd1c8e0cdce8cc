import express, { type Express } from 'express';
import { h, layout } from '../adfs/pages/html.js';
import type { LabState } from '../lab.js';
import { ciscoPanelRouter, renderCiscoPanel } from './cisco-panel.js';
import { controlApi } from './control-api.js';
import { sampleSp } from './sample-sp.js';

/**
 * The console service: the control API under `/api`, the sample SP under `/sample-sp`, and an
 * overview page of the running services.
 */
export function createConsole(state: LabState): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const consoleUrl = state.urls.console!;
  app.get('/healthz', (_req, res) => {
    res.json({ service: 'console', status: 'ok' });
  });
  app.use('/api', controlApi(state));
  app.use('/sample-sp', sampleSp(state, consoleUrl));
  app.use('/cisco', ciscoPanelRouter(state));
  app.get('/', (req, res) => {
    const notice = (req.query as Record<string, unknown>)['notice'];
    const rows = Object.entries(state.urls)
      .map(([name, url]) => `<tr><td>${h(name)}</td><td><a href="${h(url)}">${h(url)}</a></td></tr>`)
      .join('');
    const adfs = state.adfs;
    res.type('html').send(
      layout(
        'idp-harness console',
        'idp-harness console',
        `<table id="services">${rows}</table>
${adfs ? `<p><a href="${h(adfs.urls.metadata)}">AD FS federation metadata</a> · <a href="${h(adfs.urls.idpInitiated)}">IdP-initiated sign-on</a></p>` : ''}
<p><a href="/sample-sp/">Sample SP</a> · control API: <code>/api/users</code>, <code>/api/relying-parties</code>, <code>/api/faults</code>, <code>/api/clock</code>, <code>POST /api/reset</code></p>
${renderCiscoPanel(state, typeof notice === 'string' ? notice : undefined)}`,
      ),
    );
  });
  return app;
}
