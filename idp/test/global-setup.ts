import { OidcConfigSchema } from '../src/config/schema.js';
import { loadIssuerKeys } from '../src/oidc/keys/signing-keys.js';
import { ensurePki } from '../src/pki/generate.js';
import { defaultCertsDir } from '../src/shared/paths.js';

/**
 * vitest globalSetup: makes sure certs/ holds the lab's test PKI before any test starts, so test
 * files load keys instead of generating them. Creates only what is missing (a no-op on a warm
 * checkout); concurrent vitest runs are serialized by ensurePki's lock file.
 */
export default async function setup(): Promise<void> {
  await ensurePki(defaultCertsDir);
  // The default issuers' OIDC keys too: test files start labs in parallel and must share them.
  for (const issuer of OidcConfigSchema.parse({}).issuers) loadIssuerKeys(defaultCertsDir, issuer.id);
}
