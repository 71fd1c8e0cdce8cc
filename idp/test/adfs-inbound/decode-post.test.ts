import { describe, expect, it } from 'vitest';
import { decodePost } from '../../src/adfs/inbound/decode-post.js';
import { inboundLimits } from '../../src/adfs/inbound/limits.js';
import { spTestKeys } from '../helpers/sp-test-keys.js';
import { b64, errorCode, formFieldsOf, nodeSamlSp } from './sp-driver.js';

describe('decodePost', () => {
  it('decodes the form node-saml auto-posts (HTTP-POST binding, signed)', async () => {
    const sp = nodeSamlSp(spTestKeys('post SP'), { authnRequestBinding: 'HTTP-POST', skipRequestCompression: true });
    const fields = formFieldsOf(await sp.getAuthorizeFormAsync('state-42', 'sp.example.test', {}));
    const msg = decodePost(fields);
    expect(msg.param).toBe('SAMLRequest');
    expect(msg.relayState).toBe('state-42');
    expect(msg.xml).toMatch(/^<\?xml version="1.0"\?><samlp:AuthnRequest /);
    expect(msg.xml).toContain('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">');
  });

  it('tolerates base64 wrapped over lines, and reads SAMLResponse', () => {
    const xml = '<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r"/>';
    const wrapped = b64(xml).replace(/(.{20})/g, '$1\r\n');
    expect(decodePost({ SAMLResponse: wrapped })).toEqual({ param: 'SAMLResponse', xml });
  });

  it('refuses a missing message, both messages, and non-string or repeated fields', () => {
    expect(errorCode(() => decodePost({ RelayState: 'x' }))).toBe('ERR_SAML_NO_PROTOCOL_MESSAGE');
    expect(errorCode(() => decodePost({ SAMLRequest: b64('<a/>'), SAMLResponse: b64('<a/>') }))).toBe(
      'ERR_SAML_REQUEST_MALFORMED',
    );
    expect(errorCode(() => decodePost({ SAMLRequest: [b64('<a/>'), b64('<b/>')] }))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => decodePost({ SAMLRequest: { evil: 1 } }))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => decodePost({ SAMLRequest: b64('<a/>'), RelayState: ['a', 'b'] }))).toBe(
      'ERR_SAML_REQUEST_MALFORMED',
    );
    expect(errorCode(() => decodePost({ SAMLRequest: 42 }))).toBe('ERR_SAML_REQUEST_MALFORMED');
  });

  it('refuses bad base64 and non-UTF-8 content', () => {
    expect(errorCode(() => decodePost({ SAMLRequest: 'PHg+<script>' }))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => decodePost({ SAMLRequest: 'PHg' }))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => decodePost({ SAMLRequest: '' }))).toBe('ERR_SAML_REQUEST_MALFORMED');
    expect(errorCode(() => decodePost({ SAMLRequest: Buffer.from([0x3c, 0xc3, 0x28, 0x3e]).toString('base64') }))).toBe(
      'ERR_SAML_REQUEST_MALFORMED',
    );
  });

  it('caps the size before and after decoding', () => {
    expect(errorCode(() => decodePost({ SAMLRequest: 'A'.repeat(64 * 1024 + 4) }))).toBe('ERR_SAML_REQUEST_TOO_LARGE');
    const xml = `<a>${'x'.repeat(200)}</a>`;
    expect(errorCode(() => decodePost({ SAMLRequest: b64(xml) }, inboundLimits({ maxXmlBytes: 100 })))).toBe(
      'ERR_SAML_REQUEST_TOO_LARGE',
    );
  });

  it('enforces the 80-byte RelayState unless configured otherwise', () => {
    const long = 'r'.repeat(81);
    expect(errorCode(() => decodePost({ SAMLRequest: b64('<a/>'), RelayState: long }))).toBe('ERR_SAML_RELAY_STATE_INVALID');
    expect(decodePost({ SAMLRequest: b64('<a/>'), RelayState: long }, inboundLimits({ maxRelayStateBytes: 200 })).relayState).toBe(long);
  });
});
