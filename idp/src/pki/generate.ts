import {
  X509Certificate,
  createPrivateKey,
  generateKeyPair,
  randomBytes,
  sign as cryptoSign,
  type KeyObject,
} from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { IdpError } from '../shared/errors.js';
import {
  COMPOSE_SERVICE_NAMES,
  PKI_FILES,
  PKI_SYSTEMS,
  PKI_USES,
  allPkiFiles,
  systemCertCommonName,
  systemCertFile,
  systemKeyFile,
  type PkiSystem,
  type PkiUse,
} from './systems.js';

/**
 * The lab's test PKI, generated on demand (certs/README.md says what each file is for).
 *
 * `ensurePki` is idempotent: it inspects the folder, creates only what is missing or unusable, and
 * on a complete folder writes nothing at all. Keys come from node:crypto (async, all in parallel;
 * node-forge keygen is far slower); certificates are assembled with node-forge and signed with
 * node:crypto. Every file is written to a temporary name and renamed into place, and a lock file
 * keeps concurrent runs (two test processes on a fresh clone) from interleaving their pairs.
 */

export interface EnsurePkiOptions {
  /** Extra TLS host names (DNS names or IP addresses) beyond localhost and the compose services. */
  hostNames?: string[];
}

export interface EnsurePkiResult {
  /** Files written by this run, in a stable order. */
  created: string[];
  /** Files that were already fine and were left untouched. */
  kept: string[];
  /** Why each created file was (re)generated. */
  reasons: Record<string, string>;
}

export const CA_SUBJECT = { commonName: 'idp-harness Local Test CA', organization: 'idp-harness (TEST ONLY)' } as const;
export const TLS_COMMON_NAME = 'localhost';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Clock-skew allowance: every certificate's notBefore is this far in the past. */
export const BACKDATE_MS = HOUR_MS;
export const CA_VALIDITY_YEARS = 10;
/** Browsers reject leaf certificates valid for more than 398 days. */
export const TLS_VALIDITY_DAYS = 397;
/** AD FS `CertificateDuration` default. */
export const TOKEN_CERT_VALIDITY_DAYS = 365;
/** A certificate this close to its notAfter is treated as expired and re-issued. */
const RENEW_MARGIN_MS = DAY_MS;

const LOCK_FILE = '.ensure-pki.lock';
const LOCK_STALE_MS = 120_000;
const LOCK_TIMEOUT_MS = 180_000;

const generateKeyPairAsync = promisify(generateKeyPair);

// --- what is required ---------------------------------------------------------------------------

interface TlsNames {
  dns: string[];
  /** Canonical hex of each address's bytes → the text form, for display. */
  ips: Map<string, string>;
}

/** localhost, 127.0.0.1, ::1, the compose services and the extra host names, normalized. */
export function requiredTlsNames(hostNames: readonly string[] = []): TlsNames {
  const dns = new Set<string>(['localhost', ...COMPOSE_SERVICE_NAMES]);
  const ips = new Map<string, string>();
  for (const ip of ['127.0.0.1', '::1']) ips.set(ipBytes(ip)!.toString('hex'), ip);
  const invalid: string[] = [];
  for (const raw of hostNames) {
    const name = raw.trim().replace(/^\[(.*)\]$/, '$1');
    const bytes = ipBytes(name);
    if (bytes) ips.set(bytes.toString('hex'), name);
    else if (isDnsName(name)) dns.add(name.toLowerCase().replace(/\.$/, ''));
    else invalid.push(raw);
  }
  if (invalid.length > 0) {
    throw new IdpError('ERR_CONFIG_INVALID', `Invalid TLS host name(s): ${invalid.map((h) => JSON.stringify(h)).join(', ')}`, {
      status: 500,
      details: { hostNames: invalid },
    });
  }
  return { dns: [...dns], ips };
}

const DNS_LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i;

function isDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.replace(/\.$/, '').split('.');
  const wildcardOk = labels.length > 1;
  return labels.every((label, i) => (i === 0 && label === '*' && wildcardOk) || DNS_LABEL.test(label));
}

/** The 4 or 16 network-order bytes of an IP address, or null when `ip` is not one. */
export function ipBytes(ip: string): Buffer | null {
  const version = isIP(ip);
  if (version === 4) return Buffer.from(ip.split('.').map(Number));
  if (version !== 6 || ip.includes('%')) return null;
  let text = ip;
  if (text.includes('.')) {
    // IPv4-suffixed form (::ffff:192.0.2.1): turn the dotted quad into two hex groups
    const cut = text.lastIndexOf(':') + 1;
    const [a, b, c, d] = text.slice(cut).split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, cut)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...zeros, ...tailGroups];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** The DNS names and IP addresses (canonical hex) of a certificate's subjectAltName. */
