import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, resolveFromRoot } from '../../../idp/src/config/load.js';
import { SERVICE_NAMES, type LabConfig } from '../../../idp/src/config/schema.js';
import { PKI_SYSTEMS, type PkiSystem } from '../../../idp/src/pki/systems.js';
import type { Command } from './command.js';
import { describeCertificate, type CertificateDescription } from './certs/describe-certificate.js';
import { certificateFiles, generatePki } from './certs/generate-pki.js';
import { ROTATE_WHAT, rotatePki, type RotateWhat } from './certs/rotate-pki.js';
import { configuredTlsNames } from './tls-names.js';
import { UsageError } from './usage-error.js';

const USAGE = `idp-harness certs <generate|rotate|show|fingerprints> [options]

The lab's test PKI (certs/README.md): a local CA, the TLS pair, and a signing and an encryption
pair per emulated system. TEST ONLY.

  certs generate [--dir <d>] [--host <name>]... [--force]
      create what is missing; reissue the TLS certificate when a host name is missing from it
      (--host, tls.hostNames and the public URLs of the configuration); --force replaces every
      file, the CA included (the old files go to <dir>/previous/)
  certs rotate --what <tls|signing|encryption|oidc|all>[,…] [--system <s>[,…]] [--ca] [--dir <d>]
      new keys and certificates for those parts (signing/encryption: of every system, or of
      --system ${PKI_SYSTEMS.join(',')}; oidc: the OpenID Providers' JWS keys); the CA is
      kept unless --ca (which also reissues TLS). The old files go to <dir>/previous/. Prints
      which services of a running lab must restart and what to give partners.
  certs show [file]... [--json]
      every certificate: subject, issuer, SANs, validity, key, signature algorithm, serial, and
      its SHA-1 / SHA-256 thumbprints (AD FS's upper-case hex and the colon form)
  certs fingerprints [file]... [--json]
      one line per certificate: the SHA-1 thumbprint as AD FS shows it and the SHA-256 one

options:
      --dir <dir>       the certs folder (default: certsDir of the configuration, ./certs)
      --host <name>     an extra TLS host name or IP address (repeatable)
      --json            machine-readable output (harness/schemas/certs-show.schema.json)
  -c, --config <file>   the lab's configuration file
  -h, --help            show this help`;

const SUBCOMMANDS = ['generate', 'rotate', 'show', 'fingerprints'] as const;

/** `idp-harness certs`: generate, rotate and inspect the lab's test PKI. */
export const certs: Command = {
  name: 'certs',
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === undefined) throw new UsageError(`say what to do: ${SUBCOMMANDS.join(', ')}`);
    if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`unknown subcommand '${sub}' (known: ${SUBCOMMANDS.join(', ')})`);
    if (sub === 'generate') return generate(rest);
    if (sub === 'rotate') return rotate(rest);
    return show(rest, sub === 'fingerprints');
  },
};

const COMMON = { dir: { type: 'string' }, config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } as const;

function folderOf(dir: string | undefined, config: LabConfig): string {
  return dir === undefined ? resolveFromRoot(config.certsDir) : resolve(dir);
}

const out = (line: string) => process.stdout.write(line + '\n');

async function generate(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { ...COMMON, host: { type: 'string', multiple: true }, force: { type: 'boolean' } } });
  const config = loadConfig({ file: values.config });
  const dir = folderOf(values.dir, config);
  const hostNames = [...(values.host ?? []), ...configuredTlsNames(config)];
  await generatePki(dir, { hostNames, issuers: config.oidc.issuers.map((i) => i.id), force: values.force === true }, out);
  return 0;
}

