import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveFromRoot } from '../../../idp/src/config/load.js';
import type { Command } from './command.js';
import { resolveTarget, TARGET_OPTIONS, TARGET_USAGE, type LabTarget } from './lab-target.js';
import { authenticatorMetadata } from './metadata/cxone-authenticator.js';
import { fetchDocument, parseJson } from './metadata/fetch-document.js';
import { UsageError } from './usage-error.js';

const SERVICES = ['adfs', 'oidc', 'ids', 'cxone', 'finesse'] as const;
type MetadataService = (typeof SERVICES)[number];

const USAGE = `idp-harness metadata <adfs|oidc|ids|cxone|finesse> [options]

Prints what a partner registers or a client discovers, fetched from the running lab:
  adfs      FederationMetadata.xml (signed), as AD FS publishes it
  oidc      an issuer's discovery document (--issuer <id>, default 'default'); --jwks its JWKS
  ids       Cisco IdS's SAML SP metadata (what the IdP trusts)
  cxone     CXone's OpenID provider discovery (--jwks its JWKS); with --authenticator <name|id>
            what to register at the IdP for that login authenticator: SAML SP metadata XML
            built from its entity ID and ACS URL (CXone publishes none), or OIDC client metadata
            JSON (redirect URIs, client authentication, public keys URL)
  finesse   Finesse's SystemInfo XML, read as a non-SSO user (--user/--password; default: the
            first non-SSO agent of the users fixture) or with --token <IdS access token>

options:
      --issuer <id>             oidc: which issuer
      --jwks                    oidc, cxone: the JSON Web Key Set instead of the discovery document
      --authenticator <name|id> cxone: a login authenticator
  -u, --user <name>             finesse: who reads SystemInfo (Basic)
  -p, --password <pw>           finesse: that user's password (default: from the users fixture)
      --token <token>           finesse: read it with Bearer <token> instead
  -o, --out <file>              write it to a file instead of stdout
${TARGET_USAGE}
  -h, --help                    show this help`;

/** `idp-harness metadata <service>`: a service's metadata, from the running lab. */
export const metadata: Command = {
  name: 'metadata',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        ...TARGET_OPTIONS,
        issuer: { type: 'string' },
        jwks: { type: 'boolean' },
        authenticator: { type: 'string' },
        user: { type: 'string', short: 'u' },
        password: { type: 'string', short: 'p' },
        token: { type: 'string' },
        out: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [service, ...extra] = positionals;
    if (service === undefined) throw new UsageError(`name a service: ${SERVICES.join(', ')}`);
    if (!(SERVICES as readonly string[]).includes(service)) throw new UsageError(`'${service}' has no metadata here (services: ${SERVICES.join(', ')})`);
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    const svc = service as MetadataService;
    const misplaced = (
      [
        ['issuer', 'oidc'],
        ['jwks', 'oidc or cxone'],
        ['authenticator', 'cxone'],
        ['user', 'finesse'],
        ['password', 'finesse'],
        ['token', 'finesse'],
      ] as const
    ).find(([opt, allowed]) => values[opt] !== undefined && !allowed.split(' or ').includes(svc));
    if (misplaced) throw new UsageError(`--${misplaced[0]} is for ${misplaced[1]}, not ${svc}`);
    if (values.jwks && values.authenticator) throw new UsageError('--jwks and --authenticator: choose one');

    const target = await resolveTarget(values);
    const text = await documentOf(svc, target, values);
    if (values.out) {
      writeFileSync(values.out, text);
      process.stderr.write(`idp-harness metadata: ${svc} written to ${values.out}\n`);
    } else process.stdout.write(text.endsWith('\n') ? text : text + '\n');
    return 0;
  },
};

interface MetadataOptions {
  issuer?: string | undefined;
  jwks?: boolean | undefined;
  authenticator?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
}

async function documentOf(svc: MetadataService, target: LabTarget, o: MetadataOptions): Promise<string> {
  switch (svc) {
    case 'adfs':
      return (await fetchDocument('AD FS', `${target.url('adfs')}/FederationMetadata/2007-06/FederationMetadata.xml`, target.ca)).body;
    case 'ids':
      return (await fetchDocument('Cisco IdS', `${target.url('ids')}/ids/saml/metadata`, target.ca)).body;
    case 'oidc': {
      const id = o.issuer ?? 'default';
      const issuer = target.config.oidc.issuers.find((i) => i.id === id);
      if (!issuer) throw new UsageError(`--issuer ${id}: the lab's issuers are ${target.config.oidc.issuers.map((i) => i.id).join(', ')}`);
      const base = target.url('oidc') + (issuer.path === '/' ? '' : issuer.path);
      return discoveryOrJwks(`OpenID Provider '${id}'`, `${base}/.well-known/openid-configuration`, target, o.jwks === true);
    }
    case 'cxone':
      if (o.authenticator !== undefined) return authenticatorMetadata(target, o.authenticator);
      return discoveryOrJwks("CXone's OpenID provider", `${target.url('cxone')}/.well-known/openid-configuration`, target, o.jwks === true);
    case 'finesse':
      return (await fetchDocument('Finesse', `${target.url('finesse')}/finesse/api/SystemInfo`, target.ca, { authorization: finesseAuthorization(target, o) })).body;
  }
}

async function discoveryOrJwks(what: string, url: string, target: LabTarget, jwks: boolean): Promise<string> {
  const doc = await fetchDocument(what, url, target.ca);
  if (!jwks) return doc.body;
  const jwksUri = parseJson(doc)['jwks_uri'];
  if (typeof jwksUri !== 'string') throw new Error(`${url} names no jwks_uri`);
  return (await fetchDocument(`${what} JWKS`, jwksUri, target.ca)).body;
}

interface FixtureUser {
  username: string;
  password: string;
  finesse?: { loginId: string; sso?: boolean };
}

/** Finesse REST credentials: Bearer with --token, else Basic for a non-SSO agent (Finesse Dev Guide: SSO agents use Bearer). */
function finesseAuthorization(target: LabTarget, o: MetadataOptions): string {
  if (o.token !== undefined) return `Bearer ${o.token}`;
  const file = join(resolveFromRoot(target.local.fixturesDir), 'users.json');
  const users = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as FixtureUser[]) : [];
  const user =
    o.user === undefined
      ? users.find((u) => u.finesse?.sso === false)
      : users.find((u) => u.username.toLowerCase() === o.user!.toLowerCase() || u.finesse?.loginId === o.user);
  const name = o.user ?? user?.username;
  const password = o.password ?? user?.password;
  if (name === undefined || password === undefined) {
    throw new UsageError(o.user === undefined ? `no non-SSO agent in ${file}: pass --user and --password, or --token` : `no user '${o.user}' in ${file}: pass --password`);
  }
  return `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
}