function sanOf(cert: X509Certificate): { dns: Set<string>; ips: Set<string> } {
  const dns = new Set<string>();
  const ips = new Set<string>();
  for (const entry of (cert.subjectAltName ?? '').split(', ')) {
    const m = /^(DNS|IP Address):(.*)$/.exec(entry);
    if (!m) continue;
    let value = m[2]!;
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        continue;
      }
    }
    if (m[1] === 'DNS') dns.add(value.toLowerCase());
    else {
      const bytes = ipBytes(value);
      if (bytes) ips.add(bytes.toString('hex'));
    }
  }
  return { dns, ips };
}

// --- inspecting what is there -------------------------------------------------------------------

type Task =
  | { kind: 'ca'; reason: string }
  | { kind: 'tls'; reason: string }
  | { kind: 'system'; system: PkiSystem; use: PkiUse; reason: string };

function taskFiles(task: Task): string[] {
  switch (task.kind) {
    case 'ca':
      return [PKI_FILES.caKey, PKI_FILES.caCert];
    case 'tls':
      return [PKI_FILES.tlsKey, PKI_FILES.tlsCert];
    case 'system':
      return [systemKeyFile(task.system, task.use), systemCertFile(task.system, task.use)];
  }
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

interface ParsedPair {
  key: KeyObject;
  cert: X509Certificate;
}

/** A key + certificate pair, or why it cannot be used as it is. */
async function inspectPair(dir: string, keyFile: string, certFile: string, now: number): Promise<ParsedPair | string> {
  const [keyPem, certPem] = await Promise.all([readOptional(join(dir, keyFile)), readOptional(join(dir, certFile))]);
  const missing = [keyPem === null ? keyFile : null, certPem === null ? certFile : null].filter(Boolean);
  if (missing.length > 0) return `missing ${missing.join(' and ')}`;
  let key: KeyObject;
  let cert: X509Certificate;
  try {
    key = createPrivateKey(keyPem!);
  } catch {
    return `${keyFile} is not a readable private key`;
  }
  try {
    cert = new X509Certificate(certPem!);
  } catch {
    return `${certFile} is not a readable certificate`;
  }
  if (key.asymmetricKeyType !== 'rsa') return `${keyFile} is not an RSA key`;
  if (!cert.checkPrivateKey(key)) return `${certFile} does not match ${keyFile}`;
  if (Date.parse(cert.validTo) - RENEW_MARGIN_MS <= now) return `${certFile} expired (${cert.validTo})`;
  return { key, cert };
}

interface Plan {
  tasks: Task[];
  /** The CA as it stands when it is kept (needed to sign a new TLS certificate). */
  ca: ParsedPair | null;
}

async function plan(dir: string, names: TlsNames, now: number): Promise<Plan> {
  const tasks: Task[] = [];
  const ca = await inspectPair(dir, PKI_FILES.caKey, PKI_FILES.caCert, now);
  const caOk = typeof ca !== 'string' && ca.cert.ca ? ca : null;
  if (!caOk) tasks.push({ kind: 'ca', reason: typeof ca === 'string' ? ca : `${PKI_FILES.caCert} is not a CA certificate` });

  const tls = await inspectPair(dir, PKI_FILES.tlsKey, PKI_FILES.tlsCert, now);
  if (typeof tls === 'string') tasks.push({ kind: 'tls', reason: tls });
  else if (!caOk) tasks.push({ kind: 'tls', reason: 'the CA is being regenerated' });
  else if (!tls.cert.checkIssued(caOk.cert) || !tls.cert.verify(caOk.cert.publicKey)) {
    tasks.push({ kind: 'tls', reason: `${PKI_FILES.tlsCert} is not signed by ${PKI_FILES.caCert}` });
  } else {
    const have = sanOf(tls.cert);
    const lacking = [
      ...names.dns.filter((d) => !have.dns.has(d)),
      ...[...names.ips].filter(([hex]) => !have.ips.has(hex)).map(([, text]) => text),
    ];
    if (lacking.length > 0) tasks.push({ kind: 'tls', reason: `${PKI_FILES.tlsCert} lacks SAN ${lacking.join(', ')}` });
  }

  const systemChecks = PKI_SYSTEMS.flatMap((system) =>
    PKI_USES.map(async (use) => {
      const r = await inspectPair(dir, systemKeyFile(system, use), systemCertFile(system, use), now);
      return typeof r === 'string' ? ({ kind: 'system', system, use, reason: r } as const) : null;
    }),
  );
  for (const t of await Promise.all(systemChecks)) if (t) tasks.push(t);
  return { tasks, ca: caOk };
}

// --- certificates -------------------------------------------------------------------------------

type NameAttr = { shortName: 'CN' | 'O'; value: string };

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** PrintableString when the value allows it, UTF8String otherwise (what .NET and Windows do). */
function toForgeAttrs(attrs: readonly NameAttr[]): forge.pki.CertificateField[] {
  return attrs.map(({ shortName, value }) => ({
    shortName,
    value,
    // (@types/node-forge mistypes valueTagClass as asn1.Class; forge reads it as an asn1.Type)
    valueTagClass: (PRINTABLE.test(value) ? forge.asn1.Type.PRINTABLESTRING : forge.asn1.Type.UTF8) as unknown as forge.asn1.Class,
  }));
}

/** A positive serial of exactly 16 bytes (first byte 0x01–0x7f), like AD FS's. */
function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) || 0x01;
  return bytes.toString('hex');
}

