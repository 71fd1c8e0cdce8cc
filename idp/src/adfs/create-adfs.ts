import type { Express } from 'express';
import { serviceApp } from '../http/service-app.js';
import type { AdfsConfig } from '../config/schema.js';
import type { UserDirectory } from '../directory/users.js';
import type { Clock } from '../shared/clock.js';
import type { ExchangeLog } from '../shared/exchange-log.js';
import type { LabSsoStore } from '../shared/lab-sso.js';
import { IdpError } from '../shared/errors.js';
import type { FaultQueue } from '../shared/faults.js';
import type { Logger } from '../shared/log.js';
import type { Pki } from '../pki/load.js';
import type { AdfsContext } from './context.js';
import { ReplayCache } from './inbound/replay-cache.js';
import { PendingSignIns } from './pending.js';
import type { RelyingPartyStore } from './relying-parties.js';
import { adfsRouter } from './routes.js';
import { SessionStore } from './sessions.js';

export interface AdfsDeps {
  config: AdfsConfig;
  publicUrl: string;
  tls: boolean;
  pki: Pki;
  users: UserDirectory;
  relyingParties: RelyingPartyStore;
  faults: FaultQueue;
  clock: Clock;
  labSso: LabSsoStore;
  exchanges: ExchangeLog;
  log: Logger;
}

/** The AD FS emulation: its shared context and its express application. */
export function createAdfs(d: AdfsDeps): { ctx: AdfsContext; app: Express; resetState(): void } {
  const base = d.publicUrl.replace(/\/+$/, '');
  const adfsKeys = d.pki.systems.adfs.signing;
  const foreign = d.pki.systems.oidc.signing;
  const windowMs = d.config.messageDeliveryWindowMinutes * 60_000;
  const ctx: AdfsContext = {
    config: d.config,
    identifier: adfsIdentifier(d.config, base),
    urls: {
      base,
      ls: `${base}/adfs/ls/`,
      metadata: `${base}/FederationMetadata/2007-06/FederationMetadata.xml`,
      idpInitiated: `${base}/adfs/ls/IdpInitiatedSignOn.aspx`,
    },
    tls: d.tls,
    signingKey: { privateKey: adfsKeys.privateKey, certBase64: adfsKeys.certBase64 },
    foreignSigningKey: { privateKey: foreign.privateKey, certBase64: foreign.certBase64 },
    pki: d.pki,
    users: d.users,
    relyingParties: d.relyingParties,
    sessions: new SessionStore(d.clock, d.config.ssoLifetimeMinutes * 60_000),
    labSso: d.labSso,
    pending: new PendingSignIns(d.clock),
    replay: new ReplayCache(d.clock, windowMs),
    faults: d.faults,
    lastResponses: new Map(),
    clock: d.clock,
    exchanges: d.exchanges,
    log: d.log,
  };
  checkWindowsUser(ctx);
  const app = serviceApp({ service: 'adfs', status: 'ok' });
  app.use(adfsRouter(ctx));
  return {
    ctx,
    app,
    resetState() {
      ctx.sessions.clear();
      ctx.pending.clear();
      ctx.lastResponses.clear();
      ctx.replay = new ReplayCache(d.clock, windowMs);
      checkWindowsUser(ctx);
    },
  };
}

/**
 * The Federation Service identifier: configured, or `http://<federation service name>/adfs/services/trust`
 * (http even on an HTTPS-only farm, reference §0). Cisco IdS trusts AD FS under this name.
 */
export function adfsIdentifier(config: AdfsConfig, publicUrl: string): string {
  return config.identifier ?? `http://${new URL(publicUrl).hostname}/adfs/services/trust`;
}

/** Emulated Windows Integrated Authentication needs a user to sign in as; say so at start. */
function checkWindowsUser(ctx: AdfsContext): void {
  const wia = ctx.config.windowsIntegrated;
  if (!wia.enabled) return;
  if (!wia.username || !ctx.users.get(wia.username)) {
    throw new IdpError('ERR_CONFIG_INVALID', `invalid configuration:\n  - adfs.windowsIntegrated.username: must name a user of the directory (got '${wia.username ?? ''}')`, {
      details: { issues: [{ path: 'adfs.windowsIntegrated.username', message: 'must name a user of the directory' }] },
    });
  }
}
