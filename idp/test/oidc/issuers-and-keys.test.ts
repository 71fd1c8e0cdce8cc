import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, resolveFromRoot } from '../../src/config/load.js';
import { OidcConfigSchema } from '../../src/config/schema.js';
import type { Lab } from '../../src/lab.js';
import { IdpError } from '../../src/shared/errors.js';
import { addClient, authorizationFailure, codeFlow, control, discover, fixturePrivateJwk, issuerUrl, oidc, signingKey, startOidcLab } from '../helpers/oidc-rp.js';

/**
 * Several issuers on one port (one oidc-provider each, told apart by path), each with its own
 * signing keys and clients; key rotation through the control API, as an IdP rolls its keys
 * (OIDC Core §10.1.1: the old key stays published until removed); keys that survive restarts.
 */
const WEB_REDIRECT = 'http://localhost:8080/callback';
const WEB_SECRET = 'sample-web-secret-0123456789';

async function jwks(lab: Lab, issuerId = 'default'): Promise<JSONWebKeySet> {
  const meta = await (await fetch(`${issuerUrl(lab, issuerId)}/.well-known/openid-configuration`)).json();
  return (await (await fetch(meta.jwks_uri as string)).json()) as JSONWebKeySet;
}
const kids = (set: JSONWebKeySet) => set.keys.map((k) => k.kid!);

/** Verifies an ID token against a JWKS as fetched now (jose: an independent JWS verifier). */
async function verifies(lab: Lab, idToken: string, clientId = 'sample-web'): Promise<boolean> {
  try {
    await jwtVerify(idToken, createLocalJWKSet(await jwks(lab)), { issuer: issuerUrl(lab), audience: clientId });
    return true;
  } catch {
    return false;
  }
}