interface CertSpec {
  subject: readonly NameAttr[];
  /** Issuer name; the subject when self-signed. */
  issuer?: forge.pki.CertificateField[];
  publicKeyPem: string;
  signingKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: object[];
}

interface ForgeInternals {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
}

/** Builds and signs an X.509 v3 certificate (sha256WithRSAEncryption); returns PEM. */
function issueCertificate(spec: CertSpec): string {
  const cert = forge.pki.createCertificate();
  cert.version = 2; // v3
  cert.serialNumber = randomSerialHex();
  cert.publicKey = forge.pki.publicKeyFromPem(spec.publicKeyPem);
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  const subject = toForgeAttrs(spec.subject);
  cert.setSubject(subject);
  cert.setIssuer(spec.issuer ?? subject);
  if (spec.extensions.length > 0) cert.setExtensions(spec.extensions);
  // Sign with node:crypto instead of forge's pure-JS RSA: same bytes, a fraction of the time.
  cert.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids['sha256WithRSAEncryption']!;
  cert.tbsCertificate = (forge.pki as unknown as ForgeInternals).getTBSCertificate(cert);
  const tbsDer = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = cryptoSign('sha256', tbsDer, spec.signingKey).toString('binary');
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

function validity(now: number, until: (notBefore: Date) => Date): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(Math.floor((now - BACKDATE_MS) / 1000) * 1000);
  return { notBefore, notAfter: until(notBefore) };
}

function plusDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY_MS);
}

function caCertificate(pair: KeyPairPem, now: number): string {
  const { notBefore, notAfter } = validity(now, (nb) => {
    const na = new Date(nb);
    na.setUTCFullYear(na.getUTCFullYear() + CA_VALIDITY_YEARS);
    return na;
  });
  return issueCertificate({
    subject: [
      { shortName: 'O', value: CA_SUBJECT.organization },
      { shortName: 'CN', value: CA_SUBJECT.commonName },
    ],
    publicKeyPem: pair.publicKey,
    signingKey: createPrivateKey(pair.privateKey),
    notBefore,
    notAfter,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ],
  });
}

function tlsCertificate(pair: KeyPairPem, ca: { key: KeyObject; certPem: string }, names: TlsNames, now: number): string {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caNotAfter = caCert.validity.notAfter;
  const { notBefore, notAfter } = validity(now, (nb) => {
    const na = plusDays(nb, TLS_VALIDITY_DAYS);
    return na < caNotAfter ? na : caNotAfter; // never outlive the issuer
  });
  const caSki = caCert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
  const keyIdentifier = caSki?.subjectKeyIdentifier
    ? forge.util.hexToBytes(caSki.subjectKeyIdentifier)
    : forge.pki.getPublicKeyFingerprint(caCert.publicKey, { type: 'RSAPublicKey' }).getBytes();
  return issueCertificate({
    subject: [
      { shortName: 'O', value: CA_SUBJECT.organization },
      { shortName: 'CN', value: TLS_COMMON_NAME },
    ],
    issuer: caCert.subject.attributes,
    publicKeyPem: pair.publicKey,
    signingKey: ca.key,
    notBefore,
    notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...names.dns.map((value) => ({ type: 2, value })),
          ...[...names.ips.keys()].map((hex) => ({ type: 7, value: forge.util.hexToBytes(hex) })),
        ],
      },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier },
    ],
  });
}

