import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Express } from 'express';
import { serviceApp } from '../http/service-app.js';
import type { AdfsConfig, IdsConfig } from '../config/schema.js';
import type { Pki } from '../pki/load.js';
import type { Clock } from '../shared/clock.js';
import type { ExchangeLog } from '../shared/exchange-log.js';
import { IdpError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { SingleUseStore } from '../shared/single-use-store.js';
import { adfsIdentifier } from '../adfs/create-adfs.js';
import { ReplayCache } from '../adfs/inbound/replay-cache.js';
import { createIdsClientStore } from './clients.js';
import type { IdsContext } from './context.js';
import { recordTokensIssued } from './record-exchange.js';
import { idsRouter } from './routes.js';
import { readIdpMetadata, type IdpTrust } from './saml/idp-trust.js';
import { IdsTokenCodec, stableHex40 } from './tokens/token-format.js';
import { IdsTokenService } from './tokens/token-service.js';

export interface IdsDeps {
  config: IdsConfig;
  publicUrl: string;
  pki: Pki;
  clock: Clock;
  exchanges: ExchangeLog;
  log: Logger;
  fixturesDir: string;
  /** Public URLs of the lab's services (`${finesse}` in client redirect URLs). */
  serviceUrls: Readonly<Record<string, string>>;
  /** The lab's AD FS, the IdP IdS trusts unless metadata is configured. */
  adfs: { config: AdfsConfig; publicUrl: string };
}

/** How long response and assertion IDs are remembered against replay (beyond any assertion lifetime AD FS issues by default). */
const REPLAY_WINDOW_MS = 2 * 3600_000;

/** The Cisco IdS emulation: its context (shared with Finesse and the control API) and its app. */
export function createIds(d: IdsDeps): { ctx: IdsContext; app: Express; resetState(): void } {
  const base = d.publicUrl.replace(/\/+$/, '');
  const entityId = d.config.entityId ?? new URL(base).hostname;
  const keys = d.pki.systems.ids;
  const defaultTrust = (): IdpTrust => (d.config.idpMetadataFile ? trustFromFile(d.config.idpMetadataFile, d.fixturesDir) : labAdfsTrust(d));
  const settings = { ...d.config.tokens };
  const ctx: IdsContext = {
    config: d.config,
    entityId,
    urls: {
      base,
      acs: `${base}/ids/saml/response`,
      acsMetaAlias: `${base}/ids/saml/response?metaAlias=/sp`,
      relay: `${base}/ids/relay`,
      authorize: `${base}/ids/v1/oauth/authorize`,
      token: `${base}/ids/v1/oauth/token`,
      metadata: `${base}/ids/saml/metadata`,
    },
    settings,
    clients: createIdsClientStore(d.serviceUrls),
    trust: defaultTrust(),
    defaultTrust,
    tokens: new IdsTokenService({
      codec: new IdsTokenCodec(keys.signing.privateKey, keys.signing.publicKey, keys.encryption.privateKey),
      clock: d.clock,
      settings: () => settings,
      issuer: entityId,
      idsId: stableHex40(`ids:${entityId}`),
      onIssued: (tokens, how) => recordTokensIssued(d.exchanges, tokens, how),
    }),
    pending: new SingleUseStore(d.clock),
    relay: new SingleUseStore(d.clock),
    codes: new SingleUseStore(d.clock),
    replay: new ReplayCache(d.clock, REPLAY_WINDOW_MS),
    pki: d.pki,
    clock: d.clock,
    exchanges: d.exchanges,
    log: d.log,
  };
  const app = serviceApp({ service: 'ids', status: 'IN_SERVICE' });
  app.use(idsRouter(ctx));
  return {
    ctx,
    app,
    resetState() {
      Object.assign(settings, d.config.tokens);
      ctx.trust = defaultTrust();
      ctx.tokens.clear();
      ctx.pending.clear();
      ctx.relay.clear();
      ctx.codes.clear();
      ctx.replay.clear();
    },
  };
}

/** The lab's AD FS as IdS sees it in its metadata: identifier, `/adfs/ls/`, token-signing certificate. */
function labAdfsTrust(d: IdsDeps): IdpTrust {
  const base = d.adfs.publicUrl.replace(/\/+$/, '');
  return {
    entityId: adfsIdentifier(d.adfs.config, base),
    ssoUrl: `${base}/adfs/ls/`,
    signingCerts: [d.pki.systems.adfs.signing.x509],
    source: 'lab',
  };
}

function trustFromFile(file: string, fixturesDir: string): IdpTrust {
  const path = isAbsolute(file) ? file : join(fixturesDir, file);
  let xml: string;
  try {
    xml = readFileSync(path, 'utf8');
  } catch (e) {
    throw configError(`cannot read '${path}': ${(e as Error).message}`);
  }
  try {
    return readIdpMetadata(xml);
  } catch (e) {
    throw configError((e as Error).message);
  }
}

function configError(message: string): IdpError {
  return new IdpError('ERR_CONFIG_INVALID', `invalid configuration:\n  - ids.idpMetadataFile: ${message}`, {
    details: { issues: [{ path: 'ids.idpMetadataFile', message }] },
  });
}
