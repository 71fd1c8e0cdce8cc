import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceName } from '../../../../idp/src/config/schema.js';
import { loadIssuerKeys } from '../../../../idp/src/oidc/keys/signing-keys.js';
import { ensurePki } from '../../../../idp/src/pki/generate.js';
import { PKI_FILES, systemCertFile, systemKeyFile, type PkiSystem, type PkiUse } from '../../../../idp/src/pki/systems.js';
import { SYSTEM_PAIR_CONSUMERS, SYSTEM_PAIR_OUTSIDE } from './pki-consumers.js';
import { setAside } from './set-aside.js';

export const ROTATE_WHAT = ['tls', 'signing', 'encryption', 'oidc'] as const;
export type RotateWhat = (typeof ROTATE_WHAT)[number];

export interface RotateOptions {
  what: ReadonlySet<RotateWhat>;
  /** The systems whose signing / encryption pairs rotate. */
  systems: readonly PkiSystem[];
  /** A new CA too (and so a new TLS pair). */
  ca: boolean;
  /** Extra TLS host names, beyond the ones the current certificate carries. */
  hostNames: string[];
  /** OpenID Provider issuers (ids) whose keys rotate with `oidc`, beside those already in the folder. */
  issuers: string[];
  /** The services served over TLS (they read the CA and TLS pairs). */
  tlsServices: readonly ServiceName[];
}

export interface RotateResult {
  /** Files and folders replaced (the old ones are in `<dir>/previous/`). */
  replaced: string[];
  /** Services of a running lab that must restart to use the new files. */
  restart: ServiceName[];
  /** What to do outside the lab. */
  outside: string[];
}

/**
 * New keys and certificates for the chosen parts of the PKI, the CA kept unless asked. The old
 * files are set aside in `previous/` and the generator makes the missing ones, so a new TLS
 * certificate carries the same host names as the one it replaces (plus `hostNames`).
 */
export async function rotatePki(dir: string, o: RotateOptions): Promise<RotateResult> {
  const names: string[] = [];
  const restart = new Set<ServiceName>();
  const outside = new Set<string>();
  const tls = o.ca || o.what.has('tls');
  if (o.ca) {
    names.push(PKI_FILES.caKey, PKI_FILES.caCert);
    outside.add("every client must trust the new ca.pem (curl --cacert, NODE_EXTRA_CA_CERTS, browsers)");
  }
  if (tls) {
    names.push(PKI_FILES.tlsKey, PKI_FILES.tlsCert);
    o.tlsServices.forEach((s) => restart.add(s));
  }
  for (const use of ['signing', 'encryption'] as const satisfies readonly PkiUse[]) {
    if (!o.what.has(use)) continue;
    for (const system of o.systems) {
      names.push(systemKeyFile(system, use), systemCertFile(system, use));
      SYSTEM_PAIR_CONSUMERS[system][use].forEach((s) => restart.add(s));
      const note = SYSTEM_PAIR_OUTSIDE[system];
      if (note) outside.add(note);
    }
  }
  const issuers = o.what.has('oidc') ? [...new Set([...issuerDirs(dir), ...o.issuers])] : [];
  if (issuers.length > 0) {
    names.push(...issuers.map((id) => join('oidc', id)));
    restart.add('oidc');
    outside.add("relying parties of the OpenID Providers must fetch the issuers' JWKS again");
  }
  const keepNames = tls ? [...tlsNamesOf(dir), ...o.hostNames] : o.hostNames;
  const replaced = await setAside(dir, names);
  await ensurePki(dir, { hostNames: keepNames });
  for (const id of issuers) loadIssuerKeys(dir, id);
  return { replaced, restart: [...restart], outside: [...outside] };
}

function issuerDirs(dir: string): string[] {
  const oidc = join(dir, 'oidc');
  return existsSync(oidc) ? readdirSync(oidc, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];
}

/** The DNS names and IP addresses of the current TLS certificate, to carry over. */
function tlsNamesOf(dir: string): string[] {
  try {
    const cert = new X509Certificate(readFileSync(join(dir, PKI_FILES.tlsCert)));
    return (cert.subjectAltName ?? '')
      .split(', ')
      .map((e) => /^(?:DNS|IP Address):(.*)$/.exec(e)?.[1])
      .filter((v): v is string => v !== undefined && !v.startsWith('"'));
  } catch {
    return [];
  }
}