async function rotate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { ...COMMON, what: { type: 'string', multiple: true }, system: { type: 'string', multiple: true }, ca: { type: 'boolean' }, host: { type: 'string', multiple: true } },
  });
  const what = new Set<RotateWhat>();
  for (const w of list(values.what)) {
    if (w === 'all') ROTATE_WHAT.forEach((x) => what.add(x));
    else if ((ROTATE_WHAT as readonly string[]).includes(w)) what.add(w as RotateWhat);
    else throw new UsageError(`--what ${w}: one of ${[...ROTATE_WHAT, 'all'].join(', ')}`);
  }
  if (what.size === 0 && !values.ca) throw new UsageError('say what to rotate: --what tls|signing|encryption|oidc|all (or --ca for a new CA)');
  const systems = list(values.system);
  const unknown = systems.filter((s) => !(PKI_SYSTEMS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new UsageError(`--system ${unknown.join(',')}: one of ${PKI_SYSTEMS.join(', ')}`);
  if (systems.length > 0 && !what.has('signing') && !what.has('encryption')) throw new UsageError('--system chooses whose signing or encryption pair rotates: add --what signing or --what encryption');

  const config = loadConfig({ file: values.config });
  const dir = folderOf(values.dir, config);
  requirePki(dir);
  const result = await rotatePki(dir, {
    what,
    systems: systems.length > 0 ? (systems as PkiSystem[]) : PKI_SYSTEMS,
    ca: values.ca === true,
    hostNames: [...(values.host ?? []), ...configuredTlsNames(config)],
    issuers: config.oidc.issuers.map((i) => i.id),
    tlsServices: SERVICE_NAMES.filter((s) => (s === 'console' ? config.console.tls : config.tls.enabled)),
  });
  out(`Rotated in ${dir} (TEST ONLY); the previous files are in ${join(dir, 'previous')}:`);
  for (const name of result.replaced) {
    const fp = name.endsWith('.pem') ? `  SHA-1 ${describe(dir, name).thumbprints.sha1}` : '';
    out(`  new  ${name}${fp}`);
  }
  if (result.restart.length > 0) out(`Restart the running lab (idp-harness up) — these services read the new files at start: ${SERVICE_NAMES.filter((s) => result.restart.includes(s)).join(', ')}.`);
  for (const note of result.outside) out(`Outside the lab: ${note}.`);
  return 0;
}

async function show(argv: string[], compact: boolean): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { ...COMMON, json: { type: 'boolean' } } });
  const config = loadConfig({ file: values.config });
  const dir = folderOf(values.dir, config);
  const wanted = positionals.length > 0 ? positionals : certificateFiles();
  if (positionals.length === 0) requirePki(dir);
  const found: CertificateDescription[] = [];
  const missing: string[] = [];
  for (const name of wanted) {
    const path = existsSync(join(dir, name)) ? join(dir, name) : existsSync(name) ? resolve(name) : undefined;
    if (path === undefined) missing.push(name);
    else found.push(describe(dir, name, path));
  }
  if (values.json) out(JSON.stringify({ dir, certificates: found, missing }, null, 2));
  else if (compact) {
    const width = Math.max(...found.map((c) => c.file.length));
    out(`${'file'.padEnd(width)}  ${'SHA-1 (AD FS thumbprint)'.padEnd(40)}  SHA-256`);
    for (const c of found) out(`${c.file.padEnd(width)}  ${c.thumbprints.sha1}  ${c.thumbprints.sha256Colon}`);
  } else found.forEach((c, i) => out((i > 0 ? '\n' : '') + humanDescription(c)));
  if (missing.length > 0) {
    process.stderr.write(`idp-harness certs: missing in ${dir}: ${missing.join(', ')}; run \`idp-harness certs generate\`\n`);
    return 1;
  }
  return 0;
}

function describe(dir: string, name: string, path = join(dir, name)): CertificateDescription {
  const keyPath = path.replace(/\.pem$/, '.key');
  const key = keyPath !== path && existsSync(keyPath) ? readFileSync(keyPath, 'utf8') : undefined;
  try {
    return describeCertificate(basename(name), path, readFileSync(path, 'utf8'), key);
  } catch (e) {
    throw new Error(`${path} is not a readable certificate (${(e as Error).message}); run \`idp-harness certs generate\` to replace it`);
  }
}

function humanDescription(c: CertificateDescription): string {
  const rows: Array<[string, string]> = [
    ['subject', c.subject],
    ['issuer', c.selfSigned ? `${c.issuer} (self-signed)` : c.issuer],
    ['valid', `${c.notBefore} → ${c.notAfter} (${c.expired ? 'EXPIRED' : `${c.daysLeft} days left`})`],
    ['key', `${c.key.type}${c.key.bits ? ` ${c.key.bits}` : ''}${c.key.curve ? ` ${c.key.curve}` : ''}, signed ${c.signatureAlgorithm}${c.ca ? ', CA' : ''}`],
    ...(c.subjectAltNames.length > 0 ? [['SANs', c.subjectAltNames.join(', ')] as [string, string]] : []),
    ['serial', c.serialNumber],
    ['SHA-1', `${c.thumbprints.sha1}  (AD FS thumbprint)`],
    ['', c.thumbprints.sha1Colon],
    ['SHA-256', c.thumbprints.sha256],
    ['', c.thumbprints.sha256Colon],
    ['private key', c.privateKeyMatches === null ? 'none beside it' : c.privateKeyMatches ? 'beside it, matches' : 'beside it, DOES NOT MATCH'],
  ];
  return `${c.file}\n${rows.map(([k, v]) => `  ${k.padEnd(12)}${v}`).join('\n')}`;
}

function requirePki(dir: string): void {
  if (!existsSync(join(dir, 'ca.pem'))) throw new Error(`no test PKI in ${dir}: run \`idp-harness certs generate\`${dir === resolveFromRoot('certs') ? '' : ` --dir ${dir}`}`);
}

/** Repeatable, comma-separated option values. */
function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}
