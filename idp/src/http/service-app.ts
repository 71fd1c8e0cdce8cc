import express, { type Express } from 'express';

/**
 * The express application every emulated service starts from: no `X-Powered-By`, the simple
 * query parser (repeated parameters become arrays the handlers refuse, never nested objects), no
 * ETags (every page is dynamic and single-use; an ETag would only cost a hash per response), and
 * `/healthz` answering `health` as JSON.
 */
export function serviceApp(health: Record<string, string>): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('etag', false);
  app.get('/healthz', (_req, res) => {
    res.json(health);
  });
  return app;
}
