import { SAML, type SamlConfig } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { isIdpError } from '../../src/shared/errors.js';
import type { SpTestKeys } from '../helpers/sp-test-keys.js';

/**
 * Test-side plumbing for the inbound tests: an independent SP (@node-saml/node-saml 5.1.0) that
 * produces real AuthnRequests and LogoutRequests, and an xml-crypto signer for hand-made messages
 * and attacks. Not a test file itself.
 */

export const IDP_SSO_URL = 'https://localhost:9443/adfs/ls/';
export const SP_ENTITY_ID = 'https://sp.example.test/';
export const SP_ACS_URL = 'https://sp.example.test/acs';

export const URI = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  excC14nWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;

/** A node-saml SP pointed at our SSO URL; pass `keys` to make it sign. */
export function nodeSamlSp(keys: SpTestKeys | undefined, config: Partial<SamlConfig> = {}): SAML {
  return new SAML({
    entryPoint: IDP_SSO_URL,
    issuer: SP_ENTITY_ID,
    callbackUrl: SP_ACS_URL,
    idpCert: keys?.certPem ?? 'unused-by-these-tests',
    ...(keys ? { privateKey: keys.privateKeyPem } : {}),
    ...config,
  });
}

/** The raw query string of a URL, exactly as it would arrive (everything after `?`). */
export function rawQueryOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}

/** The hidden inputs of node-saml's auto-submit form, as the browser would post them. */
export function formFieldsOf(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)" \/>/g)) {
    fields[m[1]!] = m[2]!
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }
  return fields;
}

export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export interface TestSignOptions {
  signatureAlgorithm?: string;
  canonicalizationAlgorithm?: string;
  transforms?: string[];
  /** Put the certificate in KeyInfo (what an attacker does with their own). */
  embedCertPem?: string;
  /** XPath of the signed element (default: the root). */
  xpath?: string;
}

/**
 * Enveloped signature with xml-crypto (independent of the code under test), placed after the
 * root's Issuer as saml-core §5.4.1 / the schema require.
 */
export function signXml(xml: string, privateKeyPem: string, opts: TestSignOptions = {}): string {
  const sig = new SignedXml({
    privateKey: privateKeyPem,
    ...(opts.embedCertPem ? { publicCert: opts.embedCertPem } : {}),
    signatureAlgorithm: opts.signatureAlgorithm ?? URI.rsaSha256,
    canonicalizationAlgorithm: opts.canonicalizationAlgorithm ?? URI.excC14n,
  });
  sig.addReference({
    xpath: opts.xpath ?? '/*',
    transforms: opts.transforms ?? [URI.enveloped, URI.excC14n],
    digestAlgorithm: URI.sha256,
  });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' },
  });
  return sig.getSignedXml();
}

/**
 * What xml-crypto alone says, the way a naive SP checks: first Signature in document order, no
 * structural checks, and (with `certPem` null) trusting the certificate in KeyInfo. The attack
 * tests use it to show each forged message is a real attack, not one a digest check already stops.
 */
export function naiveXmlCryptoCheck(xml: string, certPem: string | null): boolean {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const first = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature').item(0);
  if (!first) return false;
  const sig = new SignedXml(certPem ? { publicCert: certPem } : { getCertFromKeyInfo: SignedXml.getCertFromKeyInfo });
  try {
    sig.loadSignature(first);
    return sig.checkSignature(xml);
  } catch {
    return false;
  }
}

/** The IdpError code `fn` throws (tests assert codes, not prose); anything else fails loudly. */
export function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (isIdpError(e)) return e.code;
    throw e;
  }
  return undefined;
}

/** Wall-clock milliseconds of `fn`, for the measurements the tests print (never assert). */
export function timed<T>(fn: () => T): { ms: number; result: T | undefined; error: unknown } {
  const t0 = performance.now();
  try {
    const result = fn();
    return { ms: performance.now() - t0, result, error: undefined };
  } catch (error) {
    return { ms: performance.now() - t0, result: undefined, error };
  }
}
