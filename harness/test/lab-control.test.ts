import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpLabControl, LabControlError } from '../src/control/lab-control.js';

/**
 * The control client's own failures, against servers that are not a well-behaved console: one that
 * accepts the request and never answers (a CI job must fail, not hang), and one that answers HTML.
 */
let silent: Server;
let html: Server;
const base = (s: Server) => `http://127.0.0.1:${(s.address() as { port: number }).port}`;

beforeAll(async () => {
  silent = createServer(() => undefined);
  html = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not a console</html>'));
  await Promise.all([silent, html].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
});
afterAll(async () => {
  silent.closeAllConnections();
  await Promise.all([silent, html].map((s) => new Promise((r) => s.close(r))));
});

describe('httpLabControl', () => {
  it('a console that never answers fails the call with ERR_CONTROL_TIMEOUT', async () => {
    const err = await httpLabControl(base(silent), { timeoutMs: 200 }).reset().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabControlError);
    expect((err as LabControlError).code).toBe('ERR_CONTROL_TIMEOUT');
  });

  it('an answer that is not JSON fails with ERR_CONTROL_NOT_JSON', async () => {
    const err = await httpLabControl(base(html)).services().catch((e: unknown) => e);
    expect((err as LabControlError).code).toBe('ERR_CONTROL_NOT_JSON');
  });
});
