import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { defaultCertsDir, fixturesDir } from '../../../idp/src/shared/paths.js';

/**
 * A stand-in "partner OP" for the validator tests: serves each fixtures/validate/oidc-discovery-
 * <name>.json at https://localhost:<port>/<name>/.well-known/openid-configuration with its
 * `https://idp.partner.example` origin rewritten to https://localhost:<port>/<name>, and the JWK
 * Sets they point at (…/<name>/jwks-rsa-1024 → oidc-jwks-rsa-1024.json). TLS with the lab's test
 * certificate (trust certs/ca.pem), bound to 127.0.0.1.
 */
export interface FixtureOp {
  /** The "issuer" a fixture is served as. */
  issuer(name: string): string;
  close(): Promise<void>;
}

const PARTNER = 'https://idp.partner.example';
const DIR = join(fixturesDir, 'validate');

export async function startFixtureOp(): Promise<FixtureOp> {
  let origin = '';
  const server: Server = createServer({ key: readFileSync(join(defaultCertsDir, 'tls.key')), cert: readFileSync(join(defaultCertsDir, 'tls.pem')) }, (req, res) => {
    const m = /^\/([a-z0-9-]+)\/(.+)$/.exec(req.url ?? '');
    const send = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    if (!m) return send(404, '{}');
    const [, name, rest] = m as unknown as [string, string, string];
    try {
      if (rest === '.well-known/openid-configuration') {
        return send(200, readFileSync(join(DIR, `oidc-discovery-${name}.json`), 'utf8').replaceAll(PARTNER, `${origin}/${name}`));
      }
      if (/^jwks[a-z0-9-]*$/.test(rest)) return send(200, readFileSync(join(DIR, `oidc-${rest}.json`), 'utf8'));
    } catch {
      return send(404, '{}');
    }
    return send(404, '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://localhost:${(server.address() as AddressInfo).port}`;
  return {
    issuer: (name) => `${origin}/${name}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
