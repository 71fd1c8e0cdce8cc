import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePki } from '../../../../idp/src/pki/generate.js';
import { loadIssuerKeys } from '../../../../idp/src/oidc/keys/signing-keys.js';
import { PKI_FILES, PKI_SYSTEMS, PKI_USES, allPkiFiles, systemCertFile } from '../../../../idp/src/pki/systems.js';
import { setAside } from './set-aside.js';

export interface GeneratePkiOptions {
  /** Extra TLS host names or IP addresses. */
  hostNames: string[];
  /** OpenID Provider issuers whose signing keys are made too (their `id`s). */
  issuers: string[];
  /** Replace every file (moved to `previous/` first), the CA included. */
  force?: boolean;
}

/**
 * `certs generate` and scripts/gen-certs.ts: create what is missing in `dir` (ensurePki: only
 * what is missing or unusable; the TLS pair again when it lacks a host name), then the issuers'
 * OIDC signing keys, and report it line by line with the SHA-256 fingerprints.
 */
export async function generatePki(dir: string, opts: GeneratePkiOptions, out: (line: string) => void): Promise<void> {
  const started = performance.now();
  const setAsideFiles = opts.force ? await setAside(dir, [...allPkiFiles(), ...opts.issuers.map((id) => join('oidc', id))]) : [];
  const { created, kept, reasons } = await ensurePki(dir, { hostNames: opts.hostNames });
  for (const issuer of opts.issuers) loadIssuerKeys(dir, issuer);
  const ms = Math.round(performance.now() - started);

  out(`Test PKI in ${dir} (TEST ONLY, never use in production) — ${ms} ms`);
  if (setAsideFiles.length > 0) out(`  --force: the previous files are in ${join(dir, 'previous')}`);
  for (const file of created) out(`  created  ${file}  (${reasons[file]})`);
  if (kept.length > 0) out(`  kept     ${kept.length} file(s)${created.length === 0 ? ': nothing to do' : ''}`);
  out('SHA-256 fingerprints:');
  for (const file of certificateFiles()) {
    const path = join(dir, file);
    if (existsSync(path)) out(`  ${file.padEnd(25)} ${new X509Certificate(readFileSync(path)).fingerprint256}`);
  }
  out(`Trust ${dir}/ca.pem in clients (curl --cacert, NODE_EXTRA_CA_CERTS, browsers).`);
}

/** The certificate files of a PKI folder, in the order of certs/README.md. */
export function certificateFiles(): string[] {
  return [PKI_FILES.caCert, PKI_FILES.tlsCert, ...PKI_SYSTEMS.flatMap((s) => PKI_USES.map((u) => systemCertFile(s, u)))];
}
