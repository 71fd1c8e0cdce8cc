import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { addClient, clientKeyPair, codeFlow, discover, fixturePrivateJwk, issuerUrl, oauthErrorOf, oidc, signingKey, startOidcLab } from '../helpers/oidc-rp.js';

/**
 * Authorization code + PKCE (RFC 7636, S256) completes with every token endpoint authentication
 * method the default issuer advertises (OIDC Core §9), each driven by openid-client: what went over
 * the wire is recorded, so the test shows the method really used, and the server's view of the
 * client (introspection's client_id) shows it was authenticated as that client.
 */

interface TokenRequest {
  authorization: string | undefined;
  body: URLSearchParams;
}

/** Records the requests openid-client makes to the token endpoint. */
function recordTokenRequests(cfg: oidc.Configuration): TokenRequest[] {
  const seen: TokenRequest[] = [];
  const tokenEndpoint = cfg.serverMetadata().token_endpoint!;
  cfg[oidc.customFetch] = (url, options) => {
    if (url === tokenEndpoint) {
      seen.push({ authorization: options.headers['authorization'], body: new URLSearchParams(options.body as URLSearchParams) });
    }
    return fetch(url, options as RequestInit);
  };
  return seen;
}

/** openid-client names an Ed25519 JWS "Ed25519" (RFC 9864); a client registered for EdDSA says EdDSA. */
const edDsaAssertion = { [oidc.modifyAssertion]: (header: Record<string, unknown>) => void (header['alg'] = 'EdDSA') };

