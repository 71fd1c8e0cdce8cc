import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { Collection } from '../directory/collection.js';
import { IdpError } from '../shared/errors.js';
import { substituteServiceUrls } from '../shared/service-urls.js';
import type { EncryptionRecipient } from '../shared/xml/encrypt.js';
import { dotnetIssuerName } from '../pki/dotnet-dn.js';
import type { Pki } from '../pki/load.js';
import { PKI_SYSTEMS, PKI_USES, type PkiSystem, type PkiUse } from '../pki/systems.js';
import { RelyingPartySchema, type RelyingPartyData } from './relying-party-schema.js';

/** A relying-party trust ready for use: its data plus the parsed certificates. */
export interface RelyingParty extends RelyingPartyData {
  readonly requestSigningCerts: readonly X509Certificate[];
  readonly encryptionRecipient: EncryptionRecipient | undefined;
}

export type RelyingPartyStore = Collection<typeof RelyingPartySchema, RelyingParty>;

export interface RelyingPartyContext {
  pki: Pki;
  fixturesDir: string;
  /** Public URLs of the lab's services, for `${adfs}`-style placeholders. */
  serviceUrls: Readonly<Record<string, string>>;
}

/** The AD FS relying-party trusts; keyed by name, identifiers unique across the farm. */
export function createRelyingPartyStore(ctx: RelyingPartyContext): RelyingPartyStore {
  return new Collection(
    'relying party',
    RelyingPartySchema,
    (rp) => rp.name,
    (data) => prepare(data, ctx),
    (rp, others) => {
      for (const o of others) {
        const clash = rp.identifiers.find((id) => o.identifiers.includes(id));
        if (clash !== undefined) {
          throw new IdpError('ERR_CONTROL_CONFLICT', `identifier '${clash}' is already used by relying party '${o.name}'`, {
            status: 409,
          });
        }
      }
    },
  );
}

/** AD FS matches the AuthnRequest Issuer against RP identifiers exactly (reference §1.8 rule 1). */
export function findByIdentifier(store: RelyingPartyStore, identifier: string): RelyingParty | undefined {
  return store.list().find((rp) => rp.enabled && rp.identifiers.includes(identifier));
}

/** The fixture/control-API view of a trust: its data, without the parsed certificates. */
export function relyingPartyView(rp: RelyingParty): RelyingPartyData {
  const { requestSigningCerts: _c, encryptionRecipient: _e, ...data } = rp;
  return data;
}

function prepare(data: RelyingPartyData, ctx: RelyingPartyContext): RelyingParty {
  const sub = (s: string) => substituteServiceUrls(s, ctx.serviceUrls);
  const resolved: RelyingPartyData = {
    ...data,
    identifiers: data.identifiers.map(sub),
    endpoints: data.endpoints.map((e) => ({
      ...e,
      url: sub(e.url),
      ...(e.responseUrl === undefined ? {} : { responseUrl: sub(e.responseUrl) }),
    })),
    ...(data.nameId === undefined
      ? {}
      : {
          nameId: {
            ...data.nameId,
            ...(data.nameId.nameQualifier === undefined ? {} : { nameQualifier: sub(data.nameId.nameQualifier) }),
            ...(data.nameId.spNameQualifier === undefined ? {} : { spNameQualifier: sub(data.nameId.spNameQualifier) }),
          },
        }),
  };
  for (const [i, e] of resolved.endpoints.entries()) {
    if (!/^https?:\/\//.test(e.url)) invalid(`endpoints.${i}.url`, `'${e.url}' is not an http(s) URL`);
  }
  const requestSigningCerts = data.requestSigningCertificates.map((ref, i) =>
    loadCertificate(ref, ctx, `requestSigningCertificates.${i}`),
  );
  let encryptionRecipient: EncryptionRecipient | undefined;
  if (data.encryptionCertificate !== undefined) {
    const cert = loadCertificate(data.encryptionCertificate, ctx, 'encryptionCertificate');
    encryptionRecipient = {
      publicKey: cert.publicKey,
      issuerName: dotnetIssuerName(cert),
      serialNumber: BigInt('0x' + cert.serialNumber).toString(10),
    };
  }
  return { ...resolved, requestSigningCerts, encryptionRecipient };
}

function loadCertificate(ref: string, ctx: RelyingPartyContext, path: string): X509Certificate {
  let pem: string;
  if (ref.startsWith('pki:')) {
    const [system, use] = ref.slice(4).split('/') as [PkiSystem, PkiUse];
    if (!PKI_SYSTEMS.includes(system) || !PKI_USES.includes(use)) {
      invalid(path, `'${ref}' is not pki:<${PKI_SYSTEMS.join('|')}>/<signing|encryption>`);
    }
    pem = ctx.pki.systems[system][use].certPem;
  } else if (ref.startsWith('file:')) {
    const file = ref.slice(5);
    try {
      pem = readFileSync(isAbsolute(file) ? file : join(ctx.fixturesDir, file), 'utf8');
    } catch (e) {
      invalid(path, `cannot read '${file}': ${(e as Error).message}`);
    }
  } else {
    pem = ref;
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) invalid(path, 'must be a PEM certificate (BEGIN CERTIFICATE)');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (e) {
    invalid(path, `not a valid X.509 certificate: ${(e as Error).message}`);
  }
  // AD FS signs and encrypts with RSA only (rsa-sha1/rsa-sha256, RSA-OAEP): another key type or a
  // weak key would only fail later, mid sign-in. Refuse it here, where the admin sees why.
  const key = cert.publicKey;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa') invalid(path, `the certificate's key is ${key.asymmetricKeyType}; AD FS needs an RSA key`);
  if (bits < 2048) invalid(path, `the certificate's RSA key has ${bits} bits; at least 2048 are required`);
  return cert;
}

function invalid(path: string, message: string): never {
  throw new IdpError('ERR_CONTROL_INVALID', `invalid relying party: ${path}: ${message}`, {
    details: { issues: [{ path, message }] },
  });
}