/** AD FS token certificates: self-signed v3, RSA-2048, sha256WithRSA, 16-byte serial, no extensions. */
function tokenCertificate(pair: KeyPairPem, system: PkiSystem, use: PkiUse, now: number): string {
  const { notBefore, notAfter } = validity(now, (nb) => plusDays(nb, TOKEN_CERT_VALIDITY_DAYS));
  return issueCertificate({
    subject: [{ shortName: 'CN', value: systemCertCommonName(system, use) }],
    publicKeyPem: pair.publicKey,
    signingKey: createPrivateKey(pair.privateKey),
    notBefore,
    notAfter,
    extensions: [],
  });
}

// --- keys and files -----------------------------------------------------------------------------

interface KeyPairPem {
  publicKey: string;
  privateKey: string;
}

function rsaKeyPair(): Promise<KeyPairPem> {
  return generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/** Writes to a temporary sibling, flushes, then renames: a reader sees the old file or the new one. */
async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

const KEY_MODE = 0o600;
const CERT_MODE = 0o644;

async function writePair(dir: string, keyFile: string, keyPem: string, certFile: string, certPem: string): Promise<void> {
  // key first: an interrupted run leaves a key that no longer matches its certificate, which the
  // next run detects and repairs
  await writeAtomic(join(dir, keyFile), keyPem, KEY_MODE);
  await writeAtomic(join(dir, certFile), certPem, CERT_MODE);
}

async function execute(dir: string, { tasks, ca }: Plan, names: TlsNames, now: number): Promise<void> {
  const has = (kind: Task['kind']) => tasks.some((t) => t.kind === kind);
  const systems = tasks.filter((t): t is Extract<Task, { kind: 'system' }> => t.kind === 'system');

  // every key at once: the RSA keygens run on the libuv thread pool
  const [caPair, tlsPair, systemPairs] = await Promise.all([
    has('ca') ? rsaKeyPair() : null,
    has('tls') ? rsaKeyPair() : null,
    Promise.all(systems.map(() => rsaKeyPair())),
  ]);

  const writes: Promise<void>[] = [];
  let caKey = ca?.key ?? null;
  let caCertPem = ca ? ca.cert.toString() : null;
  if (caPair) {
    caCertPem = caCertificate(caPair, now);
    caKey = createPrivateKey(caPair.privateKey);
    writes.push(writePair(dir, PKI_FILES.caKey, caPair.privateKey, PKI_FILES.caCert, caCertPem));
  }
  if (tlsPair) {
    const certPem = tlsCertificate(tlsPair, { key: caKey!, certPem: caCertPem! }, names, now);
    writes.push(writePair(dir, PKI_FILES.tlsKey, tlsPair.privateKey, PKI_FILES.tlsCert, certPem));
  }
  systems.forEach(({ system, use }, i) => {
    const pair = systemPairs[i]!;
    const certPem = tokenCertificate(pair, system, use, now);
    writes.push(writePair(dir, systemKeyFile(system, use), pair.privateKey, systemCertFile(system, use), certPem));
  });
  await Promise.all(writes);
}

// --- the lock -----------------------------------------------------------------------------------

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => rm(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const [owner, info] = await Promise.all([readOptional(path), stat(path).catch(() => null)]);
    const pid = Number(owner);
    const stale = !info || Date.now() - info.mtimeMs > LOCK_STALE_MS || (Number.isInteger(pid) && pid > 0 && !processAlive(pid));
    if (stale) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`ensurePki: timed out waiting for ${path} (held by pid ${owner})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// --- entry point --------------------------------------------------------------------------------

/**
 * Makes `dir` hold a complete, valid test PKI. Creates only what is missing; regenerates a pair
 * whose key or certificate is missing, unreadable, mismatched or (nearly) expired, and the TLS pair
 * when it lacks a required SAN or is not signed by the current CA. A complete folder is not written
 * to at all.
 */
export async function ensurePki(dir: string, opts: EnsurePkiOptions = {}): Promise<EnsurePkiResult> {
  const names = requiredTlsNames(opts.hostNames);
  await mkdir(dir, { recursive: true });
  let now = Date.now();
  let todo = await plan(dir, names, now);
  if (todo.tasks.length > 0) {
    const release = await acquireLock(dir);
    try {
      now = Date.now();
      todo = await plan(dir, names, now); // another process may have done it meanwhile
      if (todo.tasks.length > 0) await execute(dir, todo, names, now);
    } finally {
      await release();
    }
  }
  const reasons: Record<string, string> = {};
  for (const task of todo.tasks) for (const f of taskFiles(task)) reasons[f] = task.reason;
  const all = allPkiFiles();
  return { created: all.filter((f) => f in reasons), kept: all.filter((f) => !(f in reasons)), reasons };
}
