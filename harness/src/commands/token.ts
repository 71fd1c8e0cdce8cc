import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, resolveFromRoot } from '../../../idp/src/config/load.js';
import { FinesseSsoClient, FinesseSsoError } from '../clients/finesse/sso-token-client.js';
import type { Command } from './command.js';

const USAGE = `idp-harness token --user <name> [options]

Signs a user in through the running lab's Finesse SSO flow (Finesse → IdS → AD FS) and prints
the access token, ready for curl:

  curl --cacert certs/ca.pem -H "Authorization: Bearer $(idp-harness token --user agent1)" \\
       https://localhost:8445/finesse/api/User/1001

options:
  -u, --user <name>       the agent's loginName or loginId (cc_username)
  -p, --password <pw>     the user's password (default: from the lab's users fixture)
      --finesse <url>     Finesse's URL (default: finesse.publicUrl, or https://localhost:8445)
      --ca <file>         CA certificate to trust (default: <certsDir>/ca.pem)
      --json              print Finesse's whole JSON answer (token, refresh_token, expires_in, …)
  -c, --config <file>     the lab's configuration file (for the defaults above)
  -h, --help              show this help`;

/** `idp-harness token`: a Finesse SSO token for a user, obtained the way a third-party desktop does. */
export const token: Command = {
  name: 'token',
  describe: 'print a Finesse SSO access token for a user (for curl)',
  usage: USAGE,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        user: { type: 'string', short: 'u' },
        password: { type: 'string', short: 'p' },
        finesse: { type: 'string' },
        ca: { type: 'string' },
        json: { type: 'boolean' },
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (!values.user) throw new Error("--user is required. Run 'idp-harness token --help'");
    const config = loadConfig({ file: values.config });
    const finesseUrl = values.finesse ?? config.finesse.publicUrl ?? `${config.tls.enabled ? 'https' : 'http'}://localhost:${config.finesse.port}`;
    const password = values.password ?? fixturePassword(resolveFromRoot(config.fixturesDir), values.user);
    const caFile = values.ca ?? join(resolveFromRoot(config.certsDir), 'ca.pem');
    const ca = finesseUrl.startsWith('https:') && existsSync(caFile) ? readFileSync(caFile, 'utf8') : undefined;
    const client = new FinesseSsoClient({ finesseUrl, username: values.user, password, ...(ca === undefined ? {} : { ca }) });
    try {
      const t = await client.acquire();
      process.stdout.write(
        values.json
          ? JSON.stringify({ token: t.token, refresh_token: t.refreshToken, expires_in: t.expiresIn, user_id: t.userId, realm: t.realm, user_principal: t.userPrincipal }, null, 2) + '\n'
          : t.token + '\n',
      );
      return 0;
    } catch (e) {
      if (e instanceof FinesseSsoError) throw new Error(`${e.message}. Is the lab running ('npm start') and is '${values.user}' an SSO agent?`);
      if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED') throw new Error(`cannot reach Finesse at ${finesseUrl}: start the lab with 'npm start' or pass --finesse`);
      throw e;
    }
  },
};

/** The fixture password of a user (the lab's defaults), so `--password` is optional against a stock lab. */
function fixturePassword(fixturesDir: string, name: string): string {
  const file = join(fixturesDir, 'users.json');
  const users = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Array<{ username: string; password: string; finesse?: { loginId: string } }>) : [];
  const u = users.find((x) => x.username.toLowerCase() === name.toLowerCase() || x.finesse?.loginId === name);
  if (!u) throw new Error(`no user '${name}' in ${file}; pass --password`);
  return u.password;
}
