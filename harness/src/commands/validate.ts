import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { UsageError } from './usage-error.js';
import { runLive } from '../validate/live/run-live.js';
import type { LiveOptions } from '../validate/live/live-options.js';
import { oidcPlan } from '../validate/live/oidc-plan.js';
import { samlPlan } from '../validate/live/saml-plan.js';
import { discoveryUrlOf, str } from '../validate/oidc/discovery-document.js';
import { validateOidcDiscovery } from '../validate/oidc/validate-discovery.js';
import { InputError, isUrl, readSource } from '../validate/read-input.js';
import { renderTable } from '../validate/render-table.js';
import { buildReport, exitCodeOf, Findings, type DocumentKind, type LiveReport, type RuleResult, type Target } from '../validate/report.js';
import { MAX_METADATA_BYTES } from '../validate/saml/read-metadata.js';
import { validateSamlMetadata } from '../validate/saml/validate-metadata.js';

const USAGE = `idp-harness validate --saml-metadata <file|URL> | --oidc-discovery <URL|file> [options]

Checks a partner's identity provider before it meets CXone or Cisco IdS: certificates (expiry,
key size, algorithm), endpoints and bindings, NameID formats, signing options, PKCE and client
authentication, the metadata signature and the JWKS, and with --ficam the FICAM / iGov rules.
Prints each rule as pass, WARN or FAIL with why and what to do.

options:
      --saml-metadata <file|URL>   the IdP's SAML 2.0 metadata (e.g. AD FS FederationMetadata.xml)
      --oidc-discovery <URL|file>  the OpenID Provider's discovery URL (or issuer URL), or a saved copy
      --entity-id <id>             which IdP, when the metadata holds several
      --target cxone|ids           what the IdP is for: that product's requirements become failures
      --ficam                      apply the FICAM SAML profile / iGov OIDC rules too
      --ca <pem>                   CA certificate(s) to trust besides the public roots (repeatable;
                                   the lab's is certs/ca.pem)
      --json                       print the report as JSON (harness/schemas/validate-report.schema.json)
  -h, --help                       show this help

live sign-in test through the lab's CXone (creates a temporary login authenticator, then removes it):
      --live                       run it
      --lab <console URL>          the running lab's console, e.g. http://localhost:9000
      --user <name>                the CXone user to sign in as (an existing one is reassigned for
                                   the test and restored; an unknown one is created and deleted)
      --password <pw>              the user's password at the IdP
      --idp-user <name>            the name to type at the IdP (default: --user)
      --external-identity <value>  the user's External Identity for the test (default: SAML the
                                   user's e-mail, OIDC claim(email):<e-mail>)
      --client-id <id>             OIDC, a partner OP: the client registered there for CXone
      --client-secret <secret>     … its secret
      --client-auth <method>       client_secret_basic (default), client_secret_post, private_key_jwt
      --acr <value>                OIDC with --ficam: the acr value to request
      --keep                       keep the authenticator, so the entity ID / ACS or redirect URI
                                   registered at a partner IdP stays valid for the next run

Against the lab's own AD FS or OP the values CXone generates are registered automatically. A
partner IdP must register them first: run with --live --keep, register what it prints, run again.

exit status: 0 no rule failed (warnings allowed), 1 a rule failed, 2 usage error or unreadable input`;

const CLIENT_AUTH = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
const MAX_DISCOVERY_BYTES = 256 * 1024;

interface ValidateArgs {
  kind: DocumentKind;
  source: string;
  entityId: string | undefined;
  target: Target | undefined;
  ficam: boolean;
  ca: string[];
  json: boolean;
  live: LiveOptions | undefined;
}

