import { DOMParser } from '@xmldom/xmldom';
import { UserAgent } from '../../clients/user-agent.js';
import { expectThat, ScenarioFailure, type ScenarioContext } from '../scenario.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
/** AD FS metadata is a few tens of kilobytes; anything far larger is not what we asked for. */
const MAX_METADATA_BYTES = 1024 * 1024;

/** What an SP takes from AD FS's FederationMetadata.xml to trust its responses. */
export interface AdfsTrust {
  /** EntityDescriptor@entityID: the Issuer of every response. */
  entityId: string;
  /** The IDPSSODescriptor's signing certificates, PEM (more than one during a rollover). */
  signingCertificates: string[];
  metadataUrl: string;
}

/**
 * Reads the trust an SP needs from the lab's metadata, the way an SP administrator sets it up
 * (saml-metadata §2.4.3 IDPSSODescriptor, §2.4.1.1 KeyDescriptor use="signing"): nothing is taken
 * from the lab's internals, so a scenario checks what a real SP would rely on.
 */
export async function fetchAdfsTrust(ctx: ScenarioContext): Promise<AdfsTrust> {
  const base = ctx.target.urls.adfs;
  expectThat(base, 'the adfs service is not running');
  const metadataUrl = `${base}/FederationMetadata/2007-06/FederationMetadata.xml`;
  const res = await new UserAgent(ctx.target.ca === undefined ? {} : { ca: ctx.target.ca }).get(metadataUrl);
  expectThat(res.status === 200, `GET ${metadataUrl} answered ${res.status}`);
  expectThat(Buffer.byteLength(res.body) <= MAX_METADATA_BYTES, 'the metadata is larger than 1 MB');
  const doc = new DOMParser({
    errorHandler: {
      error: (m: string) => {
        throw new ScenarioFailure(`the metadata is not well-formed: ${m}`);
      },
      fatalError: (m: string) => {
        throw new ScenarioFailure(`the metadata is not well-formed: ${m}`);
      },
    },
  }).parseFromString(res.body, 'text/xml');
  const root = doc.documentElement;
  expectThat(root && root.namespaceURI === MD && root.localName === 'EntityDescriptor', 'the metadata root is not an md:EntityDescriptor');
  const entityId = root.getAttribute('entityID') ?? '';
  expectThat(entityId, 'the EntityDescriptor has no entityID');
  const idp = Array.from(root.getElementsByTagNameNS(MD, 'IDPSSODescriptor'))[0];
  expectThat(idp, 'the metadata has no IDPSSODescriptor');
  const signingCertificates = Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))
    .filter((k) => (k.getAttribute('use') ?? 'signing') === 'signing')
    .flatMap((k) => Array.from(k.getElementsByTagNameNS(DS, 'X509Certificate')))
    .map((c) => toPem((c.textContent ?? '').replace(/\s+/g, '')));
  expectThat(signingCertificates.length > 0, 'the IDPSSODescriptor publishes no signing certificate');
  return { entityId, signingCertificates, metadataUrl };
}

function toPem(base64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}