describe('issuers, isolation and keys', () => {
  let lab: Lab;
  let web: oidc.Configuration;
  let ficam: oidc.Configuration;

  beforeAll(async () => {
    lab = await startOidcLab();
    web = await discover(lab, 'sample-web', oidc.ClientSecretBasic(WEB_SECRET));
    const key = fixturePrivateJwk('ficam-rp');
    ficam = await discover(lab, 'ficam-rp', oidc.PrivateKeyJwt({ key: await signingKey(key), kid: key.kid }), { issuer: 'ficam' });
  });
  afterAll(() => lab.stop());

  describe('isolation between the default issuer and /ficam', () => {
    it('publishes different keys: no kid and no key material in common', async () => {
      const a = await jwks(lab);
      const b = await jwks(lab, 'ficam');
      expect(a.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
      expect(b.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
      expect(kids(a).filter((k) => kids(b).includes(k))).toEqual([]);
      const material = (set: JSONWebKeySet) => set.keys.map((k) => String(k['n'] ?? k['x']));
      expect(material(a).filter((m) => material(b).includes(m))).toEqual([]);
      // Private parts are never published (RFC 7517 §4: a JWKS for verification).
      expect([...a.keys, ...b.keys].some((k) => 'd' in k || 'p' in k)).toBe(false);
    });

    it('does not know a default-issuer client at the /ficam authorization endpoint (invalid_client, no redirect)', async () => {
      const url = new URL(`${issuerUrl(lab, 'ficam')}/auth`);
      const params = {
        client_id: 'sample-web',
        response_type: 'code',
        scope: 'openid',
        redirect_uri: WEB_REDIRECT,
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      };
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      const f = await authorizationFailure(url, WEB_REDIRECT);
      expect(f).toMatchObject({ at: 'provider', status: 400, error: 'invalid_client' });
    });

    it("refuses one issuer's access token at the other's userinfo (invalid_token), in both directions", async () => {
      const fromDefault = (await codeFlow(web, { redirectUri: WEB_REDIRECT })).tokens.access_token;
      const fromFicam = (await codeFlow(ficam, { redirectUri: 'https://localhost:8443/ficam/callback' })).tokens.access_token;
      const userinfo = async (issuerId: string, token: string) => {
        const res = await fetch(`${issuerUrl(lab, issuerId)}/me`, { headers: { authorization: `Bearer ${token}` } });
        return { status: res.status, body: (await res.json()) as { error?: string; sub?: string } };
      };
      // Each is good at home (the refusal below is about the issuer, not a bad token)...
      expect((await userinfo('default', fromDefault)).body.sub).toBe('agent1');
      expect((await userinfo('ficam', fromFicam)).body.sub).toBe('agent1');
      // ...and unknown abroad (RFC 6750 §3.1).
      expect(await userinfo('ficam', fromDefault)).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
      expect(await userinfo('default', fromFicam)).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    });
  });

  describe('key rotation through the control API', () => {
    let pkiKeys: Array<{ kid: string; alg: string; source: string }>;
    let oldKid: string;
    let newKid: string;
    let oldToken: string;
    let ua: Awaited<ReturnType<typeof codeFlow>>['ua'];

    beforeAll(async () => {
      pkiKeys = (await control(lab, 'GET', '/oidc/issuers/default/keys')).body;
      oldKid = pkiKeys.find((k) => k.alg === 'RS256')!.kid;
      // An ID token and an SSO session from before the rotation.
      const before = await codeFlow(web, { redirectUri: WEB_REDIRECT });
      oldToken = before.tokens.id_token!;
      ua = before.ua;
    });

    it('starts from the keys of the certs folder, the RS256 one signing ID tokens', () => {
      expect(pkiKeys.map((k) => k.source)).toEqual(['pki', 'pki', 'pki', 'pki']);
      expect(decodeProtectedHeader(oldToken)).toMatchObject({ alg: 'RS256', kid: oldKid });
    });

    it('POST /keys {alg: RS256} → 201 with a new kid; the JWKS has both RS256 keys', async () => {
      const r = await control(lab, 'POST', '/oidc/issuers/default/keys', { alg: 'RS256' });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ alg: 'RS256', source: 'rotated' });
      newKid = r.body.kid;
      expect(newKid).toMatch(/^default-rs256-/);
      expect(newKid).not.toBe(oldKid);
      const published = (await jwks(lab)).keys.filter((k) => k.alg === 'RS256').map((k) => k.kid);
      expect(published.sort()).toEqual([oldKid, newKid].sort());
    });

    it('signs new ID tokens with the new key, and the old token still verifies against the JWKS', async () => {
      const { tokens, auth } = await codeFlow(web, { redirectUri: WEB_REDIRECT, ua });
      // The session from before the rotation is still good: no sign-in page.
      expect(auth.pages).toEqual([]);
      expect(decodeProtectedHeader(tokens.id_token!)).toMatchObject({ alg: 'RS256', kid: newKid });
      expect(await verifies(lab, tokens.id_token!)).toBe(true);
      expect(await verifies(lab, oldToken)).toBe(true);
    });

    it('DELETE the old kid: it leaves the JWKS and the old token no longer verifies', async () => {
      const r = await control(lab, 'DELETE', `/oidc/issuers/default/keys/${oldKid}`);
      expect(r.status).toBe(200);
      expect(r.body.kid).toBe(oldKid);
      expect(kids(await jwks(lab))).not.toContain(oldKid);
      expect(await verifies(lab, oldToken)).toBe(false);
      // Tokens signed by the new key are unaffected.
      const { tokens } = await codeFlow(web, { redirectUri: WEB_REDIRECT, ua });
      expect(await verifies(lab, tokens.id_token!)).toBe(true);
    });

    it('refuses to delete the only key of an algorithm (409), an unknown kid or issuer (404)', async () => {
      for (const kid of [newKid, pkiKeys.find((k) => k.alg === 'ES256')!.kid]) {
        const r = await control(lab, 'DELETE', `/oidc/issuers/default/keys/${kid}`);
        expect(r.status).toBe(409);
        expect(r.body.error.code).toBe('ERR_CONTROL_CONFLICT');
      }
      const unknownKid = await control(lab, 'DELETE', '/oidc/issuers/default/keys/default-rs256-nosuchkey000');
      expect(unknownKid.status).toBe(404);
      expect(unknownKid.body.error.code).toBe('ERR_CONTROL_NOT_FOUND');
      for (const [method, path] of [
        ['POST', '/oidc/issuers/nope/keys'],
        ['GET', '/oidc/issuers/nope/keys'],
        ['DELETE', `/oidc/issuers/nope/keys/${newKid}`],
      ] as const) {
        const r = await control(lab, method, path, method === 'POST' ? { alg: 'RS256' } : undefined);
        expect(r.status, `${method} ${path}`).toBe(404);
        expect(r.body.error.code).toBe('ERR_CONTROL_NOT_FOUND');
      }
      const badAlg = await control(lab, 'POST', '/oidc/issuers/default/keys', { alg: 'HS256' });
      expect(badAlg.status).toBe(400);
      expect(badAlg.body.error.code).toBe('ERR_CONTROL_INVALID');
    });

    it('leaves the other issuer alone', async () => {
      const ficamKeys = (await control(lab, 'GET', '/oidc/issuers/ficam/keys')).body as Array<{ source: string }>;
      expect(ficamKeys.map((k) => k.source)).toEqual(['pki', 'pki', 'pki', 'pki']);
      expect(kids(await jwks(lab, 'ficam'))).not.toContain(newKid);
    });

    it('/api/reset goes back to the keys of the certs folder', async () => {
      expect((await control(lab, 'POST', '/reset')).status).toBe(200);
      const after = (await control(lab, 'GET', '/oidc/issuers/default/keys')).body as typeof pkiKeys;
      expect(after.map((k) => [k.kid, k.source])).toEqual(pkiKeys.map((k) => [k.kid, k.source]));
      expect(kids(await jwks(lab)).sort()).toEqual(pkiKeys.map((k) => k.kid).sort());
      const { tokens } = await codeFlow(web, { redirectUri: WEB_REDIRECT });
      expect(decodeProtectedHeader(tokens.id_token!).kid).toBe(oldKid);
      expect(await verifies(lab, tokens.id_token!)).toBe(true);
    });
  });

  it('keeps the same keys across a restart (they live in the certs folder)', async () => {
    const before = { default: kids(await jwks(lab)).sort(), ficam: kids(await jwks(lab, 'ficam')).sort() };
    await lab.stop();
    lab = await startOidcLab();
    expect(kids(await jwks(lab)).sort()).toEqual(before.default);
    expect(kids(await jwks(lab, 'ficam')).sort()).toEqual(before.ficam);
    // And they still sign: a new ID token verifies against the published keys.
    web = await discover(lab, 'sample-web', oidc.ClientSecretBasic(WEB_SECRET));
    const { tokens } = await codeFlow(web, { redirectUri: WEB_REDIRECT });
    expect(before.default).toContain(decodeProtectedHeader(tokens.id_token!).kid);
    expect(await verifies(lab, tokens.id_token!)).toBe(true);
  });
});

