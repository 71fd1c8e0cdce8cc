import type { Express } from 'express';
import { loadConfig, resolveFromRoot, type LoadConfigOptions } from './config/load.js';
import { SERVICE_NAMES, type LabConfig, type ServiceName } from './config/schema.js';
import { createConsole } from './console/create-console.js';
import { readFixtureArray } from './directory/load-fixtures.js';
import { createUserDirectory, type UserDirectory } from './directory/users.js';
import { defaultPublicUrl, listen, type Listening } from './http/listen.js';
import { createAdfs } from './adfs/create-adfs.js';
import { createOidc, type OidcService } from './oidc/create-oidc.js';
import { createIds } from './ids/create-ids.js';
import type { IdsContext } from './ids/context.js';
import { createFinesse } from './finesse/create-finesse.js';
import type { FinesseContext } from './finesse/context.js';
import { createCxone } from './cxone/create-cxone.js';
import type { CxoneContext } from './cxone/context.js';
import { createOidcClientStore, type OidcClientStore } from './oidc/clients/client-store.js';
import { LabSsoStore } from './shared/lab-sso.js';
import type { AdfsContext } from './adfs/context.js';
import { createRelyingPartyStore, type RelyingPartyStore } from './adfs/relying-parties.js';
import { loadPki, type Pki } from './pki/load.js';
import { Clock } from './shared/clock.js';
import { ExchangeLog } from './shared/exchange-log.js';
import { FaultQueue } from './shared/faults.js';
import { createLogger, type Logger } from './shared/log.js';

/** The default port of each service, for `${service}` placeholders of services that are off. */
const DEFAULT_PORTS: Record<string, number> = { adfs: 9443, oidc: 9444, ids: 8553, finesse: 8445, cxone: 9445, console: 9000 };

/** What every service shares and the control API manipulates. */
export interface LabState {
  config: LabConfig;
  clock: Clock;
  faults: FaultQueue;
  users: UserDirectory;
  relyingParties: RelyingPartyStore;
  /** OIDC clients of every issuer (fixtures/oidc/clients.json, control API, registration). */
  oidcClients: OidcClientStore;
  /** The SSO session shared by AD FS and the OpenID Providers. */
  labSso: LabSsoStore;
  pki: Pki;
  log: Logger;
  /** Public URL of each service that runs. */
  urls: Partial<Record<ServiceName, string>>;
  adfs: AdfsContext | undefined;
  oidc: OidcService | undefined;
  /** Cisco Identity Service (its clients, settings, tokens); undefined when it does not run. */
  ids: IdsContext | undefined;
  /** Cisco Finesse (agents, dialogs, SSO sessions); undefined when it does not run. */
  finesse: FinesseContext | undefined;
  /** NICE CXone (authenticators, users, sessions); undefined when it does not run. */
  cxone: CxoneContext | undefined;
  /** Recent protocol exchanges of every service, decoded (the console's live list, `/api/exchanges`). */
  exchanges: ExchangeLog;
  /** Back to the fixtures: users, relying parties, sessions, faults, clock. */
  reset(): void;
}

export interface Lab {
  config: LabConfig;
  state: LabState;
  urls: Partial<Record<ServiceName, string>>;
  stop(): Promise<void>;
}

/**
 * Starts every enabled service of the lab in this process. Sockets are bound first (so port 0 can
 * be resolved into public URLs), then the applications are built on the shared state.
 */
