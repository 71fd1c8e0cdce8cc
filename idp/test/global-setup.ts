import { ensurePki } from '../src/pki/generate.js';
import { defaultCertsDir } from '../src/shared/paths.js';

/**
 * vitest globalSetup: makes sure certs/ holds the lab's test PKI before any test starts, so test
 * files load keys instead of generating them. Creates only what is missing (a no-op on a warm
 * checkout); concurrent vitest runs are serialized by ensurePki's lock file.
 */
export default async function setup(): Promise<void> {
  await ensurePki(defaultCertsDir);
}