describe('a third issuer from the configuration', () => {
  let lab: Lab;
  let certsDir: string;
  const tenantIssuers = () => [...OidcConfigSchema.parse({}).issuers, { id: 'tenant-a', path: '/tenant-a', profile: 'standard' as const }];
  const start = () => startOidcLab({ config: { certsDir, oidc: { issuers: tenantIssuers() } } });

  beforeAll(async () => {
    // A certs folder of its own, without tenant-a keys, so that their generation is what runs.
    certsDir = mkdtempSync(join(tmpdir(), 'oidc-tenant-'));
    cpSync(resolveFromRoot('certs'), certsDir, { recursive: true });
    rmSync(join(certsDir, 'oidc', 'tenant-a'), { recursive: true, force: true });
    lab = await start();
  });
  afterAll(async () => {
    await lab?.stop();
    rmSync(certsDir, { recursive: true, force: true });
  });

  it('generates its keys into <certsDir>/oidc/tenant-a/ on first start and publishes them', async () => {
    expect(readdirSync(join(certsDir, 'oidc', 'tenant-a')).sort()).toEqual(['signing-eddsa.key', 'signing-es256.key', 'signing-ps256.key', 'signing-rs256.key']);
    const tenantKids = kids(await jwks(lab, 'tenant-a'));
    expect(tenantKids).toHaveLength(4);
    for (const kid of tenantKids) expect(kid).toMatch(/^tenant-a-/);
    const others = [...kids(await jwks(lab)), ...kids(await jwks(lab, 'ficam'))];
    expect(tenantKids.filter((k) => others.includes(k))).toEqual([]);
    const meta = await (await fetch(`${issuerUrl(lab, 'tenant-a')}/.well-known/openid-configuration`)).json();
    expect(meta.issuer).toBe(`${lab.urls.oidc}/tenant-a`);
  });

  it('runs a code flow for its own client, signed with its own key; other issuers do not know the client', async () => {
    const redirect = 'http://localhost:8080/tenant-a/callback';
    await addClient(lab, {
      client_id: 'tenant-a-web',
      issuer: 'tenant-a',
      client_secret: 'tenant-a-secret-0123456789',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [redirect],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    });
    const cfg = await discover(lab, 'tenant-a-web', oidc.ClientSecretBasic('tenant-a-secret-0123456789'), { issuer: 'tenant-a' });
    const { tokens } = await codeFlow(cfg, { redirectUri: redirect });
    expect(tokens.claims()).toMatchObject({ iss: issuerUrl(lab, 'tenant-a'), aud: 'tenant-a-web', sub: 'agent1' });
    const header = decodeProtectedHeader(tokens.id_token!);
    expect(kids(await jwks(lab, 'tenant-a'))).toContain(header.kid);
    await jwtVerify(tokens.id_token!, createLocalJWKSet(await jwks(lab, 'tenant-a')), { issuer: issuerUrl(lab, 'tenant-a'), audience: 'tenant-a-web' });
    const url = new URL(`${issuerUrl(lab)}/auth`);
    url.searchParams.set('client_id', 'tenant-a-web');
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', 'openid');
    url.searchParams.set('redirect_uri', redirect);
    url.searchParams.set('code_challenge', await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()));
    url.searchParams.set('code_challenge_method', 'S256');
    expect(await authorizationFailure(url, redirect)).toMatchObject({ at: 'provider', error: 'invalid_client' });
  });

  it('reuses the generated keys on the next start', async () => {
    const first = kids(await jwks(lab, 'tenant-a')).sort();
    const again = await start();
    try {
      expect(kids(await jwks(again, 'tenant-a')).sort()).toEqual(first);
    } finally {
      await again.stop();
    }
  });
});

