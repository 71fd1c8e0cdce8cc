import express, { Router, type Express, type NextFunction, type Request, type Response } from 'express';
import type { IssuerRuntime, OidcDeps } from './context.js';
import { interactionRouter } from './interactions/routes.js';
import { createIssuerRuntime, buildProvider, extraClaimNames, validateClient, type RuntimeWithHandler } from './issuer-runtime.js';
import { generatePrivateKey, loadIssuerKeys, signingKeyFrom, type OidcSigningAlg, type SigningKey } from './keys/signing-keys.js';
import { dropUnregisteredLogoutRedirect, offlineAccessWithoutConsent } from './request-rewrites.js';
import { writeOAuthError } from './oauth-error.js';
import { oidcRequestListener } from './request-listener.js';
import { TOKEN_FAULTS, tokenFaults } from './token-faults.js';
import { IdpError } from '../shared/errors.js';

export interface OidcService {
  app: Express;
  /** The service's request listener: oidc-provider directly where it alone answers, else `app`. */
  listener: ReturnType<typeof oidcRequestListener>;
  issuers: ReadonlyMap<string, IssuerRuntime>;
  /** Rebuilds providers whose released claim names no longer cover users' and clients' claims. */
  sync(): void;
  /** A new active key for `alg` on an issuer; the previous ones keep verifying until removed. */
  rotateKey(issuerId: string, alg: OidcSigningAlg): SigningKey;
  /** Removes a key from an issuer's JWKS (tokens it signed stop verifying). */
  removeKey(issuerId: string, kid: string): SigningKey;
  /** Forgets sessions, grants and tokens, and goes back to the keys of the certs folder. */
  resetState(): void;
}

/**
 * The `oidc` service: every configured issuer on one port, told apart by path, each its own
 * oidc-provider instance with its own keys, clients and profile (reference §5.2: one Provider
 * per issuer). Issuers with a path are mounted before the root issuer, which takes the rest.
 */
export function createOidc(deps: OidcDeps): OidcService {
  const runtimes = new Map<string, RuntimeWithHandler>();
  // A registered client may bring claim names of its own: resync once the registration request
  // has finished with the current Provider.
  const afterRegistration = () => setImmediate(() => sync());
  const pkiKeys = new Map<string, SigningKey[]>();
  for (const issuer of deps.config.issuers) {
    const keys = loadIssuerKeys(deps.certsDir, issuer.id);
    pkiKeys.set(issuer.id, keys);
    runtimes.set(issuer.id, createIssuerRuntime(deps, issuer, [...keys], afterRegistration));
  }
  deps.clients.setValidator((c) => validateClient(runtimes.get(c.issuer), c, [...runtimes.keys()]));
  // Clients are static clients of their issuer's Provider (issuer-runtime.ts): any write rebuilds.
  deps.clients.onChange(() => {
    for (const rt of runtimes.values()) buildProvider(deps, rt);
  });

  const publicUrl = new URL(deps.publicUrl);
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('etag', false);
  // oidc-provider derives every URL it prints from the request; pin them to the public URL so
  // discovery, redirects and `iss` agree however the request reached the lab.
  app.use((req, _res, next) => {
    req.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
    req.headers['x-forwarded-host'] = publicUrl.host;
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ service: 'oidc', status: 'ok', issuers: [...runtimes.values()].map((r) => r.issuer) });
  });
  const ordered = [...runtimes.values()].sort((a, b) => (a.prefix === '' ? 1 : 0) - (b.prefix === '' ? 1 : 0));
  for (const rt of ordered) app.use(rt.prefix || '/', issuerRouter(deps, () => runtimes.get(rt.config.id)!));
  app.use(oauthJsonErrors(deps));

  function sync(): void {
    const wanted = extraClaimNames(deps);
    for (const rt of runtimes.values()) if (wanted.some((n) => !rt.claimNames.has(n))) buildProvider(deps, rt);
  }
  const requireRuntime = (id: string) => {
    const rt = runtimes.get(id);
    if (!rt) throw new IdpError('ERR_CONTROL_NOT_FOUND', `issuer '${id}' not found`, { status: 404 });
    return rt;
  };

  return {
    app,
    listener: oidcRequestListener(app, () => runtimes.values(), deps),
    issuers: runtimes,
    sync,
    rotateKey(issuerId, alg) {
      const rt = requireRuntime(issuerId);
      const key = signingKeyFrom(issuerId, alg, generatePrivateKey(alg), 'rotated');
      // oidc-provider signs with the first key that fits the algorithm: the new one goes first.
      rt.keys = [key, ...rt.keys];
      buildProvider(deps, rt);
      deps.log.info({ svc: 'oidc', event: 'key.rotated', issuer: issuerId, kid: key.kid, alg }, 'signing key rotated');
      return key;
    },
    removeKey(issuerId, kid) {
      const rt = requireRuntime(issuerId);
      const key = rt.keys.find((k) => k.kid === kid);
      if (!key) throw new IdpError('ERR_CONTROL_NOT_FOUND', `key '${kid}' not found on issuer '${issuerId}'`, { status: 404 });
      if (!rt.keys.some((k) => k !== key && k.alg === key.alg)) {
        throw new IdpError('ERR_CONTROL_CONFLICT', `key '${kid}' is the only ${key.alg} key of issuer '${issuerId}'; rotate first`, { status: 409 });
      }
      rt.keys = rt.keys.filter((k) => k !== key);
      buildProvider(deps, rt);
      deps.log.info({ svc: 'oidc', event: 'key.removed', issuer: issuerId, kid }, 'signing key removed');
      return key;
    },
    resetState() {
      for (const rt of runtimes.values()) {
        rt.store.clear();
        rt.registered.clear();
        rt.keys = [...pkiKeys.get(rt.config.id)!];
        buildProvider(deps, rt);
      }
    },
  };
}

/** One issuer's routes: its interaction pages, the request rewrites, then oidc-provider. */
function issuerRouter(deps: OidcDeps, rt: () => RuntimeWithHandler): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 100 });
  router.use(interactionRouter(deps, rt));
  router.get('/auth', offlineAccessWithoutConsent);
  router.post('/auth', form, offlineAccessWithoutConsent);
  // The body is read here only when a token fault waits: oidc-provider prefers to read it itself.
  const faultsFor = tokenFaults(deps, rt);
  router.post('/token', (req, res, next) => {
    if (!deps.faults.has('oidc', (f) => TOKEN_FAULTS.has(f.kind))) return next();
    form(req, res, (err?: unknown) => (err ? next(err) : faultsFor(req, res, next).catch(next)));
  });
  router.get('/session/end', dropUnregisteredLogoutRedirect(rt));
  router.post('/session/end', form, dropUnregisteredLogoutRedirect(rt));
  router.use((req, res) => {
    void rt().handler(req, res);
  });
  return router;
}

/** Express's error handler for the service's own routes: the OAuth JSON of oauth-error.ts. */
function oauthJsonErrors(deps: OidcDeps) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => writeOAuthError(res, err, deps.log);
}
