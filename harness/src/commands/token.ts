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
    const usersFile = join(resolveFromRoot(config.fixturesDir), 'users.json');
    const fixture = fixtureUser(usersFile, values.user);
    const password = values.password ?? fixture?.password;
    if (password === undefined) throw new Error(`no user '${values.user}' in ${usersFile}; pass --password`);
    const caFile = values.ca ?? join(resolveFromRoot(config.certsDir), 'ca.pem');
    const ca = finesseUrl.startsWith('https:') && existsSync(caFile) ? readFileSync(caFile, 'utf8') : undefined;
    // `--user 1001` (a loginId) is a fine cc_username, but AD FS's form wants the account name.
    const signInName = fixture && fixture.username.toLowerCase() !== values.user.toLowerCase() ? fixture.username : undefined;
    const client = new FinesseSsoClient({
      finesseUrl,
      username: values.user,
      password,
      ...(signInName === undefined ? {} : { signInName }),
      ...(ca === undefined ? {} : { ca }),
    });
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
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (UNREACHABLE.has(code)) throw new Error(`cannot reach Finesse at ${finesseUrl} (${code}): start the lab with 'npm start' or pass --finesse`);
      if (UNTRUSTED.has(code)) throw new Error(`Finesse's TLS certificate at ${finesseUrl} is not trusted (${code}): pass --ca <the lab's certs/ca.pem>`);
      throw e;
    }
  },
};

/** Socket errors that mean nothing answers at that address. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);
/** TLS errors of a certificate that does not chain to a trusted CA (the lab CA not given). */
const UNTRUSTED = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

/**
 * A user of the lab's users fixture, by loginName or loginId: its password is the default of
 * `--password` against a stock lab, its name what the IdP's form takes.
 */
function fixtureUser(file: string, name: string): { username: string; password: string } | undefined {
  const users = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Array<{ username: string; password: string; finesse?: { loginId: string } }>) : [];
  return users.find((x) => x.username.toLowerCase() === name.toLowerCase() || x.finesse?.loginId === name);
}
