import type { Server } from 'node:http';
import express, { type Express } from 'express';
import { serviceApp } from '../http/service-app.js';
import type { FinesseConfig } from '../config/schema.js';
import type { UserDirectory } from '../directory/users.js';
import type { IdsContext } from '../ids/context.js';
import type { Clock } from '../shared/clock.js';
import type { ExchangeLog } from '../shared/exchange-log.js';
import { recordHttpExchanges } from '../http/record-http-exchange.js';
import { IdpError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { SingleUseStore } from '../shared/single-use-store.js';
import { finesseApiRouter } from './api/router.js';
import { createFinesseRuntime } from './api/runtime.js';
import type { FinesseContext } from './context.js';
import { describeFinesseRequest } from './record-exchange.js';
import { LockoutTracker } from './lockout.js';
import { ssoErrorHandler } from './sso/error-handler.js';
import { handleSsoTest } from './sso/test-page.js';
import { handleAuthcode, handleTokenGet, handleTokenPost } from './sso/token-api.js';
import { boshRouter } from './xmpp/bosh-transport.js';
import { NotificationService } from './xmpp/notification-service.js';
import { attachWebSocket } from './xmpp/websocket-transport.js';

export interface FinesseDeps {
  config: FinesseConfig;
  publicUrl: string;
  users: UserDirectory;
  ids: IdsContext | undefined;
  clock: Clock;
  exchanges: ExchangeLog;
  log: Logger;
  fixturesDir: string;
}

/** The Cisco Finesse emulation: the SSO token API (`/desktop/sso/*`) and the REST API (`/finesse/api/*`). */
export function createFinesse(d: FinesseDeps): {
  ctx: FinesseContext;
  app: Express;
  resetState(): void;
  /** Serves XMPP over WebSocket on the Finesse socket (upgrades are not Express's). */
  attach(server: Server): void;
  close(): Promise<void>;
} {
  const base = d.publicUrl.replace(/\/+$/, '');
  const base0: Omit<FinesseContext, 'notifications'> = {
    config: d.config,
    urls: { base, authcode: `${base}/desktop/sso/authcode` },
    xmppDomain: d.config.xmppDomain ?? new URL(base).hostname,
    users: d.users,
    ids: d.ids,
    ssoRequests: new SingleUseStore(d.clock),
    ssoSessions: new Map(),
    lockout: new LockoutTracker(d.clock, d.config.lockout.attempts, d.config.lockout.minutes),
    runtime: createFinesseRuntime({ users: d.users, clock: d.clock, config: d.config, fixturesDir: d.fixturesDir, log: d.log }),
    clock: d.clock,
    log: d.log,
  };
  const ctx: FinesseContext = { ...base0, notifications: new NotificationService(base0) };
  const bosh = boshRouter(ctx.notifications);
  let ws: { close(): Promise<void> } | undefined;
  const app = serviceApp({ service: 'finesse', status: 'IN_SERVICE' });
  app.use(['/desktop/sso', '/finesse/api'], recordHttpExchanges(d.exchanges, (seen) => describeFinesseRequest(ctx, seen)));

  const sso = express.Router({ caseSensitive: true });
  sso.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 20 }));
  sso.get('/token', (req, res) => handleTokenGet(ctx, req, res));
  sso.post('/token', (req, res) => handleTokenPost(ctx, req, res));
  sso.get('/authcode', (req, res) => handleAuthcode(ctx, req, res));
  sso.get('/test', (req, res) => handleSsoTest(ctx, req, res));
  sso.use((req, _res, next) => next(new IdpError('ERR_HTTP_NOT_FOUND', `There is nothing at ${req.method} /desktop/sso${req.path}.`, { status: 404 })));
  sso.use(ssoErrorHandler(ctx));
  app.use('/desktop/sso', sso);
  app.use('/finesse/api', finesseApiRouter(ctx));
  app.use('/http-bind', bosh.router);
  // A plain GET of the WebSocket endpoint (no Upgrade) is told what it needs (RFC 7231 §6.5.15).
  app.all(['/ws', '/ws/'], (_req, res) => {
    res.status(426).set('Upgrade', 'websocket').set('X-Idp-Harness-Error', 'ERR_XMPP_SUBPROTOCOL').type('text/plain').send('XMPP over WebSocket (RFC 7395): upgrade with the xmpp subprotocol.');
  });
  app.use((req, res) => {
    res.status(404).type('text/plain').set('X-Idp-Harness-Error', 'ERR_HTTP_NOT_FOUND').send(`There is nothing at ${req.method} ${req.path} on this Finesse.`);
  });
  return {
    ctx,
    app,
    resetState() {
      ctx.ssoRequests.clear();
      ctx.ssoSessions.clear();
      ctx.lockout.clear();
      ctx.runtime.reset();
      ctx.notifications.reset();
    },
    attach(server) {
      ws = attachWebSocket(server, ctx.notifications);
    },
    async close() {
      ctx.notifications.close();
      bosh.close();
      await ws?.close();
    },
  };
}
