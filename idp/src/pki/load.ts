import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdpError, type IdpErrorCode } from '../shared/errors.js';
import { dotnetIssuerName } from './dotnet-dn.js';
import {
  PKI_FILES,
  PKI_SYSTEMS,
  PKI_USES,
  allPkiFiles,
  systemCertFile,
  systemKeyFile,
  type PkiSystem,
  type PkiUse,
} from './systems.js';

/**
 * Loading the test PKI at start-up: synchronous, no key generation, each file read and parsed
 * once. `ensurePki` (generate.ts, `npm run certs`) is what creates the files.
 */

/** A certificate with everything the protocol code needs precomputed. */
export interface CertificateMaterial {
  publicKey: KeyObject;
  /** One certificate, PEM (LF line ends). */
  certPem: string;
  /** The DER certificate in base64 on one line: the content of `<ds:X509Certificate>`. */
  certBase64: string;
  x509: X509Certificate;
  /** The issuer as .NET renders it (`X509IssuerName`), e.g. `CN=ADFS Encryption - localhost`. */
  issuerName: string;
  /** The serial number in decimal (`X509SerialNumber`). */
  serialNumber: string;
  notAfter: Date;
  /** SHA-256 of the DER certificate, `AA:BB:…` (upper case). */
  fingerprintSha256: string;
  /** Present when the private key was supplied. */
  privateKey?: KeyObject;
  keyPem?: string;
}

/** A certificate and its private key. */
export interface KeyPairMaterial extends CertificateMaterial {
  privateKey: KeyObject;
  keyPem: string;
}

export interface SystemKeys {
  signing: KeyPairMaterial;
  encryption: KeyPairMaterial;
}

export interface Pki {
  dir: string;
  /** The local CA certificate that clients trust. */
  caPem: string;
  /** For `https.createServer({ key, cert })`: the files as they are. */
  tls: { keyPem: string; certPem: string };
  systems: Record<PkiSystem, SystemKeys>;
}

/** Thrown inside the parsers; turned into the caller's error with its file or field attached. */
class PemProblem extends Error {}

function parseCertificate(text: string): X509Certificate {
  const block = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(text);
  let pem: string;
  if (block) pem = block[0];
  else {
    // tolerated: the bare base64 body, as pasted from metadata or an admin form
    const body = text.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new PemProblem('not a PEM certificate (BEGIN CERTIFICATE) or base64 DER');
    pem = `-----BEGIN CERTIFICATE-----\n${body.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  }
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw new PemProblem(`not a valid X.509 certificate: ${(e as Error).message}`);
  }
}

function parsePrivateKey(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (e) {
    throw new PemProblem(`not a readable private key: ${(e as Error).message}`);
  }
}

function material(x509: X509Certificate): CertificateMaterial {
  return {
    publicKey: x509.publicKey,
    certPem: x509.toString(),
    certBase64: x509.raw.toString('base64'),
    x509,
    issuerName: dotnetIssuerName(x509),
    serialNumber: BigInt(`0x${x509.serialNumber}`).toString(10),
    notAfter: new Date(Date.parse(x509.validTo)),
    fingerprintSha256: x509.fingerprint256,
  };
}

function pairMaterial(certPem: string, keyPem: string): KeyPairMaterial {
  const x509 = parseCertificate(certPem);
  const privateKey = parsePrivateKey(keyPem);
  if (!x509.checkPrivateKey(privateKey)) throw new PemProblem('the certificate does not match the private key');
  return { ...material(x509), privateKey, keyPem };
}

export interface KeyPairFromPemOptions {
  /** Error code for bad input (default ERR_CONTROL_INVALID: certificates supplied at runtime). */
  code?: IdpErrorCode;
  /** Names the input in the error message, e.g. a config path. */
  label?: string;
}

/**
 * Certificate material for a certificate supplied at runtime (a relying party's encryption
 * certificate, a partner IdP's signing certificate): the public part, plus the private key when
 * `keyPem` is given (checked to match). Accepts PEM (the first certificate of a bundle) or bare
 * base64 DER.
 */
export function keyPairFromPem(certPem: string, keyPem: string, opts?: KeyPairFromPemOptions): KeyPairMaterial;
export function keyPairFromPem(certPem: string, keyPem?: string, opts?: KeyPairFromPemOptions): CertificateMaterial;
export function keyPairFromPem(certPem: string, keyPem?: string, opts: KeyPairFromPemOptions = {}): CertificateMaterial {
  try {
    return keyPem === undefined ? material(parseCertificate(certPem)) : pairMaterial(certPem, keyPem);
  } catch (e) {
    if (!(e instanceof PemProblem)) throw e;
    throw new IdpError(opts.code ?? 'ERR_CONTROL_INVALID', `${opts.label ?? 'certificate'}: ${e.message}`, { cause: e });
  }
}

function remedy(dir: string): string {
  return `Run \`npm run certs\` to generate the lab's test PKI in ${dir} (it creates only what is missing).`;
}

/** Loads the PKI from `dir`; throws ERR_PKI_MISSING naming every missing or unusable file. */
export function loadPki(dir: string): Pki {
  const files = new Map<string, string>();
  const missing: string[] = [];
  for (const file of allPkiFiles()) {
    try {
      files.set(file, readFileSync(join(dir, file), 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      missing.push(file);
    }
  }
  if (missing.length > 0) {
    throw new IdpError('ERR_PKI_MISSING', `Test PKI incomplete: missing ${missing.join(', ')}. ${remedy(dir)}`, {
      status: 500,
      details: { dir, missing },
    });
  }

  const unusable: string[] = [];
  const read = <T>(label: string, parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (e) {
      if (!(e instanceof PemProblem)) throw e;
      unusable.push(`${label} (${e.message})`);
      return undefined;
    }
  };
  const file = (name: string): string => files.get(name)!;
  const pair = (keyFile: string, certFile: string) =>
    read(`${certFile}/${keyFile}`, () => pairMaterial(file(certFile), file(keyFile)));

  const ca = read(PKI_FILES.caCert, () => parseCertificate(file(PKI_FILES.caCert)));
  read(`${PKI_FILES.tlsCert}/${PKI_FILES.tlsKey}`, () => {
    const cert = parseCertificate(file(PKI_FILES.tlsCert));
    if (!cert.checkPrivateKey(parsePrivateKey(file(PKI_FILES.tlsKey)))) {
      throw new PemProblem('the certificate does not match the private key');
    }
  });
  const systems = {} as Record<PkiSystem, SystemKeys>;
  for (const system of PKI_SYSTEMS) {
    const keys = {} as Record<PkiUse, KeyPairMaterial | undefined>;
    for (const use of PKI_USES) keys[use] = pair(systemKeyFile(system, use), systemCertFile(system, use));
    systems[system] = keys as SystemKeys;
  }

  if (unusable.length > 0 || !ca) {
    throw new IdpError(
      'ERR_PKI_MISSING',
      `Test PKI unusable: ${unusable.join('; ')}. Delete these files, then ${remedy(dir).replace(/^Run/, 'run')}`,
      { status: 500, details: { dir, unusable } },
    );
  }
  return {
    dir,
    caPem: ca.toString(),
    tls: { keyPem: file(PKI_FILES.tlsKey), certPem: file(PKI_FILES.tlsCert) },
    systems,
  };
}
