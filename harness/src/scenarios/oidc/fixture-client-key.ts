import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveFromRoot } from '../../../../idp/src/config/load.js';
import { fixturesDir as bundledFixtures } from '../../../../idp/src/shared/paths.js';
import { ScenarioFailure, type ScenarioContext } from '../scenario.js';

const IMPORT: Record<string, RsaHashedImportParams | EcKeyImportParams> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
};

/**
 * The private key of a fixture `private_key_jwt` client (`fixtures/oidc/keys/<client>.private.jwk.json`,
 * TEST ONLY), as a signing CryptoKey with its kid. It is read from the lab's fixtures folder when
 * this machine has it (a remote lab's `fixturesDir` may be a container path), else from the
 * fixtures shipped with idp-harness, which a stock lab uses.
 */
export async function fixtureClientKey(ctx: ScenarioContext, clientId: string): Promise<{ key: CryptoKey; kid: string }> {
  const name = `${clientId}.private.jwk.json`;
  const file = [join(resolveFromRoot(ctx.target.config.fixturesDir), 'oidc', 'keys', name), join(bundledFixtures, 'oidc', 'keys', name)].find((f) => existsSync(f));
  if (!file) throw new ScenarioFailure(`no private key for the fixture client ${clientId} (fixtures/oidc/keys/${name})`);
  const { alg, kid, use: _use, key_ops: _ops, ...jwk } = JSON.parse(readFileSync(file, 'utf8')) as JsonWebKey & { alg: string; kid: string; use?: string };
  const params = IMPORT[alg];
  if (!params) throw new ScenarioFailure(`${file}: unsupported alg ${alg}`);
  return { key: await crypto.subtle.importKey('jwk', jwk, params, false, ['sign']), kid };
}