export async function startLab(config: LabConfig, opts: { log?: Logger } = {}): Promise<Lab> {
  const log = opts.log ?? createLogger(config.log.level);
  const pki = loadPki(resolveFromRoot(config.certsDir));
  const fixturesDir = resolveFromRoot(config.fixturesDir);
  const tlsFor = (name: ServiceName) => (name === 'console' ? config.console.tls : config.tls.enabled);
  const enabled = SERVICE_NAMES.filter((n) => config[n].enabled);

  const sockets = new Map<ServiceName, Listening>();
  try {
    await Promise.all(
      enabled.map(async (name) => {
        const s = config[name];
        sockets.set(name, await listen({ host: s.host, port: s.port, tls: tlsFor(name) ? pki.tls : undefined }));
      }),
    );
  } catch (e) {
    await Promise.all([...sockets.values()].map((s) => s.close()));
    throw e;
  }

  const urls: Partial<Record<ServiceName, string>> = {};
  for (const [name, sock] of sockets) urls[name] = (config[name].publicUrl ?? defaultPublicUrl(tlsFor(name), sock.port)).replace(/\/+$/, '');
  const serviceUrls: Record<string, string> = {};
  for (const [name, port] of Object.entries(DEFAULT_PORTS)) {
    const cfg = (config as unknown as Record<string, { publicUrl?: string } | undefined>)[name];
    serviceUrls[name] = urls[name as ServiceName] ?? cfg?.publicUrl ?? defaultPublicUrl(name !== 'console' && config.tls.enabled, port);
  }

  const clock = new Clock();
  const faults = new FaultQueue();
  const exchanges = new ExchangeLog(clock);
  const users = createUserDirectory();
  const relyingParties = createRelyingPartyStore({ pki, fixturesDir, serviceUrls });
  const oidcClients = createOidcClientStore();
  const labSso = new LabSsoStore(clock, config.sso.lifetimeMinutes * 60_000, config.sso.shared);
  let oidc: OidcService | undefined;
  const loadFixtures = () => {
    users.load(readFixtureArray(fixturesDir, 'users.json'));
    relyingParties.load(readFixtureArray(fixturesDir, 'adfs/relying-parties.json'));
    // Clients are checked against their issuer's oidc-provider, so the service comes first.
    oidcClients.load(readFixtureArray(fixturesDir, 'oidc/clients.json', serviceUrls));
  };

  try {
    if (config.oidc.enabled) {
      oidc = createOidc({
        config: config.oidc,
        publicUrl: urls.oidc!,
        tls: tlsFor('oidc'),
        certsDir: resolveFromRoot(config.certsDir),
        users,
        clients: oidcClients,
        faults,
        clock,
        labSso,
        exchanges,
        log,
      });
    }
    loadFixtures();
    oidc?.sync();
    const adfs = config.adfs.enabled
      ? createAdfs({ config: config.adfs, publicUrl: urls.adfs!, tls: tlsFor('adfs'), pki, users, relyingParties, faults, clock, labSso, exchanges, log })
      : undefined;
    const ids = config.ids.enabled
      ? createIds({ config: config.ids, publicUrl: urls.ids!, pki, clock, exchanges, log, fixturesDir, serviceUrls, adfs: { config: config.adfs, publicUrl: serviceUrls['adfs']! } })
      : undefined;
    const loadIdsClients = () => ids?.ctx.clients.load(readFixtureArray(fixturesDir, 'ids/clients.json'));
    loadIdsClients();
    const finesse = config.finesse.enabled
      ? createFinesse({ config: config.finesse, publicUrl: urls.finesse!, users, ids: ids?.ctx, clock, exchanges, log, fixturesDir })
      : undefined;
    const cxone = config.cxone.enabled
      ? createCxone({
          config: config.cxone,
          publicUrl: urls.cxone!,
          tls: tlsFor('cxone'),
          pki,
          clock,
          exchanges,
          log,
          fixturesDir,
          certsDir: resolveFromRoot(config.certsDir),
          stateDir: config.stateDir ? resolveFromRoot(config.stateDir) : undefined,
          serviceUrls,
        })
      : undefined;
    const state: LabState = {
      config,
      clock,
      faults,
      users,
      relyingParties,
      oidcClients,
      labSso,
      pki,
      log,
      urls,
      adfs: adfs?.ctx,
      oidc,
      ids: ids?.ctx,
      finesse: finesse?.ctx,
      cxone: cxone?.ctx,
      exchanges,
      reset() {
        loadFixtures();
        loadIdsClients();
        ids?.resetState();
        finesse?.resetState();
        faults.clear();
        clock.reset();
        // After the clock: CXone's fixtures are validated like admin input, on the lab clock
        // (a SAML certificate must be valid "now"), so a test that moved the clock resets cleanly.
        cxone?.resetState();
        labSso.clear();
        adfs?.resetState();
        oidc?.resetState();
        log.info({ svc: 'console', event: 'lab.reset' }, 'lab reset to fixtures');
      },
    };
    const apps: Partial<Record<ServiceName, Express | OidcService['listener']>> = { adfs: adfs?.app, oidc: oidc?.listener, ids: ids?.app, finesse: finesse?.app, cxone: cxone?.app };
    if (config.console.enabled) apps.console = createConsole(state);
    for (const [name, sock] of sockets) sock.setHandler(apps[name]!);
    if (finesse) finesse.attach(sockets.get('finesse')!.server);
    log.info({ svc: 'lab', event: 'lab.started', urls }, 'lab started');
    return {
      config,
      state,
      urls,
      async stop() {
        await finesse?.close();
        await Promise.all([...sockets.values()].map((s) => s.close()));
      },
    };
  } catch (e) {
    await Promise.all([...sockets.values()].map((s) => s.close()));
    throw e;
  }
}

/** Loads the configuration and starts the lab: what `idp-harness up` and tests call. */
export async function startLabFromConfig(opts: LoadConfigOptions = {}): Promise<Lab> {
  return startLab(loadConfig(opts));
}
