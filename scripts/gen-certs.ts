/**
 * Generates the lab's test PKI (certs/README.md): only what is missing, so it is safe to run any
 * time. Usage: node dist/scripts/gen-certs.js [--dir <dir>] [--host <name>]...
 */
import { X509Certificate } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensurePki } from '../idp/src/pki/generate.js';
import { loadPki } from '../idp/src/pki/load.js';
import { OidcConfigSchema } from '../idp/src/config/schema.js';
import { loadIssuerKeys } from '../idp/src/oidc/keys/signing-keys.js';
import { PKI_SYSTEMS, PKI_USES } from '../idp/src/pki/systems.js';
import { defaultCertsDir } from '../idp/src/shared/paths.js';

const USAGE = `Usage: gen-certs [--dir <dir>] [--host <name>]...
  --dir   where the PKI lives (default: ${defaultCertsDir})
  --host  an extra TLS host name or IP address (repeatable)`;

export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        dir: { type: 'string' },
        host: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    out(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const dir = resolve(values.dir ?? defaultCertsDir);
  const started = performance.now();
  const { created, kept, reasons } = await ensurePki(dir, { hostNames: values.host ?? [] });
  // The default OpenID Providers' signing keys (others are made when their issuer first starts).
  for (const issuer of OidcConfigSchema.parse({}).issuers) loadIssuerKeys(dir, issuer.id);
  const ms = Math.round(performance.now() - started);

  out(`Test PKI in ${dir} (TEST ONLY, never use in production) — ${ms} ms`);
  for (const file of created) out(`  created  ${file}  (${reasons[file]})`);
  if (kept.length > 0) out(`  kept     ${kept.length} file(s)${created.length === 0 ? ': nothing to do' : ''}`);

  const pki = loadPki(dir);
  out('SHA-256 fingerprints:');
  out(`  ${'ca.pem'.padEnd(25)} ${new X509Certificate(pki.caPem).fingerprint256}`);
  out(`  ${'tls.pem'.padEnd(25)} ${new X509Certificate(pki.tls.certPem).fingerprint256}`);
  for (const system of PKI_SYSTEMS) {
    for (const use of PKI_USES) out(`  ${`${system}-${use}.pem`.padEnd(25)} ${pki.systems[system][use].fingerprintSha256}`);
  }
  out(`Trust ${dir}/ca.pem in clients (curl --cacert, NODE_EXTRA_CA_CERTS, browsers).`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
