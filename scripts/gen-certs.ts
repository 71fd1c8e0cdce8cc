/**
 * Generates the lab's test PKI (certs/README.md): only what is missing, so it is safe to run any
 * time. Usage: node dist/scripts/gen-certs.js [--dir <dir>] [--host <name>]...
 * A thin wrapper of `idp-harness certs generate` (harness/src/commands/certs/generate-pki.ts) that
 * reads no configuration: the compose file's one-shot `certs` service and `npm run certs` run it.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generatePki } from '../harness/src/commands/certs/generate-pki.js';
import { OidcConfigSchema } from '../idp/src/config/schema.js';
import { defaultCertsDir } from '../idp/src/shared/paths.js';

const USAGE = `Usage: gen-certs [--dir <dir>] [--host <name>]...
  --dir   where the PKI lives (default: ${defaultCertsDir})
  --host  an extra TLS host name or IP address (repeatable)
(the same as \`idp-harness certs generate\`, without reading the lab's configuration)`;

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
  // The default OpenID Providers' signing keys too (others are made when their issuer first starts).
  const issuers = OidcConfigSchema.parse({}).issuers.map((i) => i.id);
  await generatePki(dir, { hostNames: values.host ?? [], issuers }, out);
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
