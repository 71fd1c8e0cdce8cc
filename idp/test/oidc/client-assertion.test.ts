import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, importJWK, SignJWT, UnsecuredJWT, type CryptoKey as JoseKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { addClient, basicAuth, fixturePrivateJwk, issuerUrl, obtainCode, postForm, startOidcLab, type RawResponse } from '../helpers/oidc-rp.js';

/**
 * private_key_jwt client authentication (RFC 7523 §3, OIDC Core §9) with assertions built by hand:
 * each refused case changes one thing of an assertion that otherwise works, and the test then shows
 * the unchanged assertion still passing, so the refusal is down to that one thing.
 */
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface AssertionOptions {
  clientId?: string;
  iss?: string;
  sub?: string;
  aud?: string | string[];
  /** Seconds from now; null leaves exp out. */
  expIn?: number | null;
  /** null leaves jti out. */
  jti?: string | null;
  kid?: string;
  alg?: string;
  key?: JoseKey | Uint8Array;
}

describe('private_key_jwt client assertions (negative)', () => {
  let lab: Lab;
  let issuer: string;
  let tokenEndpoint: string;
  let sampleKey: JoseKey;
  let sampleKid: string;
  let samplePublic: JWK;
  /** An RSA key the client never registered. */
  let stranger: JoseKey;

  beforeAll(async () => {
    lab = await startOidcLab();
    issuer = issuerUrl(lab);
    tokenEndpoint = `${issuer}/token`;
    const jwk = fixturePrivateJwk('sample-jwt');
    sampleKid = jwk.kid;
    sampleKey = (await importJWK(jwk as JWK, 'RS256')) as JoseKey;
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk as JWK;
    samplePublic = pub;
    stranger = (await generateKeyPair('RS256')).privateKey;
  });
  afterAll(() => lab.stop());

  let counter = 0;
  /** A client assertion for sample-jwt (or `clientId`) that the OP accepts unless an option bends it. */
  async function assertion(o: AssertionOptions = {}): Promise<string> {
    const clientId = o.clientId ?? 'sample-jwt';
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: o.iss ?? clientId,
      sub: o.sub ?? clientId,
      aud: o.aud ?? tokenEndpoint,
      iat: now,
    };
    if (o.expIn !== null) payload['exp'] = now + (o.expIn ?? 120);
    if (o.jti !== null) payload['jti'] = o.jti ?? `jti-${process.pid}-${Date.now()}-${++counter}`;
    return new SignJWT(payload).setProtectedHeader({ alg: o.alg ?? 'RS256', kid: o.kid ?? sampleKid }).sign(o.key ?? sampleKey);
  }

  function clientCredentials(clientAssertion: string, extra: Record<string, string> = {}): Promise<RawResponse> {
    return postForm(tokenEndpoint, { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: clientAssertion, ...extra });
  }

  function expectInvalidClient(res: RawResponse): void {
    expect(res.status, res.text).toBe(401);
    expect(res.json.error).toBe('invalid_client');
  }

  async function expectBaselineAccepted(): Promise<void> {
    const res = await clientCredentials(await assertion());
    expect(res.status, res.text).toBe(200);
    expect(typeof res.json.access_token).toBe('string');
  }

  it('accepts a correct assertion (aud = token endpoint, or the issuer identifier: RFC 7523 §3 item 3)', async () => {
    const res = await clientCredentials(await assertion());
    expect(res.status, res.text).toBe(200);
    expect(res.json.token_type).toBe('Bearer');
    const byIssuer = await clientCredentials(await assertion({ aud: issuer }));
    expect(byIssuer.status, byIssuer.text).toBe(200);
  });

  it('authenticates the code grant with a hand-made assertion; a bad one leaves the code unspent', async () => {
    const redirectUri = 'http://localhost:8080/jwt/callback';
    const { code, verifier } = await obtainCode(lab, { clientId: 'sample-jwt', redirectUri });
    const form = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirectUri, client_assertion_type: ASSERTION_TYPE };
    expectInvalidClient(await postForm(tokenEndpoint, { ...form, client_assertion: await assertion({ key: stranger }) }));
    const ok = await postForm(tokenEndpoint, { ...form, client_assertion: await assertion() });
    expect(ok.status, ok.text).toBe(200);
    expect(typeof ok.json.id_token).toBe('string');
  });

  it('refuses an assertion signed with a key the client did not register (same kid, then another kid)', async () => {
    expectInvalidClient(await clientCredentials(await assertion({ key: stranger })));
    expectInvalidClient(await clientCredentials(await assertion({ key: stranger, kid: 'attacker-1' })));
    await expectBaselineAccepted();
  });

  it('refuses an assertion whose aud is another issuer (the ficam issuer and its token endpoint)', async () => {
    const ficam = issuerUrl(lab, 'ficam');
    expect(ficam).not.toBe(issuer);
    expectInvalidClient(await clientCredentials(await assertion({ aud: ficam })));
    expectInvalidClient(await clientCredentials(await assertion({ aud: `${ficam}/token` })));
    expectInvalidClient(await clientCredentials(await assertion({ aud: ['https://elsewhere.example/token', ficam] })));
    await expectBaselineAccepted();
  });

  it('refuses an expired assertion (exp in the past, beyond the clock tolerance)', async () => {
    expectInvalidClient(await clientCredentials(await assertion({ expIn: -600 })));
    await expectBaselineAccepted();
  });

  it('refuses an assertion without exp or without jti (RFC 7523 §3 items 4 and 7; jti is REQUIRED by OIDC Core §9)', async () => {
    expectInvalidClient(await clientCredentials(await assertion({ expIn: null })));
    expectInvalidClient(await clientCredentials(await assertion({ jti: null })));
    await expectBaselineAccepted();
  });

  it('refuses a replayed jti: the second use of the same assertion is invalid_client', async () => {
    const once = await assertion();
    const first = await clientCredentials(once);
    expect(first.status, first.text).toBe(200);
    expectInvalidClient(await clientCredentials(once));
    // A new assertion with the same jti is a replay too (the replay cache is keyed by iss + jti).
    const jti = `fixed-${Date.now()}`;
    expect((await clientCredentials(await assertion({ jti }))).status).toBe(200);
    expectInvalidClient(await clientCredentials(await assertion({ jti })));
  });

  it('refuses iss ≠ sub (both MUST be the client_id, OIDC Core §9)', async () => {
    // sub names the client (oidc-provider looks the client up by sub), iss is someone else.
    expectInvalidClient(await clientCredentials(await assertion({ iss: 'sample-web' })));
    // sub names another client: that client authenticates with a secret, not this key.
    expectInvalidClient(await clientCredentials(await assertion({ sub: 'sample-web' })));
    await expectBaselineAccepted();
  });

  it('refuses alg none and HS256 keyed with the client public key (RFC 8725 §2.1, §3.1)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsecured = new UnsecuredJWT({ iss: 'sample-jwt', sub: 'sample-jwt', aud: tokenEndpoint, iat: now, exp: now + 60, jti: `none-${now}` }).encode();
    expectInvalidClient(await clientCredentials(unsecured));
    // The classic key confusion: an HMAC whose secret is the RSA public key everyone can read.
    const confusion = new TextEncoder().encode(JSON.stringify(samplePublic));
    expectInvalidClient(await clientCredentials(await assertion({ alg: 'HS256', key: confusion })));
    await expectBaselineAccepted();
  });

  it('refuses client_secret_basic with a wrong secret: 401 invalid_client with a WWW-Authenticate challenge (RFC 6749 §5.2)', async () => {
    const wrong = await postForm(tokenEndpoint, { grant_type: 'client_credentials' }, { authorization: basicAuth('sample-service', 'not-the-secret') });
    expectInvalidClient(wrong);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    const right = await postForm(tokenEndpoint, { grant_type: 'client_credentials' }, { authorization: basicAuth('sample-service', 'sample-service-secret-0123456789') });
    expect(right.status, right.text).toBe(200);
  });

  describe('a client with jwks_uri', () => {
    let server: Server;
    let served: JWK[] = [];
    let fetches = 0;
    const clientId = 'jwks-uri-client';

    beforeAll(async () => {
      server = createServer((_req, res) => {
        fetches++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: served }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      await addClient(lab, {
        client_id: clientId,
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: `http://127.0.0.1:${port}/jwks.json`,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      });
    });
    afterAll(async () => {
      vi.useRealTimers();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    async function keyPair(kid: string): Promise<{ key: JoseKey; jwk: JWK }> {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      return { key: privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
    }

    it('fetches the keys, refuses HS256 with the published key, and picks up a rotation once its cache is stale', async () => {
      const one = await keyPair('ju-1');
      const two = await keyPair('ju-2');
      served = [one.jwk];

      // First use: the OP fetches the jwks_uri and the assertion verifies.
      const first = await clientCredentials(await assertion({ clientId, key: one.key, kid: 'ju-1', alg: 'ES256' }));
      expect(first.status, first.text).toBe(200);
      expect(fetches).toBe(1);

      // No token_endpoint_auth_signing_alg registered: HMAC is still not a private_key_jwt algorithm.
      expectInvalidClient(await clientCredentials(await assertion({ clientId, key: new TextEncoder().encode(JSON.stringify(one.jwk)), kid: 'ju-1', alg: 'HS256' })));

      // The client rotates: the jwks_uri now publishes only key two.
      served = [two.jwk];
      // oidc-provider refetches a jwks_uri on a verification miss (unknown kid) only when its copy
      // is stale: it keeps a fetched set at least 60 s (longer with Cache-Control max-age /
      // Expires; models/client.js ClientKeyStore.refresh). Inside that window the new kid is
      // refused and the URI is not even fetched.
      expectInvalidClient(await clientCredentials(await assertion({ clientId, key: two.key, kid: 'ju-2', alg: 'ES256' })));
      expect(fetches).toBe(1);

      // 61 s later (only Date is moved: the lab runs in this process and the library reads the
      // time from Date.now) the miss on kid ju-2 triggers a refetch, and the new key verifies.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
      const rotated = await clientCredentials(await assertion({ clientId, key: two.key, kid: 'ju-2', alg: 'ES256' }));
      expect(rotated.status, rotated.text).toBe(200);
      expect(fetches).toBe(2);
      // The refetched set replaced the old one: key one is gone.
      expectInvalidClient(await clientCredentials(await assertion({ clientId, key: one.key, kid: 'ju-1', alg: 'ES256' })));
      vi.useRealTimers();
    });
  });
});
