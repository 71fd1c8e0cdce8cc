import { parseArgs } from 'node:util';
import { FinesseSsoError } from '../clients/finesse/sso-token-client.js';
import { TOKEN_KINDS, TokenRequestError, type MintedToken, type TokenKind } from '../tokens/minted-token.js';
import { SignInError } from '../tokens/sign-in-browser.js';
import type { Command } from './command.js';
import { resolveTarget, TARGET_OPTIONS, TARGET_USAGE } from './lab-target.js';
import { explainNetworkError, networkCode } from './net-errors.js';
import { mintCxone, mintFinesse, mintIds, mintOidc, type TokenArgs } from './token-kinds.js';
import { UsageError } from './usage-error.js';

const USAGE = `idp-harness token --user <name> [--kind finesse|ids|oidc|cxone] [options]

Signs a user in through the running lab, the way a real client does, and prints the access token,
ready for curl:

  curl --cacert certs/ca.pem -H "Authorization: Bearer $(idp-harness token --user agent1)" \\
       https://localhost:8445/finesse/api/User/1001

kinds:
  finesse  (default) Finesse's SSO token API: Finesse → IdS → AD FS sign-in; prints \`token\`
           (an IdS access token issued to Finesse's IdS client)
  ids      Cisco IdS's OAuth server directly, as another IdS client (--client, default the first
           IdS client that is not Finesse's): /ids/v1/oauth/authorize → AD FS → /ids/v1/oauth/token
  oidc     the lab's OpenID provider (--issuer), code flow + PKCE S256 for a fixture client
           (--client, default sample-web; scripted sign-in and consent), or client_credentials
           for a client without a user (e.g. --client sample-service, no --user)
  cxone    CXone's OpenID provider: a CXone user's code flow + PKCE through /login (System
           password, or the SAML / OIDC IdP of their login authenticator; --client default
           cxone-sample-web), or the access-key password grant (--access-key <id>, or a user
           whose only credential is an access key; --client default cxone-backend)

options:
      --kind <kind>          finesse, ids, oidc or cxone (default finesse)
  -u, --user <name>          who signs in: loginName or loginId (finesse), user name or UPN
                             (ids, oidc), CXone user name (cxone)
  -p, --password <pw>        the password the sign-in asks for (default: the lab's users
                             fixtures); with --access-key, the access key's secret
      --client <id>          the client or application (ids, oidc, cxone)
      --secret <secret>      its secret (default: from the fixtures, or the lab with --lab)
      --redirect-uri <url>   one of its registered redirect URIs (default: the first)
      --issuer <id>          oidc: which issuer (default: the client's, else 'default')
      --scope <scope>        the scope to ask for (default: openid)
      --access-key <id>      cxone: the access-key password grant
      --id-token             print the ID token instead (oidc, cxone)
      --json                 print the service's whole token answer as JSON
      --finesse <url>        Finesse's URL (default: from --lab or the configuration)
${TARGET_USAGE}
  -h, --help                 show this help`;

/** `idp-harness token`: a Finesse, IdS, OIDC or CXone token for a user, for curl. */
export const token: Command = {
  name: 'token',
  usage: USAGE,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        ...TARGET_OPTIONS,
        kind: { type: 'string' },
        user: { type: 'string', short: 'u' },
        password: { type: 'string', short: 'p' },
        client: { type: 'string' },
        secret: { type: 'string' },
        'redirect-uri': { type: 'string' },
        issuer: { type: 'string' },
        scope: { type: 'string' },
        'access-key': { type: 'string' },
        'id-token': { type: 'boolean' },
        json: { type: 'boolean' },
        finesse: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const kind = (values.kind ?? 'finesse') as TokenKind;
    if (!TOKEN_KINDS.includes(kind)) throw new UsageError(`--kind ${values.kind}: one of ${TOKEN_KINDS.join(', ')}`);
    checkOptionsFit(kind, values);
    if (values.json && values['id-token']) throw new UsageError('--json and --id-token: choose one');
    const target = await resolveTarget(values);
    const args: TokenArgs = {
      target,
      user: values.user,
      password: values.password,
      client: values.client,
      secret: values.secret,
      redirectUri: values['redirect-uri'],
      issuer: values.issuer,
      scope: values.scope,
      accessKey: values['access-key'],
      finesseUrl: values.finesse,
    };
    const minted = await explained(kind, args);
    if (values.json) process.stdout.write(JSON.stringify(minted.response, null, 2) + '\n');
    else if (values['id-token']) {
      if (minted.idToken === undefined) throw new Error(`no ID token in ${kind}'s answer (a client_credentials or access-key grant without the openid scope has none)`);
      process.stdout.write(minted.idToken + '\n');
    } else process.stdout.write(minted.accessToken + '\n');
    return 0;
  },
};

/** Options that mean nothing for a kind are refused rather than silently ignored. */
function checkOptionsFit(kind: TokenKind, v: Record<string, unknown>): void {
  const only: Array<[string, readonly TokenKind[]]> = [
    ['client', ['ids', 'oidc', 'cxone']],
    ['secret', ['oidc', 'cxone']],
    ['redirect-uri', ['ids', 'oidc', 'cxone']],
    ['issuer', ['oidc']],
    ['scope', ['oidc', 'cxone']],
    ['access-key', ['cxone']],
    ['id-token', ['oidc', 'cxone']],
    ['finesse', ['finesse']],
  ];
  for (const [opt, kinds] of only) {
    if (v[opt] !== undefined && !kinds.includes(kind)) throw new UsageError(`--${opt} is for --kind ${kinds.join(' or ')}, not ${kind}`);
  }
}

async function explained(kind: TokenKind, args: TokenArgs): Promise<MintedToken> {
  try {
    switch (kind) {
      case 'finesse':
        return await mintFinesse(args);
      case 'ids':
        return await mintIds(args);
      case 'oidc':
        return await mintOidc(args);
      case 'cxone':
        return await mintCxone(args);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof FinesseSsoError) throw new Error(`${e.message}. Is the lab running ('idp-harness up') and is '${args.user}' an SSO agent with that password?`);
    if (e instanceof SignInError || e instanceof TokenRequestError) throw new Error(`${e.message}. Check --user / --password (and --client), or sign in by hand to see the page.`);
    if (networkCode(e) !== undefined) throw explainNetworkError(e, kind === 'finesse' ? 'Finesse' : kind === 'ids' ? 'Cisco IdS' : kind === 'cxone' ? 'CXone' : 'the OpenID provider', (e as { url?: string }).url ?? 'its URL');
    throw e;
  }
}
