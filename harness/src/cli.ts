#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { IdpError } from '../../idp/src/shared/errors.js';
import type { CommandEntry } from './commands/command.js';
import { UsageError } from './commands/usage-error.js';

const COMMANDS: readonly CommandEntry[] = [
  { name: 'up', describe: 'start the lab (all services, or --only some) and print their URLs', load: async () => (await import('./commands/up.js')).up },
  { name: 'config', describe: 'print the resolved configuration', load: async () => (await import('./commands/config.js')).config },
  { name: 'token', describe: 'print a Finesse, IdS, OIDC or CXone access token for a user (for curl)', load: async () => (await import('./commands/token.js')).token },
  {
    name: 'validate',
    describe: "check a partner IdP's SAML metadata or OIDC discovery (and sign in through CXone)",
    load: async () => (await import('./commands/validate.js')).validate,
  },
  { name: 'scenarios', describe: 'list and run the end-to-end scenarios (live report, --json, --junit)', load: async () => (await import('./commands/scenarios.js')).scenarios },
  { name: 'certs', describe: 'generate, rotate or show the test PKI (thumbprints as AD FS shows them)', load: async () => (await import('./commands/certs.js')).certs },
  {
    name: 'metadata',
    describe: "print a service's metadata or discovery document (AD FS, OIDC, IdS, CXone, Finesse)",
    load: async () => (await import('./commands/metadata.js')).metadata,
  },
];

const HELP = `idp-harness — an offline federation lab

usage: idp-harness <command> [options]

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.describe}`).join('\n')}

Run 'idp-harness <command> --help' for a command's options.
`;

/** Parses argv and runs one command; errors become one clear line and a non-zero exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  // `--print-config` alone is the documented shortcut for `config` (same error handling below).
  const entry = COMMANDS.find((c) => c.name === (name === '--print-config' ? 'config' : name));
  if (!entry) {
    process.stderr.write(`idp-harness: unknown command '${name}'. Run 'idp-harness --help' for the list.\n`);
    return 2;
  }
  const cmd = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.usage + '\n');
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof IdpError) {
      process.stderr.write(`idp-harness ${cmd.name}: ${e.code}: ${e.message}\n`);
      if (e.code === 'ERR_PKI_MISSING') process.stderr.write(`Run 'idp-harness certs generate' (or 'npm run certs') to generate the test PKI.\n`);
    } else if (e instanceof Error && (e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`idp-harness ${cmd.name}: ${e.message}: another process holds that port; stop it or set another port (--config, IDP_HARNESS__<SERVICE>__PORT).\n`);
    } else if ((e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) || e instanceof UsageError) {
      // Called wrong (bad option, missing value, unknown name): one line, exit 2.
      process.stderr.write(`idp-harness ${cmd.name}: ${e.message.replace(/\.$/, '')}. Run 'idp-harness ${cmd.name} --help'.\n`);
      return 2;
    } else {
      process.stderr.write(`idp-harness ${cmd.name}: ${(e as Error).message}\n`);
    }
    return 1;
  }
}

// Run when executed directly, also through a bin symlink (npx, node_modules/.bin), never on import.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
