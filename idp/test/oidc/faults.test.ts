import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { authorize } from '../../../harness/src/clients/oidc-browser.js';
import { codeFlow, control, discover, fixturePrivateJwk, oidc, signingKey, startOidcLab, UserAgent } from '../helpers/oidc-rp.js';

/**
 * OIDC faults (`POST /api/faults`, surface `oidc`): each is one-shot and bends exactly the next
 * response it matches (DESIGN §3 "Faults are data"). openid-client, the independent RP, is what
 * must notice: an error response, an expired or badly signed ID token, changed claims.
 */
describe('OIDC faults', () => {
  let lab: Lab;
  let web: oidc.Configuration;
  let jwt: oidc.Configuration;
  /** The raw token endpoint responses `web` received, to look at what openid-client refused. */
  const tokenBodies: Array<{ status: number; body: Record<string, unknown> }> = [];
  const webRedirect = 'http://localhost:8080/callback';
  const jwtRedirect = 'http://localhost:8080/jwt/callback';

  beforeAll(async () => {
    lab = await startOidcLab();
    web = await discover(lab, 'sample-web', oidc.ClientSecretBasic('sample-web-secret-0123456789'));
    web[oidc.customFetch] = async (url, options) => {
      const res = await fetch(url, options as RequestInit);
      if (new URL(url).pathname === '/token') tokenBodies.push({ status: res.status, body: (await res.clone().json()) as Record<string, unknown> });
      return res;
    };
    // OIDC Core §3.1.3.7 lets a client skip the signature of a token-endpoint ID token (TLS
    // authenticates the OP); openid-client does so unless non-repudiation checks are on.
    oidc.enableNonRepudiationChecks(web);
    const key = fixturePrivateJwk('sample-jwt');
    jwt = await discover(lab, 'sample-jwt', oidc.PrivateKeyJwt({ key: await signingKey(key), kid: key.kid }));
  });
  afterAll(() => lab.stop());
  beforeEach(async () => {
    await control(lab, 'DELETE', '/faults');
    tokenBodies.length = 0;
  });

  const queue = async (fault: Record<string, unknown>) => {
    const r = await control(lab, 'POST', '/faults', { surface: 'oidc', ...fault });
    expect(r.status).toBe(201);
  };
  const queued = async () => (await control(lab, 'GET', '/faults')).body as unknown[];

  /** The browser half of a code flow: the callback with its code, and what redeeming it needs. */
  async function browse(cfg: oidc.Configuration, redirectUri: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const auth = await authorize(new UserAgent(), url, redirectUri, { username: 'agent1', password: 'Agent1Pass!' });
    const redeem = () => oidc.authorizationCodeGrant(cfg, auth.callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    return { redeem };
  }

  /** The rejection of `p` (fails the test when `p` resolves). */
  async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
    try {
      await p;
    } catch (e) {
      return e as Error & Record<string, unknown>;
    }
    throw new Error('expected a rejection');
  }

  it('invalid-grant: the next token request gets invalid_grant; the code was not consumed and redeems next', async () => {
    await queue({ kind: 'invalid-grant' });
    const { redeem } = await browse(web, webRedirect);
    const err = await rejection(redeem());
    expect(err).toBeInstanceOf(oidc.ResponseBodyError);
    expect(err['error']).toBe('invalid_grant');
    expect(err['status']).toBe(400);
    expect(await queued()).toEqual([]);
    // One-shot, and the injected error happened before oidc-provider saw the code.
    const tokens = await redeem();
    expect(tokens.claims()?.sub).toBe('agent1');
  });

  it('server-error: HTTP 500 with a JSON server_error body, then normal service', async () => {
    await queue({ kind: 'server-error' });
    const { redeem } = await browse(web, webRedirect);
    const err = await rejection(redeem());
    // RFC 6749 §5.2 error bodies come with 400/401: oauth4webapi reads the body of a 4xx only and
    // reports any other status as a non-conforming response, carrying the Response itself.
    expect(err).toBeInstanceOf(oidc.ClientError);
    expect(err['code']).toBe('OAUTH_RESPONSE_IS_NOT_CONFORM');
    expect((err.cause as Response).status).toBe(500);
    expect(tokenBodies).toHaveLength(1);
    expect(tokenBodies[0]).toMatchObject({ status: 500, body: { error: 'server_error' } });
    expect(await queued()).toEqual([]);
    expect((await redeem()).access_token).toBeTruthy();
  });

  it('slow-token: the token response is held back after the fault is taken, then arrives normally', async () => {
    // A delay far longer than anything below: while the fault is already consumed (the request
    // reached the token endpoint), the response must still be outstanding. Dropping the delay
    // makes the redemption settle long before the pending check.
    await queue({ kind: 'slow-token', delayMs: 5000 });
    expect(await queued()).toHaveLength(1);
    const { redeem } = await browse(web, webRedirect);
    const redemption = redeem();
    // Surface a failure at the final await, not as an unhandled rejection meanwhile.
    redemption.catch(() => undefined);
    let consumed = false;
    for (let i = 0; i < 100 && !consumed; i++) {
      consumed = (await queued()).length === 0;
      if (!consumed) await new Promise((r) => setTimeout(r, 20));
    }
    expect(consumed, 'the token request never took the slow-token fault').toBe(true);
    // One more short wait (a normal token response takes a few ms on loopback), then: still pending.
    const PENDING = Symbol('pending');
    const settledEarly = await Promise.race([
      redemption.then(
        () => 'resolved',
        () => 'rejected',
      ),
      new Promise<typeof PENDING>((r) => setTimeout(() => r(PENDING), 200)),
    ]);
    expect(settledEarly).toBe(PENDING);
    expect(tokenBodies).toHaveLength(0);
    // The delay is a delay, not an error: the same response as without the fault.
    const tokens = await redemption;
    expect(tokens.claims()?.sub).toBe('agent1');
    expect(tokenBodies).toHaveLength(1);
    expect(tokenBodies[0]!.status).toBe(200);
  });

  it('expired-id-token: openid-client refuses the ID token for its exp; the token was expired, correctly signed', async () => {
    await queue({ kind: 'expired-id-token' });
    const { redeem } = await browse(web, webRedirect);
    const err = await rejection(redeem());
    expect(err).toBeInstanceOf(oidc.ClientError);
    expect(err['code']).toBe('OAUTH_JWT_TIMESTAMP_CHECK_FAILED');
    expect((err.cause as Error).message).toMatch(/"exp".*expir/);
    const idToken = tokenBodies[0]!.body['id_token'] as string;
    const claims = decodeJwt(idToken);
    expect(claims.exp!).toBeLessThan(Math.floor(Date.now() / 1000));
    expect(claims.iat!).toBeLessThan(claims.exp!);
    expect(await queued()).toEqual([]);
  });

  it('id-token-bad-signature: the JWS signature does not verify against the issuer JWKS', async () => {
    await queue({ kind: 'id-token-bad-signature' });
    const { redeem } = await browse(web, webRedirect);
    const err = await rejection(redeem());
    expect(err).toBeInstanceOf(oidc.ClientError);
    expect(err['code']).toBe('OAUTH_INVALID_RESPONSE');
    expect((err.cause as Error).message).toMatch(/signature verification failed/);
    // Same kid as a published key, other key material: only the signature check can tell.
    const { kid } = JSON.parse(Buffer.from((tokenBodies[0]!.body['id_token'] as string).split('.')[0]!, 'base64url').toString()) as { kid: string };
    const jwks = (await (await fetch(web.serverMetadata().jwks_uri!)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((k) => k.kid)).toContain(kid);
    expect(await queued()).toEqual([]);
    // The next one is fine, with the same verification on.
    const next = await browse(web, webRedirect);
    expect((await next.redeem()).claims()?.sub).toBe('agent1');
  });

  it('claims (id_token): a new claim appears and null removes email, in the next ID token only', async () => {
    await queue({ kind: 'claims', claims: { fault_marker: 'injected-42', email: null } });
    const bent = (await codeFlow(web, { redirectUri: webRedirect })).tokens.claims()!;
    expect(bent['fault_marker']).toBe('injected-42');
    expect(bent).not.toHaveProperty('email');
    expect(bent.sub).toBe('agent1');
    const normal = (await codeFlow(web, { redirectUri: webRedirect })).tokens.claims()!;
    expect(normal).not.toHaveProperty('fault_marker');
    expect(normal['email']).toBe('agent1@lab.example');
  });

  it('claims (userinfo): the next userinfo response is changed, the ID token of the same grant is not', async () => {
    await queue({ kind: 'claims', target: 'userinfo', claims: { fault_marker: 'in-userinfo', email: null } });
    const { tokens } = await codeFlow(web, { redirectUri: webRedirect });
    expect(tokens.claims()).not.toHaveProperty('fault_marker');
    expect(tokens.claims()!['email']).toBe('agent1@lab.example');
    const info = await oidc.fetchUserInfo(web, tokens.access_token, 'agent1');
    expect(info['fault_marker']).toBe('in-userinfo');
    expect(info).not.toHaveProperty('email');
    const again = await oidc.fetchUserInfo(web, tokens.access_token, 'agent1');
    expect(again).not.toHaveProperty('fault_marker');
    expect(again['email']).toBe('agent1@lab.example');
  });

  describe('filters', () => {
    it('a fault for another clientId is left for that client', async () => {
      await queue({ kind: 'invalid-grant', clientId: 'sample-jwt' });
      const webFlow = await browse(web, webRedirect);
      expect((await webFlow.redeem()).access_token).toBeTruthy();
      expect(await queued()).toHaveLength(1);
      const jwtFlow = await browse(jwt, jwtRedirect);
      const err = await rejection(jwtFlow.redeem());
      expect(err['error']).toBe('invalid_grant');
      expect(await queued()).toEqual([]);
    });

    it("a fault for issuer 'ficam' is not taken by the default issuer, and is by the ficam one", async () => {
      await queue({ kind: 'claims', issuer: 'ficam', claims: { fault_marker: 'ficam-only' } });
      const tokens = (await codeFlow(web, { redirectUri: webRedirect })).tokens;
      expect(tokens.claims()).not.toHaveProperty('fault_marker');
      expect(await queued()).toHaveLength(1);
      const key = fixturePrivateJwk('ficam-rp');
      const ficam = await discover(lab, 'ficam-rp', oidc.PrivateKeyJwt({ key: await signingKey(key), kid: key.kid }), { issuer: 'ficam' });
      const ficamTokens = (await codeFlow(ficam, { redirectUri: 'https://localhost:8443/ficam/callback' })).tokens;
      expect(ficamTokens.claims()!['fault_marker']).toBe('ficam-only');
      expect(await queued()).toEqual([]);
    });
  });

  describe('invalid fault bodies: 400 ERR_CONTROL_INVALID, nothing queued', () => {
    const bodies: Array<[string, Record<string, unknown>, string]> = [
      ["kind 'claims' without claims", { kind: 'claims' }, 'claims'],
      ['an unknown kind', { kind: 'no-such-fault' }, 'kind'],
      ['delayMs on a kind other than slow-token', { kind: 'invalid-grant', delayMs: 100 }, 'delayMs'],
      ['claims on a kind other than claims', { kind: 'server-error', claims: { a: 1 } }, 'claims'],
    ];
    for (const [name, body, path] of bodies) {
      it(name, async () => {
        const r = await control(lab, 'POST', '/faults', { surface: 'oidc', ...body });
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe('ERR_CONTROL_INVALID');
        expect((r.body.error.details.issues as Array<{ path: string }>).map((i) => i.path)).toContain(path);
        expect(await queued()).toEqual([]);
      });
    }
  });
});
