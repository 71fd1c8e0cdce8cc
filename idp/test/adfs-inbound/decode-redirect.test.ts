import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeRedirect } from '../../src/adfs/inbound/decode-redirect.js';
import { inboundLimits } from '../../src/adfs/inbound/limits.js';
import { spTestKeys, type SpTestKeys } from '../helpers/sp-test-keys.js';
import { errorCode, nodeSamlSp, rawQueryOf, SP_ENTITY_ID, timed, URI } from './sp-driver.js';

/** saml-bindings §3.4.4.1 encoding: DEFLATE, base64, then URL-encoding. */
function encodeRedirect(xml: string | Buffer): string {
  return encodeURIComponent(deflateRawSync(typeof xml === 'string' ? Buffer.from(xml) : xml).toString('base64'));
}

let keys: SpTestKeys;
beforeAll(() => {
  keys = spTestKeys('node-saml test SP');
});

describe('decodeRedirect on requests from node-saml', () => {
  it('decodes an unsigned AuthnRequest and its RelayState', async () => {
    const url = await nodeSamlSp(undefined).getAuthorizeUrlAsync('back/to?page=1&x=y', 'sp.example.test', {});
    const msg = decodeRedirect(rawQueryOf(url));
    expect(msg.param).toBe('SAMLRequest');
    expect(msg.xml).toContain('<samlp:AuthnRequest');
    expect(msg.xml).toContain(SP_ENTITY_ID);
    expect(msg.relayState).toBe('back/to?page=1&x=y');
    expect(msg.sigAlg).toBeUndefined();
    expect(msg.signature).toBeUndefined();
    expect(msg.signedOctets).toBeUndefined();
  });

  it('keeps the signed octets exactly as transmitted, in SAMLRequest, RelayState, SigAlg order', async () => {
    const sp = nodeSamlSp(keys, { signatureAlgorithm: 'sha256' });
    const raw = rawQueryOf(await sp.getAuthorizeUrlAsync('rs/1', 'sp.example.test', {}));
    const params = Object.fromEntries(raw.split('&').map((p) => [p.slice(0, p.indexOf('=')), p]));
    const msg = decodeRedirect(raw);
    expect(msg.sigAlg).toBe(URI.rsaSha256);
    expect(msg.signature?.length).toBe(256); // RSA-2048
    expect(msg.signedOctets).toBe(`${params.SAMLRequest}&${params.RelayState}&${params.SigAlg}`);
    // Reordered on the wire, still signed in the spec's order (§3.4.4.1), never re-encoded.
    const shuffled = [params.Signature, params.SigAlg, 'client-request-id=abc', params.RelayState, params.SAMLRequest].join('&');
    expect(decodeRedirect(shuffled).signedOctets).toBe(msg.signedOctets);
  });

  it('omits RelayState from the signed octets when none was sent', async () => {
    const raw = rawQueryOf(await nodeSamlSp(keys).getAuthorizeUrlAsync('', 'sp.example.test', {}));
    const msg = decodeRedirect(raw);
    expect(msg.relayState).toBeUndefined();
    expect(msg.signedOctets).toMatch(/^SAMLRequest=[^&]+&SigAlg=[^&]+$/);
  });

  it('preserves case-variant percent-encoding byte for byte (reference §4.2)', () => {
    const xml = '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>';
    const lower = encodeRedirect(xml).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    const sigAlg = 'http%3a%2f%2fwww.w3.org%2f2001%2f04%2fxmldsig-more%23rsa-sha256';
    const msg = decodeRedirect(`SAMLRequest=${lower}&SigAlg=${sigAlg}&Signature=AAAA`);
    expect(msg.xml).toBe(xml);
    expect(msg.sigAlg).toBe(URI.rsaSha256);
    expect(msg.signedOctets).toBe(`SAMLRequest=${lower}&SigAlg=${sigAlg}`);
  });

  it('reads a SAMLResponse (a LogoutResponse arrives this way)', () => {
    const xml = '<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>';
    const msg = decodeRedirect(`?SAMLResponse=${encodeRedirect(xml)}`);
    expect(msg).toEqual({ param: 'SAMLResponse', xml });
  });

  it('accepts a literal + in base64 values (senders that forget to encode it)', () => {
    const xml = Buffer.from('<a>' + '\u00ff\u00fe'.repeat(40) + '</a>');
    let deflated = deflateRawSync(xml).toString('base64');
    for (let i = 0; !deflated.includes('+') && i < 50; i++) deflated = deflateRawSync(Buffer.concat([xml, Buffer.alloc(i)])).toString('base64');
    expect(deflated).toContain('+');
    const msg = decodeRedirect(`SAMLRequest=${deflated.replace(/\//g, '%2F').replace(/=/g, '%3D')}`);
    expect(msg.xml.startsWith('<a>')).toBe(true);
  });
});

