import { join } from 'node:path';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { LabState } from '../lab.js';
import { assetsDir } from '../shared/paths.js';
import { controlApi } from './control-api.js';
import { DASHBOARD_CSP, renderDashboard } from './dashboard-page.js';
import { pagesFromPeer } from './peer-pages.js';
import { sampleRp } from './sample-rp.js';
import { sampleSp } from './sample-sp.js';

/**
 * The console service: the control API under `/api`, the sample SP under `/sample-sp` and the
 * sample RP under `/sample-rp`, and the dashboard page (`/`, its scripts and styles under
 * `/assets/console/`), which reads everything it shows from the control API.
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
  // Under docker compose the sample SP runs beside AD FS: a central console passes it on (peer-pages.ts).
  app.use('/sample-sp', pagesFromPeer(state, 'adfs'), sampleSp(state, consoleUrl));
  app.use('/sample-rp', sampleRp(state, consoleUrl));
  app.use('/assets/console', express.static(join(assetsDir, 'console'), { index: false, cacheControl: false, setHeaders: (res) => res.set('Cache-Control', 'no-cache') }));
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  const dashboard = renderDashboard();
  app.get('/', (_req, res) => {
    res.set('Content-Security-Policy', DASHBOARD_CSP).set('Cache-Control', 'no-cache').type('html').send(dashboard);
  });
  app.use((req, res) => {
    res.status(404).set('X-Idp-Harness-Error', 'ERR_HTTP_NOT_FOUND').type('text/plain').send(`There is nothing at ${req.method} ${req.path} on this console.`);
  });
  // The pages' last resort (a malformed URL, a body too large): a status line, never a stack trace.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (err as { status?: unknown })?.status === 'number' && (err as { status: number }).status < 500 ? (err as { status: number }).status : 500;
    if (status === 500) state.log.error({ svc: 'console', err }, 'unexpected console error');
    if (!res.headersSent) res.status(status).set('X-Idp-Harness-Error', status === 500 ? 'ERR_INTERNAL' : 'ERR_HTTP_BAD_REQUEST').type('text/plain').send(status === 500 ? 'internal error' : 'bad request');
  });
  return app;
}
