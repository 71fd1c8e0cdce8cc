import type { Express } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RuntimeWithHandler } from './issuer-runtime.js';
import type { OidcDeps } from './context.js';
import { showInteraction } from './interactions/routes.js';
import { writeOAuthError } from './oauth-error.js';
import { TOKEN_FAULTS } from './token-faults.js';

const INTERACTION = /^\/interaction\/[^/]+$/;

/**
 * The `oidc` service's request listener. Express re-prototypes every request and response it
 * handles, after which oidc-provider's own code runs at about half speed (measured with
 * `npm run bench`: 0.43× a bare oidc-provider for client_credentials). So the requests only
 * oidc-provider answers go to it directly; the lab's own routes — sign-in and consent pages,
 * the request rewrites, injected faults, health — go through the express app.
 *
 * Both paths pin `X-Forwarded-Host`/`-Proto` to the public URL (create-oidc.ts says why).
 */
export function oidcRequestListener(
  app: Express,
  runtimes: () => Iterable<RuntimeWithHandler>,
  deps: OidcDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const publicUrl = new URL(deps.publicUrl);
  const proto = publicUrl.protocol.slice(0, -1);
  const tokenFaultQueued = () => deps.faults.has('oidc', (f) => TOKEN_FAULTS.has(f.kind));

  /** The lab's express routes an issuer-relative request needs (see issuerRouter in create-oidc.ts). */
  const needsExpress = (path: string, method: string | undefined, url: string): boolean => {
    if (path.startsWith('/interaction/') || path === '/healthz' || path === '/session/end') return true;
    // offlineAccessWithoutConsent reads the scope (a POST body only express parses here).
    if (path === '/auth') return method === 'POST' || url.includes('offline_access');
    if (path === '/token') return method === 'POST' && tokenFaultQueued();
    return false;
  };

  return (req, res) => {
    req.headers['x-forwarded-proto'] = proto;
    req.headers['x-forwarded-host'] = publicUrl.host;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    let rt: RuntimeWithHandler | undefined;
    let root: RuntimeWithHandler | undefined;
    for (const r of runtimes()) {
      if (r.prefix === '') root = r;
      else if (path === r.prefix || path.startsWith(`${r.prefix}/`)) rt = r;
    }
    rt ??= root;
    if (!rt) return void app(req, res);
    const rel = path.slice(rt.prefix.length) || '/';
    // The sign-in step every code flow takes (auto sign-in, SSO) needs no express either.
    if (req.method === 'GET' && INTERACTION.test(rel)) {
      return void showInteraction(deps, rt, req, res).catch((e: unknown) => writeOAuthError(res, e, deps.log));
    }
    if (needsExpress(rel, req.method, url)) return void app(req, res);
    // What express's mounting would do: oidc-provider reads its mount path from originalUrl.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
    req.url = url.slice(rt.prefix.length) || '/';
    void rt.handler(req, res);
  };
}
