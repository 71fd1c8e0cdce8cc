import { rootCertificates } from 'node:tls';
import type { Express } from 'express';
import type { CxoneConfig } from '../config/schema.js';
import { serviceApp } from '../http/service-app.js';
import type { Pki } from '../pki/load.js';
import { ReplayCache } from '../adfs/inbound/replay-cache.js';
import type { Clock } from '../shared/clock.js';
import type { ExchangeLog } from '../shared/exchange-log.js';
import type { Logger } from '../shared/log.js';
import { SingleUseStore } from '../shared/single-use-store.js';
import { buildAuthenticatorRecord } from './admin/authenticator-input.js';
import type { CxoneContext } from './context.js';
import { LoginTransactions } from './login/transactions.js';
import { SessionStore } from './login/sessions.js';
import { discoverOidcSettings } from './oidc-rp/discovery.js';
import { OpState } from './op/op-state.js';
import { cxoneRouter } from './routes.js';
import { CxoneStore, type CxoneSnapshot } from './store/cxone-store.js';
import { loadCxoneFixtures } from './store/fixtures.js';
import { StateFile } from './store/state-file.js';

export interface CxoneDeps {
  config: CxoneConfig;
  publicUrl: string;
  tls: boolean;
  pki: Pki;
  clock: Clock;
  exchanges: ExchangeLog;
  log: Logger;
  fixturesDir: string;
  certsDir: string;
  /** Absolute state directory, when configured (DESIGN §3). */
  stateDir: string | undefined;
  serviceUrls: Readonly<Record<string, string>>;
}

/** How long SAML Response and Assertion IDs are remembered against replay. */
const REPLAY_WINDOW_MS = 2 * 3600_000;

/**
 * The NICE CXone emulation: login authenticators (System, SAML 2.0, OIDC), users, the sign-in
 * pages, and CXone as an OpenID provider. State starts from the fixtures, or from the state file
 * when a state directory is configured and holds one.
 */
export function createCxone(d: CxoneDeps): { ctx: CxoneContext; app: Express; resetState(): void } {
  const base = d.publicUrl.replace(/\/+$/, '');
  const file = d.stateDir ? StateFile.in<CxoneSnapshot>(d.stateDir, 'cxone.json') : undefined;
  const store = new CxoneStore(file);
  const signing = d.pki.systems.cxone.signing;
  const publicJwk = signing.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const kid = signing.fingerprintSha256.replace(/:/g, '').slice(0, 16).toLowerCase();
  const outboundCa = [...rootCertificates, d.pki.caPem];
  const ctx: CxoneContext = {
    config: d.config,
    tenant: d.config.tenant,
    urls: {
      base,
      login: `${base}/login`,
      home: `${base}/`,
      authorize: `${base}/auth/authorize`,
      token: `${base}/auth/token`,
      userinfo: `${base}/auth/userinfo`,
      jwks: `${base}/auth/jwks`,
      endSession: `${base}/auth/authorize/logout`,
      discovery: `${base}/.well-known/openid-configuration`,
      api: `${base}/api/v1`,
      admin: `${base}/admin`,
    },
    store,
    sessions: new SessionStore(d.clock, () => d.config.sessionIdleMinutes * 60_000, d.tls),
    logins: new LoginTransactions(d.clock),
    samlRequests: new SingleUseStore(d.clock),
    samlReplay: new ReplayCache(d.clock, REPLAY_WINDOW_MS),
    oidcRequests: new SingleUseStore(d.clock),
    op: new OpState(d.clock, { kid, privateKey: signing.privateKey, publicJwk: { ...publicJwk, kid, use: 'sig', alg: 'RS256' } }),
    discover: (url) => discoverOidcSettings(url, outboundCa),
    outboundCa,
    pki: d.pki,
    clock: d.clock,
    exchanges: d.exchanges,
    log: d.log,
  };
  const fromFixtures = (): CxoneSnapshot => {
    const now = d.clock.now();
    const loaded = loadCxoneFixtures({
      fixturesDir: d.fixturesDir,
      certsDir: d.certsDir,
      serviceUrls: d.serviceUrls,
      now,
      build: (input, id) => {
        const a = buildAuthenticatorRecord(input, { now, nameTaken: () => false });
        return { ...a, id };
      },
    });
    return { version: 1, ...loaded };
  };
  const saved = store.readSaved();
  store.load(saved ?? fromFixtures());
  if (!saved) store.commit();
  const app = serviceApp({ service: 'cxone', status: 'UP' });
  app.use(cxoneRouter(ctx));
  return {
    ctx,
    app,
    /** Back to the fixtures (and the state file with them): the control API's reset. */
    resetState() {
      store.load(fromFixtures());
      store.commit();
      ctx.sessions.clear();
      ctx.logins.clear();
      ctx.samlRequests.clear();
      ctx.samlReplay.clear();
      ctx.oidcRequests.clear();
      ctx.op.clear();
    },
  };
}