describe('decodeRedirect refuses', () => {
  const ok = encodeRedirect('<x/>');

  it('a query without a protocol message', () => {
    expect(errorCode(() => decodeRedirect('RelayState=abc&foo=bar'))).toBe('ERR_SAML_NO_PROTOCOL_MESSAGE');
    expect(errorCode(() => decodeRedirect(''))).toBe('ERR_SAML_NO_PROTOCOL_MESSAGE');
  });

  it('duplicated protocol parameters (parameter pollution)', () => {
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${ok}&SAMLRequest=${ok}`))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${ok}&RelayState=a&RelayState=b`))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${ok}&SigAlg=a&SigAlg=b&Signature=AAAA`))).toBe(
      'ERR_SAML_REQUEST_MALFORMED',
    );
    // A percent-encoded name is the same parameter.
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${ok}&SAML%52equest=${ok}`))).toBe('ERR_SAML_REQUEST_MALFORMED');
  });

  it('both SAMLRequest and SAMLResponse', () => {
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${ok}&SAMLResponse=${ok}`))).toBe('ERR_SAML_REQUEST_MALFORMED');
  });

  it('Signature without SigAlg and SigAlg without Signature', () => {
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${ok}&Signature=AAAA`))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${ok}&SigAlg=${encodeURIComponent(URI.rsaSha256)}`))).toBe(
      'ERR_SAML_REQUEST_MALFORMED',
    );
  });

  it('bad base64 (garbage, URL-safe alphabet, missing padding, empty)', () => {
    expect(errorCode(() => decodeRedirect('SAMLRequest=%%%'))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => decodeRedirect('SAMLRequest=abc*def'))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => decodeRedirect('SAMLRequest=ab-_'))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => decodeRedirect('SAMLRequest=abc'))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => decodeRedirect('SAMLRequest='))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${ok}&SigAlg=x&Signature=not%20base64!`))).toBe(
      'ERR_SAML_REQUEST_MALFORMED',
    );
  });

  it('base64 that is not DEFLATE data, and DEFLATE data that is not UTF-8', () => {
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${encodeURIComponent(Buffer.from('<x/>').toString('base64'))}`))).toBe(
      'ERR_SAML_REQUEST_MALFORMED',
    );
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${encodeRedirect(Buffer.from([0x3c, 0xff, 0xfe, 0x3e]))}`))).toBe(
      'ERR_SAML_REQUEST_MALFORMED',
    );
  });

  it('raw characters a URL must percent-encode', () => {
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${ok}&RelayState=a b`))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${ok}&RelayState=\u00e9`))).toBe('ERR_SAML_REQUEST_MALFORMED');
  });

  it('oversize encoded input, before decoding anything', () => {
    const big = 'A'.repeat(64 * 1024);
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${big}`))).toBe('ERR_SAML_REQUEST_TOO_LARGE');
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${ok}`, inboundLimits({ maxEncodedBytes: 10 })))).toBe(
      'ERR_SAML_REQUEST_TOO_LARGE',
    );
  });

  it('a deflate bomb (10 MB inflated) stops at the cap', () => {
    const bomb = '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="' + 'A'.repeat(10 * 1024 * 1024) + '"/>';
    const query = `SAMLRequest=${encodeRedirect(bomb)}`;
    expect(query.length).toBeLessThan(64 * 1024); // the encoded form passes the first cap
    const run = timed(() => decodeRedirect(query));
    expect(errorCode(() => { if (run.error) throw run.error; })).toBe('ERR_SAML_REQUEST_TOO_LARGE');
    console.info(`[measure] 10 MB deflate bomb (${query.length} B encoded) rejected in ${run.ms.toFixed(2)} ms`);
  });

  it('a RelayState over 80 bytes, unless the deployment allows more', () => {
    const long = 'r'.repeat(81);
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${ok}&RelayState=${long}`))).toBe('ERR_SAML_RELAY_STATE_INVALID');
    expect(decodeRedirect(`SAMLRequest=${ok}&RelayState=${'r'.repeat(80)}`).relayState).toHaveLength(80);
    expect(decodeRedirect(`SAMLRequest=${ok}&RelayState=${long}`, inboundLimits({ maxRelayStateBytes: 1024 })).relayState).toBe(long);
    // Bytes, not characters: 41 two-byte characters are 82 bytes.
    expect(errorCode(() => decodeRedirect(`SAMLRequest=${ok}&RelayState=${'%C3%A9'.repeat(41)}`))).toBe(
      'ERR_SAML_RELAY_STATE_INVALID',
    );
  });
});