describe('token endpoint client authentication (openid-client, code + PKCE)', () => {
  let lab: Lab;
  let jwksServer: Server;
  let jwksUri: string;
  let jwksUriKey: Awaited<ReturnType<typeof clientKeyPair>>;

  beforeAll(async () => {
    lab = await startOidcLab();
    // A client's key set published at its own jwks_uri (OIDC Registration §2), served on loopback.
    jwksUriKey = await clientKeyPair('ES256', 'uri-es256');
    jwksServer = createServer((req, res) => {
      if (req.url !== '/jwks.json') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwksUriKey.publicJwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(async () => {
    await lab.stop();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  /** A code flow, then the checks every method shares: the ID token, RFC 9207 `iss`, introspection. */
  async function flowAndCheck(cfg: oidc.Configuration, clientId: string, redirectUri: string, issuerId = 'default') {
    const requests = recordTokenRequests(cfg);
    const { tokens, auth } = await codeFlow(cfg, { redirectUri, scope: 'openid' });
    const iss = issuerUrl(lab, issuerId);
    expect(tokens.claims()).toMatchObject({ sub: 'agent1', aud: clientId, iss });
    // RFC 9207 §2: the authorization response names the issuer (openid-client compared it too).
    expect(auth.params['iss']).toBe(iss);
    // The code came back in the query (response_mode=query, the code flow's default).
    expect(auth.callback.searchParams.get('code')).toBeTruthy();
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body.get('grant_type')).toBe('authorization_code');
    expect(requests[0]!.body.get('code_verifier')).toBeTruthy();
    // Introspection (RFC 7662 §2.1) and revocation (RFC 7009 §2.1) authenticate the client the
    // same way as the token endpoint: discovery advertises the same methods for all three.
    const intro = await oidc.tokenIntrospection(cfg, tokens.access_token);
    expect(intro).toMatchObject({ active: true, client_id: clientId, sub: 'agent1' });
    await oidc.tokenRevocation(cfg, tokens.access_token);
    expect(await oidc.tokenIntrospection(cfg, tokens.access_token)).toEqual({ active: false });
    return { tokens, request: requests[0]! };
  }

  it('client_secret_basic (sample-web): credentials in the Authorization header only', async () => {
    const cfg = await discover(lab, 'sample-web', oidc.ClientSecretBasic('sample-web-secret-0123456789'));
    const { request } = await flowAndCheck(cfg, 'sample-web', 'http://localhost:8080/callback');
    expect(request.authorization).toMatch(/^Basic /);
    // RFC 6749 §2.3.1: both parts form-urlencoded before base64.
    const [id, secret] = Buffer.from(request.authorization!.slice(6), 'base64').toString().split(':').map(decodeURIComponent);
    expect([id, secret]).toEqual(['sample-web', 'sample-web-secret-0123456789']);
    expect(request.body.has('client_secret')).toBe(false);
  });

  it('client_secret_post: credentials in the form body only', async () => {
    const secret = 'ca-post-secret-0123456789abcdef';
    await addClient(lab, {
      client_id: 'ca-post',
      client_secret: secret,
      token_endpoint_auth_method: 'client_secret_post',
      redirect_uris: ['http://localhost:8080/ca/post/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    });
    const cfg = await discover(lab, 'ca-post', oidc.ClientSecretPost(secret));
    const { request } = await flowAndCheck(cfg, 'ca-post', 'http://localhost:8080/ca/post/callback');
    expect(request.authorization).toBeUndefined();
    expect([request.body.get('client_id'), request.body.get('client_secret')]).toEqual(['ca-post', secret]);
    // The secret is checked, and the method family is the registered one (OIDC Core §9): the same
    // secret as an HS256 assertion is refused. (oidc-provider accepts basic and post alike.)
    const wrong = await discover(lab, 'ca-post', oidc.ClientSecretPost(`${secret}-wrong`));
    expect((await oauthErrorOf(oidc.tokenIntrospection(wrong, 'anything'))).error).toBe('invalid_client');
    const asJwt = await discover(lab, 'ca-post', oidc.ClientSecretJwt(secret));
    const refused = await oauthErrorOf(oidc.tokenIntrospection(asJwt, 'anything'));
    expect(refused.error).toBe('invalid_client');
  });

  it('client_secret_jwt: an HS256 assertion keyed with the client secret', async () => {
    const secret = 'ca-jwt-secret-0123456789abcdefghijklmnop';
    expect(secret.length).toBeGreaterThanOrEqual(32); // HS256 wants a key as long as its hash (RFC 7518 §3.2)
    await addClient(lab, {
      client_id: 'ca-secret-jwt',
      client_secret: secret,
      token_endpoint_auth_method: 'client_secret_jwt',
      token_endpoint_auth_signing_alg: 'HS256',
      redirect_uris: ['http://localhost:8080/ca/secret-jwt/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    });
    const cfg = await discover(lab, 'ca-secret-jwt', oidc.ClientSecretJwt(secret));
    const { request } = await flowAndCheck(cfg, 'ca-secret-jwt', 'http://localhost:8080/ca/secret-jwt/callback');
    expect(request.body.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(decodeProtectedHeader(request.body.get('client_assertion')!).alg).toBe('HS256');
    expect(request.body.has('client_secret')).toBe(false);
    // A different secret signs an assertion the lab does not accept.
    const wrong = await discover(lab, 'ca-secret-jwt', oidc.ClientSecretJwt(`${secret}-wrong`));
    expect((await oauthErrorOf(oidc.tokenIntrospection(wrong, 'anything'))).error).toBe('invalid_client');
  });

  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
    it(`private_key_jwt with a registered ${alg} key (jwks)`, async () => {
      const clientId = `ca-pkjwt-${alg.toLowerCase()}`;
      const redirectUri = `http://localhost:8080/ca/${alg.toLowerCase()}/callback`;
      const { key, publicJwk } = await clientKeyPair(alg, `${clientId}-1`);
      await addClient(lab, {
        client_id: clientId,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: alg,
        jwks: { keys: [publicJwk] },
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      });
      const cfg = await discover(lab, clientId, oidc.PrivateKeyJwt({ key, kid: publicJwk.kid }, alg === 'EdDSA' ? edDsaAssertion : undefined));
      const { request } = await flowAndCheck(cfg, clientId, redirectUri);
      expect(decodeProtectedHeader(request.body.get('client_assertion')!)).toMatchObject({ alg, kid: publicJwk.kid });
      // Another key of the same kind is not the client's (RFC 7523 §3: the signature must verify).
      const stranger = await clientKeyPair(alg, publicJwk.kid);
      const forged = await discover(lab, clientId, oidc.PrivateKeyJwt({ key: stranger.key, kid: publicJwk.kid }, alg === 'EdDSA' ? edDsaAssertion : undefined));
      expect((await oauthErrorOf(oidc.tokenIntrospection(forged, 'anything'))).error).toBe('invalid_client');
    });
  }

  it('private_key_jwt with an Ed25519 key signed the way openid-client does by default (alg "Ed25519", RFC 9864)', async () => {
    const clientId = 'ca-pkjwt-ed25519';
    const redirectUri = 'http://localhost:8080/ca/ed25519/callback';
    const { key, publicJwk } = await clientKeyPair('EdDSA', `${clientId}-1`);
    // Neither the key nor the client pins an algorithm name: any advertised one the key fits is
    // accepted (a JWK `alg` of EdDSA would pin that name, RFC 7517 §4.4).
    const { alg: _pinned, ...unpinned } = publicJwk;
    await addClient(lab, {
      client_id: clientId,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [unpinned] },
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    });
    const cfg = await discover(lab, clientId, oidc.PrivateKeyJwt({ key, kid: publicJwk.kid }));
    const { request } = await flowAndCheck(cfg, clientId, redirectUri);
    expect(decodeProtectedHeader(request.body.get('client_assertion')!)).toMatchObject({ alg: 'Ed25519', kid: publicJwk.kid });
  });

  it('private_key_jwt with keys fetched from the client’s jwks_uri', async () => {
    const redirectUri = 'http://localhost:8080/ca/jwks-uri/callback';
    await addClient(lab, {
      client_id: 'ca-jwks-uri',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks_uri: jwksUri,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    });
    const cfg = await discover(lab, 'ca-jwks-uri', oidc.PrivateKeyJwt({ key: jwksUriKey.key, kid: jwksUriKey.publicJwk.kid }));
    const { request } = await flowAndCheck(cfg, 'ca-jwks-uri', redirectUri);
    expect(decodeProtectedHeader(request.body.get('client_assertion')!)).toMatchObject({ alg: 'ES256', kid: 'uri-es256' });
  });

  it('none (sample-spa): a public client, PKCE alone binds the code', async () => {
    const cfg = await discover(lab, 'sample-spa', oidc.None());
    const { request } = await flowAndCheck(cfg, 'sample-spa', 'http://localhost:8080/spa/callback');
    expect(request.authorization).toBeUndefined();
    expect(request.body.get('client_id')).toBe('sample-spa');
    expect(request.body.has('client_secret')).toBe(false);
    expect(request.body.has('client_assertion')).toBe(false);
  });

  it('private_key_jwt at the ficam issuer (ficam-rp, ES256), its only method', async () => {
    const jwk = fixturePrivateJwk('ficam-rp');
    const cfg = await discover(lab, 'ficam-rp', oidc.PrivateKeyJwt({ key: await signingKey(jwk), kid: jwk.kid }), { issuer: 'ficam' });
    const { request } = await flowAndCheck(cfg, 'ficam-rp', 'https://localhost:8443/ficam/callback', 'ficam');
    expect(decodeProtectedHeader(request.body.get('client_assertion')!)).toMatchObject({ alg: 'ES256', kid: jwk.kid });
  });
});