/** `idp-harness validate`: the partner IdP validator. */
export const validate: Command = {
  name: 'validate',
  usage: USAGE,
  async run(argv) {
    // A bad command line throws UsageError (or parseArgs' TypeError): the CLI prints one line, exit 2.
    const args = parse(argv);
    try {
      const report = args.kind === 'saml-metadata' ? await validateSaml(args) : await validateOidc(args);
      process.stdout.write(args.json ? JSON.stringify(report, null, 2) + '\n' : renderTable(report));
      return exitCodeOf(report);
    } catch (e) {
      if (e instanceof InputError) {
        process.stderr.write(`idp-harness validate: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  },
};

function parse(argv: string[]): ValidateArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      'saml-metadata': { type: 'string' },
      'oidc-discovery': { type: 'string' },
      'entity-id': { type: 'string' },
      target: { type: 'string' },
      ficam: { type: 'boolean' },
      ca: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      live: { type: 'boolean' },
      lab: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      'idp-user': { type: 'string' },
      'external-identity': { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'client-auth': { type: 'string' },
      acr: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const saml = values['saml-metadata'];
  const oidc = values['oidc-discovery'];
  if ((saml === undefined) === (oidc === undefined)) throw new UsageError('give exactly one of --saml-metadata <file|URL> and --oidc-discovery <URL|file>');
  const target = values.target;
  if (target !== undefined && target !== 'cxone' && target !== 'ids') throw new UsageError(`--target must be cxone or ids, not '${target}'`);
  if (target === 'ids' && oidc !== undefined) throw new UsageError('--target ids applies to SAML metadata only (Cisco IdS federates over SAML 2.0)');
  if (values['entity-id'] !== undefined && saml === undefined) throw new UsageError('--entity-id applies to --saml-metadata only');
  const clientAuth = values['client-auth'];
  if (clientAuth !== undefined && !(CLIENT_AUTH as readonly string[]).includes(clientAuth)) throw new UsageError(`--client-auth must be one of ${CLIENT_AUTH.join(', ')}`);
  const ca = (values.ca ?? []).map(readCa);
  const liveOnly = ['lab', 'user', 'password', 'idp-user', 'external-identity', 'client-id', 'client-secret', 'client-auth', 'acr', 'keep'] as const;
  let live: LiveOptions | undefined;
  if (values.live) {
    if (target === 'ids') throw new UsageError('--live signs in through the lab’s CXone; it does not combine with --target ids');
    const missing = (['lab', 'user', 'password'] as const).filter((k) => values[k] === undefined);
    if (missing.length > 0) throw new UsageError(`--live needs ${missing.map((k) => `--${k}`).join(', ')}`);
    if (!isUrl(values.lab!)) throw new UsageError(`--lab must be the lab console's http(s) URL, e.g. http://localhost:9000, not '${values.lab}'`);
    live = {
      lab: values.lab!,
      user: values.user!,
      password: values.password!,
      idpUser: values['idp-user'],
      externalIdentity: values['external-identity'],
      clientId: values['client-id'],
      clientSecret: values['client-secret'],
      clientAuth: clientAuth as LiveOptions['clientAuth'],
      acr: values.acr,
      ficam: values.ficam === true,
      keep: values.keep === true,
      ca,
    };
  } else {
    const stray = liveOnly.filter((k) => values[k] !== undefined);
    if (stray.length > 0) throw new UsageError(`${stray.map((k) => `--${k}`).join(', ')} only work with --live`);
  }
  return {
    kind: saml !== undefined ? 'saml-metadata' : 'oidc-discovery',
    source: (saml ?? oidc)!,
    entityId: values['entity-id'],
    target: target as Target | undefined,
    ficam: values.ficam === true,
    ca,
    json: values.json === true,
    live,
  };
}

function readCa(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--ca ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca ${file}: not a PEM certificate file (no BEGIN CERTIFICATE)`);
  return text;
}

async function validateSaml(a: ValidateArgs) {
  const now = Date.now();
  const { text } = await readSource(a.source, { ca: a.ca, maxBytes: MAX_METADATA_BYTES, what: 'SAML metadata' });
  const v = validateSamlMetadata(text, { target: a.target, ficam: a.ficam, now, entityId: a.entityId });
  let liveReport: LiveReport | undefined;
  const rules: RuleResult[] = [...v.rules];
  if (a.live) {
    const findings = new Findings();
    if (!v.metadata || !v.uploadCertificate || v.metadata.sso.length === 0) {
      findings.fail('live.sign-in', 'Not run: the metadata has no usable IdP, signing certificate or SingleSignOnService (see above).', { code: 'ERR_VALIDATE_LIVE_NOT_RUN' });
    } else {
      liveReport = await runLive(samlPlan(v.metadata, v.uploadCertificate, a.live), a.live, findings);
    }
    rules.push(...findings.results);
  }
  return buildReport({ kind: a.kind, source: a.source, target: a.target, ficam: a.ficam, now, rules, ...(liveReport ? { live: liveReport } : {}) });
}

async function validateOidc(a: ValidateArgs) {
  const now = Date.now();
  let url: string | undefined;
  if (isUrl(a.source)) {
    try {
      url = discoveryUrlOf(a.source);
    } catch {
      throw new InputError(`'${a.source}' is not a URL; give the discovery URL or the issuer URL.`);
    }
  }
  const { text } = await readSource(url ?? a.source, { ca: a.ca, maxBytes: MAX_DISCOVERY_BYTES, what: 'an OpenID Provider configuration' });
  const v = await validateOidcDiscovery(text, url, { target: a.target, ficam: a.ficam, now, ca: a.ca });
  const rules: RuleResult[] = [...v.rules];
  let liveReport: LiveReport | undefined;
  if (a.live) {
    const findings = new Findings();
    const d = v.discovery;
    if (!d || !str(d, 'issuer') || !str(d, 'authorization_endpoint') || !str(d, 'token_endpoint') || !str(d, 'jwks_uri')) {
      findings.fail('live.sign-in', 'Not run: the document lacks the issuer or an endpoint CXone needs (see above).', { code: 'ERR_VALIDATE_LIVE_NOT_RUN' });
    } else {
      const issuer = str(d, 'issuer')!;
      const plan = oidcPlan(d, url, a.live, (access) => access.oidcIssuers.find((i) => i.url === issuer.replace(/\/+$/, '')));
      liveReport = await runLive(plan, a.live, findings);
    }
    rules.push(...findings.results);
  }
  return buildReport({ kind: a.kind, source: a.source, target: a.target, ficam: a.ficam, now, rules, ...(liveReport ? { live: liveReport } : {}) });
}