describe('issuer configuration errors (ERR_CONFIG_INVALID, every problem with its path)', () => {
  const defaults = () => OidcConfigSchema.parse({}).issuers;
  const problems = (issuers: unknown[]) => {
    try {
      loadConfig({ env: {}, overrides: { oidc: { issuers: issuers as never } } });
    } catch (e) {
      expect(e).toBeInstanceOf(IdpError);
      expect((e as IdpError).code).toBe('ERR_CONFIG_INVALID');
      return ((e as IdpError).details as { issues: Array<{ path: string; message: string }> }).issues;
    }
    throw new Error('the configuration was accepted');
  };

  it('accepts the defaults plus a third issuer', () => {
    const cfg = loadConfig({ env: {}, overrides: { oidc: { issuers: [...defaults(), { id: 'tenant-a', path: '/tenant-a', profile: 'standard' }] } } });
    expect(cfg.oidc.issuers.map((i) => i.id)).toEqual(['default', 'ficam', 'tenant-a']);
  });

  it('refuses two issuers at the same path', () => {
    const issues = problems([...defaults(), { id: 'tenant-a', path: '/ficam' }]);
    expect(issues.map((i) => i.path)).toEqual(['oidc.issuers.2.path']);
    expect(issues[0]!.message).toMatch(/duplicate/);
  });

  it('refuses a path that is an endpoint of the root issuer (/auth)', () => {
    const issues = problems([...defaults(), { id: 'tenant-a', path: '/auth' }]);
    expect(issues.map((i) => i.path)).toEqual(['oidc.issuers.2.path']);
  });

  it('refuses a path of more than one segment (/a/b)', () => {
    const issues = problems([...defaults(), { id: 'tenant-a', path: '/a/b' }]);
    expect(issues.map((i) => i.path)).toEqual(['oidc.issuers.2.path']);
  });

  it('reports all of them at once', () => {
    const issues = problems([
      ...defaults(),
      { id: 'x', path: '/auth' },
      { id: 'y', path: '/a/b' },
      { id: 'z', path: '/ficam' },
    ]);
    expect(issues.map((i) => i.path).sort()).toEqual(['oidc.issuers.2.path', 'oidc.issuers.3.path', 'oidc.issuers.4.path']);
  });
});
