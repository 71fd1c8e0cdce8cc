import { generateKeyPairSync, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeRedirect, type RedirectMessage } from '../../src/adfs/inbound/decode-redirect.js';
import { readAuthnRequest, readLogoutRequest } from '../../src/adfs/inbound/read-messages.js';
import { verifyRedirectSignature } from '../../src/adfs/inbound/verify-redirect-signature.js';
import { spTestKeys, type SpTestKeys } from '../helpers/sp-test-keys.js';
import { errorCode, nodeSamlSp, rawQueryOf, SP_ENTITY_ID, URI } from './sp-driver.js';

let sp: SpTestKeys;
let other: SpTestKeys;
beforeAll(() => {
  sp = spTestKeys('redirect SP');
  other = spTestKeys('someone else');
});

async function signedQuery(alg: 'sha256' | 'sha1', relayState = 'rs-1'): Promise<string> {
  return rawQueryOf(await nodeSamlSp(sp, { signatureAlgorithm: alg }).getAuthorizeUrlAsync(relayState, 'h', {}));
}

/** Replaces one raw `name=value` pair of a query. */
function withParam(query: string, name: string, rawValue: string | null): string {
  return query
    .split('&')
    .flatMap((p) => (p.startsWith(name + '=') ? (rawValue === null ? [] : [`${name}=${rawValue}`]) : [p]))
    .join('&');
}

describe('verifyRedirectSignature on node-saml requests', () => {
  it('accepts an rsa-sha256 AuthnRequest with the SP certificate, as X509Certificate or KeyObject', async () => {
    const msg = decodeRedirect(await signedQuery('sha256'));
    expect(() => verifyRedirectSignature(msg, [sp.cert], 'rsa-sha256')).not.toThrow();
    expect(() => verifyRedirectSignature(msg, [sp.publicKey], 'rsa-sha256')).not.toThrow();
    expect(readAuthnRequest(msg.xml).issuer).toBe(SP_ENTITY_ID);
  });

  it('accepts an rsa-sha1 AuthnRequest when the relying party expects rsa-sha1', async () => {
    const msg = decodeRedirect(await signedQuery('sha1'));
    expect(msg.sigAlg).toBe(URI.rsaSha1);
    expect(() => verifyRedirectSignature(msg, [sp.cert], 'rsa-sha1')).not.toThrow();
  });

  it('accepts a signed LogoutRequest, and tries every configured certificate (rollover)', async () => {
    const url = await nodeSamlSp(sp, { signatureAlgorithm: 'sha256' }).getLogoutUrlAsync(
      { issuer: SP_ENTITY_ID, nameID: 'alice@example.test', nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' },
      'lo',
      {},
    );
    const msg = decodeRedirect(rawQueryOf(url));
    expect(() => verifyRedirectSignature(msg, [other.cert, sp.cert], 'rsa-sha256')).not.toThrow();
    expect(readLogoutRequest(msg.xml).nameId.value).toBe('alice@example.test');
  });

  it('rejects the wrong certificate', async () => {
    const msg = decodeRedirect(await signedQuery('sha256'));
    expect(errorCode(() => verifyRedirectSignature(msg, [other.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
  });

  it('rejects an empty certificate list (never fails open) and keys that cannot be RSA', async () => {
    const msg = decodeRedirect(await signedQuery('sha256'));
    expect(errorCode(() => verifyRedirectSignature(msg, [], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(errorCode(() => verifyRedirectSignature(msg, [ec], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
  });

  it('rejects rsa-sha1 against a relying party expecting rsa-sha256 (MSIS7093), even though the signature is valid', async () => {
    const msg = decodeRedirect(await signedQuery('sha1'));
    expect(() => verifyRedirectSignature(msg, [sp.cert], 'rsa-sha1')).not.toThrow();
    expect(errorCode(() => verifyRedirectSignature(msg, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_ALGORITHM');
  });

  it('rejects an unknown SigAlg URI, even correctly signed with it', async () => {
    const query = await signedQuery('sha256');
    const sigAlg = encodeURIComponent(URI.rsaSha512);
    let forged = withParam(query, 'SigAlg', sigAlg);
    const octets = decodeRedirect(forged).signedOctets!;
    forged = withParam(forged, 'Signature', encodeURIComponent(sign('sha512', Buffer.from(octets), sp.privateKey).toString('base64')));
    const msg = decodeRedirect(forged);
    expect(errorCode(() => verifyRedirectSignature(msg, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_ALGORITHM');
    const bogus = decodeRedirect(withParam(query, 'SigAlg', encodeURIComponent('urn:evil:none')));
    expect(errorCode(() => verifyRedirectSignature(bogus, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_ALGORITHM');
  });

  it('rejects any change to the signed octets: RelayState, message, or a re-encoding', async () => {
    const query = await signedQuery('sha256', 'good');
    const cases = [
      withParam(query, 'RelayState', 'evil'),
      withParam(query, 'RelayState', null),
      // Same SigAlg value, different (lower-case) percent-encoding: other octets than were signed.
      withParam(query, 'SigAlg', encodeURIComponent(URI.rsaSha256).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())),
    ];
    for (const q of cases) {
      expect(errorCode(() => verifyRedirectSignature(decodeRedirect(q), [sp.cert], 'rsa-sha256'))).toBe(
        'ERR_SAML_SIGNATURE_INVALID',
      );
    }
    // Another (unsigned) request's SAMLRequest under this signature.
    const unsigned = rawQueryOf(await nodeSamlSp(undefined).getAuthorizeUrlAsync('good', 'h', {}));
    const otherRequest = unsigned.split('&').find((p) => p.startsWith('SAMLRequest='))!.slice('SAMLRequest='.length);
    const swapped = decodeRedirect(withParam(query, 'SAMLRequest', otherRequest));
    expect(errorCode(() => verifyRedirectSignature(swapped, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_INVALID');
  });

  it('a stripped signature: ERR_SAML_SIGNATURE_REQUIRED (the caller verifies when the RP requires signing)', async () => {
    const query = withParam(withParam(await signedQuery('sha256'), 'Signature', null), 'SigAlg', null);
    const msg = decodeRedirect(query);
    expect(msg.signature).toBeUndefined();
    expect(errorCode(() => verifyRedirectSignature(msg, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_SIGNATURE_REQUIRED');
    // Half-stripped never gets this far: decodeRedirect refuses it, and so does the verifier.
    expect(errorCode(() => decodeRedirect(withParam(query + '&SigAlg=x', 'Signature', null)))).toBe('ERR_SAML_REQUEST_MALFORMED');
    const half: RedirectMessage = { ...decodeRedirect(await signedQuery('sha256')), sigAlg: undefined };
    expect(errorCode(() => verifyRedirectSignature(half, [sp.cert], 'rsa-sha256'))).toBe('ERR_SAML_REQUEST_MALFORMED');
  });
});
