/**
 * Who gets keys in the lab's test PKI (see certs/README.md).
 *
 * Every emulated system that signs or decrypts something has its own signing and encryption pair,
 * so that a test which mixes up two systems' keys fails instead of passing by accident.
 */
export const PKI_SYSTEMS = ['adfs', 'oidc', 'ids', 'cxone', 'sample-sp'] as const;
export type PkiSystem = (typeof PKI_SYSTEMS)[number];

/** Key uses: one pair per use and system, like AD FS's token-signing and token-decrypting certs. */
export const PKI_USES = ['signing', 'encryption'] as const;
export type PkiUse = (typeof PKI_USES)[number];

/**
 * The docker compose service names. The TLS certificate carries each as a DNS SAN so that the
 * containers can reach one another by service name over HTTPS with the same certificate.
 */
export const COMPOSE_SERVICE_NAMES = ['adfs', 'oidc', 'ids', 'finesse', 'cxone', 'console'] as const;

/** The host part of AD FS certificate subjects (`CN=ADFS Signing - <fs-host>`). */
export const ADFS_CERT_HOST = 'localhost';

/** The subject common name of a system's token certificate. */
export function systemCertCommonName(system: PkiSystem, use: PkiUse): string {
  if (system === 'adfs') return `ADFS ${use === 'signing' ? 'Signing' : 'Encryption'} - ${ADFS_CERT_HOST}`;
  return `${system} ${use} - idp-harness test`;
}

/** File names inside the certs folder; one place, shared by generate.ts, load.ts and the docs. */
export const PKI_FILES = {
  caKey: 'ca.key',
  caCert: 'ca.pem',
  tlsKey: 'tls.key',
  tlsCert: 'tls.pem',
} as const;

export function systemKeyFile(system: PkiSystem, use: PkiUse): string {
  return `${system}-${use}.key`;
}

export function systemCertFile(system: PkiSystem, use: PkiUse): string {
  return `${system}-${use}.pem`;
}

/** Every file a complete PKI folder holds, in a stable order. */
export function allPkiFiles(): string[] {
  const files: string[] = [PKI_FILES.caKey, PKI_FILES.caCert, PKI_FILES.tlsKey, PKI_FILES.tlsCert];
  for (const system of PKI_SYSTEMS) {
    for (const use of PKI_USES) files.push(systemKeyFile(system, use), systemCertFile(system, use));
  }
  return files;
}
