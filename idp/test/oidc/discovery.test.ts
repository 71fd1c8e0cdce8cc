import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { issuerUrl, startOidcLab, UserAgent } from '../helpers/oidc-rp.js';

/**
 * Discovery is a promise to every client (OpenID Connect Discovery 1.0 §3): the issuer equals the
 * URL the document was fetched from (§4.3), every endpoint it names answers, the JWKS holds only
 * public keys, and nothing is advertised that the lab does not actually do.
 */

/**
 * Every value the default issuer advertises, and the test file that proves the lab does it
 * (`<name>.test.ts` next to this file). The discovery test fails when a value appears in the
 * document without an entry here, or an entry is no longer advertised: adding a feature to
 * discovery means adding its proof.
 */
const PROVEN_BY: Record<string, Record<string, string>> = {
  response_types_supported: { code: 'client-auth', id_token: 'response-types', 'code id_token': 'response-types' },
  response_modes_supported: { query: 'client-auth', fragment: 'response-types', form_post: 'response-types' },
  grant_types_supported: { authorization_code: 'client-auth', implicit: 'response-types', refresh_token: 'tokens', client_credentials: 'tokens' },
  token_endpoint_auth_methods_supported: {
    client_secret_basic: 'client-auth',
    client_secret_post: 'client-auth',
    client_secret_jwt: 'client-auth',
    private_key_jwt: 'client-auth',
    none: 'client-auth',
  },
  // HS256: client_secret_jwt; the others: private_key_jwt with a client key of each kind.
  token_endpoint_auth_signing_alg_values_supported: { HS256: 'client-auth', RS256: 'client-auth', PS256: 'client-auth', ES256: 'client-auth', EdDSA: 'client-auth', Ed25519: 'client-auth' },
  // client-auth's flowAndCheck introspects and revokes with every method and key kind.
  introspection_endpoint_auth_methods_supported: {
    client_secret_basic: 'client-auth',
    client_secret_post: 'client-auth',
    client_secret_jwt: 'client-auth',
    private_key_jwt: 'client-auth',
    none: 'client-auth',
  },
  revocation_endpoint_auth_methods_supported: {
    client_secret_basic: 'client-auth',
    client_secret_post: 'client-auth',
    client_secret_jwt: 'client-auth',
    private_key_jwt: 'client-auth',
    none: 'client-auth',
  },
  introspection_endpoint_auth_signing_alg_values_supported: { HS256: 'client-auth', RS256: 'client-auth', PS256: 'client-auth', ES256: 'client-auth', EdDSA: 'client-auth', Ed25519: 'client-auth' },
  revocation_endpoint_auth_signing_alg_values_supported: { HS256: 'client-auth', RS256: 'client-auth', PS256: 'client-auth', ES256: 'client-auth', EdDSA: 'client-auth', Ed25519: 'client-auth' },
  code_challenge_methods_supported: { S256: 'client-auth' },
  id_token_signing_alg_values_supported: { RS256: 'id-token', PS256: 'id-token', ES256: 'id-token', EdDSA: 'id-token' },
  id_token_encryption_alg_values_supported: { 'RSA-OAEP': 'id-token', 'RSA-OAEP-256': 'id-token', 'ECDH-ES': 'id-token' },
  id_token_encryption_enc_values_supported: { 'A128CBC-HS256': 'id-token', 'A256CBC-HS512': 'id-token', A128GCM: 'id-token', A256GCM: 'id-token' },
  userinfo_signing_alg_values_supported: { RS256: 'userinfo', PS256: 'userinfo', ES256: 'userinfo', EdDSA: 'userinfo' },
  userinfo_encryption_alg_values_supported: { 'RSA-OAEP': 'userinfo', 'RSA-OAEP-256': 'userinfo', 'ECDH-ES': 'userinfo' },
  userinfo_encryption_enc_values_supported: { 'A128CBC-HS256': 'userinfo', 'A256CBC-HS512': 'userinfo', A128GCM: 'userinfo', A256GCM: 'userinfo' },
  subject_types_supported: { public: 'id-token', pairwise: 'id-token' },
  scopes_supported: { openid: 'id-token', offline_access: 'tokens', profile: 'userinfo', email: 'userinfo', groups: 'userinfo' },
  claims_supported: {
    sub: 'id-token',
    iss: 'id-token',
    acr: 'id-token',
    amr: 'id-token',
    sid: 'id-token', // requested through the claims parameter
    auth_time: 'id-token', // requested through the claims parameter
    name: 'userinfo',
    given_name: 'userinfo',
    family_name: 'userinfo',
    preferred_username: 'userinfo',
    upn: 'userinfo',
    email: 'userinfo',
    email_verified: 'userinfo',
    groups: 'userinfo',
    roles: 'userinfo',
    department: 'userinfo', // sample-jwt's claim_mapping
    display: 'userinfo',
    tenant: 'userinfo',
    employee_type: 'userinfo', // supervisor1's oidcClaims
  },
  claim_types_supported: { normal: 'userinfo' },
  // Every level is reached by a user who qualifies, with its amr.
  acr_values_supported: Object.fromEntries(
    [
      'http://idmanagement.gov/ns/assurance/aal/2?hspd12=true',
      'http://idmanagement.gov/ns/assurance/aal/2?phishing_resistant=true',
      'http://idmanagement.gov/ns/assurance/aal/2',
      'http://idmanagement.gov/ns/assurance/loa/4',
      'http://idmanagement.gov/ns/assurance/loa/3',
      'http://idmanagement.gov/ns/assurance/loa/2',
      'http://idmanagement.gov/ns/assurance/loa/1',
      'http://idmanagement.gov/ns/assurance/ial/2',
      'http://idmanagement.gov/ns/assurance/ial/1',
      'phr',
      'mfa',
      'pwd',
    ].map((v) => [v, 'id-token']),
  ),
};

/** Scalar members: the value advertised, and its proof (or why it needs none). */
const SCALARS: Record<string, { value: unknown; proof: string }> = {
  claims_parameter_supported: { value: true, proof: 'id-token' },
  // RFC 9207: openid-client checks `iss` on every authorization response.
  authorization_response_iss_parameter_supported: { value: true, proof: 'client-auth' },
  // Not offered (request objects are disabled), and said so.
  request_uri_parameter_supported: { value: false, proof: 'discovery' },
};

/** Endpoints and the file that drives each through a complete exchange. */
const ENDPOINTS: Record<string, string> = {
  authorization_endpoint: 'client-auth',
  token_endpoint: 'client-auth',
  userinfo_endpoint: 'userinfo',
  jwks_uri: 'id-token',
  introspection_endpoint: 'tokens',
  revocation_endpoint: 'tokens',
  end_session_endpoint: 'logout',
};

const here = dirname(fileURLToPath(import.meta.url));
const FICAM_ACR = /^http:\/\/idmanagement\.gov\/ns\/assurance\/(aal|loa|ial)\//;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

type Discovery = Record<string, unknown> & { issuer: string; jwks_uri: string };

async function getJson(url: string): Promise<{ status: number; type: string | null; body: any }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

/** A port free at the moment of asking (bound on 127.0.0.1 then released). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('discovery is honest', () => {
  let lab: Lab;
  const docs: Record<string, Discovery> = {};

  beforeAll(async () => {
    lab = await startOidcLab();
    for (const id of ['default', 'ficam']) {
      const r = await getJson(`${issuerUrl(lab, id)}/.well-known/openid-configuration`);
      expect(r.status).toBe(200);
      expect(r.type).toMatch(/^application\/json/);
      docs[id] = r.body as Discovery;
    }
  });
  afterAll(() => lab.stop());

  it('names as issuer exactly the URL the document was fetched from (Discovery §4.3)', () => {
    expect(docs['default']!.issuer).toBe(lab.urls.oidc);
    expect(docs['ficam']!.issuer).toBe(`${lab.urls.oidc}/ficam`);
    for (const [id, doc] of Object.entries(docs)) {
      for (const [key, value] of Object.entries(doc)) {
        if (key.endsWith('_endpoint') || key === 'jwks_uri') expect(String(value).startsWith(`${doc.issuer}/`), `${id} ${key}`).toBe(true);
      }
    }
  });

  it('every endpoint it lists answers with the right kind of response', async () => {
    for (const [id, doc] of Object.entries(docs)) {
      const listed = Object.keys(doc).filter((k) => k.endsWith('_endpoint') || k === 'jwks_uri').sort();
      // Registration is off by default: not advertised (and /reg is a 404, below).
      expect(listed, id).toEqual(Object.keys(ENDPOINTS).sort());
      const ep = (k: string) => String(doc[k]);

      // Authorization: a valid request goes to the sign-in interaction; an empty one is an OAuth error.
      const client = id === 'ficam' ? { client_id: 'ficam-rp', redirect_uri: 'https://localhost:8443/ficam/callback' } : { client_id: 'sample-spa', redirect_uri: 'http://localhost:8080/spa/callback' };
      const authUrl = `${ep('authorization_endpoint')}?${new URLSearchParams({
        ...client,
        response_type: 'code',
        scope: 'openid',
        state: 'a-state-of-at-least-22-characters',
        nonce: 'a-nonce-of-at-least-22-characters',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })}`;
      const ua = new UserAgent();
      const first = await ua.get(authUrl);
      expect(first.status, `${id} authorization`).toBe(303);
      expect(new URL(first.location!, first.url).pathname).toMatch(new RegExp(`^${id === 'ficam' ? '/ficam' : ''}/interaction/`));
      const page = await ua.follow(first);
      expect(page.status).toBe(200);
      expect(page.body).toContain('id="loginForm"');
      const empty = await getJson(ep('authorization_endpoint'));
      expect([empty.status, empty.body.error]).toEqual([400, 'invalid_request']);

      // Token, introspection, revocation: POST endpoints that demand client authentication (RFC 6749 §2.3).
      for (const key of ['token_endpoint', 'introspection_endpoint', 'revocation_endpoint']) {
        const res = await fetch(ep(key), { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', token: 'x' }) });
        expect(res.headers.get('content-type'), `${id} ${key}`).toMatch(/^application\/json/);
        expect([res.status, ((await res.json()) as { error: string }).error], `${id} ${key}`).toEqual([400, 'invalid_request']);
      }

      // Userinfo: a protected resource (RFC 6750 §3): 401 with a Bearer challenge.
      const me = await fetch(ep('userinfo_endpoint'));
      expect(me.status).toBe(401);
      expect(me.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(((await me.json()) as { error: string }).error).toBe('invalid_token');

      // JWKS: a JSON key set (checked in detail below).
      const jwks = await getJson(doc.jwks_uri);
      expect(jwks.status).toBe(200);
      expect(Array.isArray(jwks.body.keys)).toBe(true);

      // End session without a session: an HTML page whose form goes to this issuer's confirm step.
      const end = await fetch(ep('end_session_endpoint'), { redirect: 'manual' });
      expect(end.status).toBe(200);
      expect(end.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await end.text()).toContain(`action="${ep('end_session_endpoint')}/confirm"`);

      // What is not advertised is not there either.
      expect((await getJson(`${doc.issuer}/reg`)).status).toBe(404);
    }
  });

  it('jwks_uri serves exactly four public signing keys, one per algorithm, with kid/alg/use', async () => {
    const kids: string[] = [];
    for (const [id, doc] of Object.entries(docs)) {
      const { body } = await getJson(doc.jwks_uri);
      const keys = body.keys as Array<JWK & Record<string, unknown>>;
      expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
      for (const k of keys) {
        expect(k.use).toBe('sig');
        expect(typeof k.kid).toBe('string');
        for (const m of PRIVATE_JWK_MEMBERS) expect(k, `${id} ${k.kid} has private member ${m}`).not.toHaveProperty(m);
        // kid = <issuer>-<alg>-<RFC 7638 thumbprint, 12 chars>: stable for the key, derivable by anyone.
        expect(k.kid).toBe(`${id}-${String(k.alg).toLowerCase()}-${(await calculateJwkThumbprint(k)).slice(0, 12)}`);
        kids.push(k.kid!);
      }
      expect(keys.find((k) => k.alg === 'ES256')).toMatchObject({ kty: 'EC', crv: 'P-256' });
      expect(keys.find((k) => k.alg === 'EdDSA')).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
      expect(keys.filter((k) => k.kty === 'RSA').map((k) => k.alg).sort()).toEqual(['PS256', 'RS256']);
    }
    // Each issuer has its own keys.
    expect(new Set(kids).size).toBe(8);
  });

  it('advertises the FICAM acr URIs, the scopes and the claims it releases', () => {
    for (const doc of Object.values(docs)) {
      const acr = doc['acr_values_supported'] as string[];
      expect(acr.filter((v) => FICAM_ACR.test(v))).toHaveLength(9);
      expect(acr).toEqual(expect.arrayContaining(['http://idmanagement.gov/ns/assurance/aal/2?hspd12=true', 'http://idmanagement.gov/ns/assurance/loa/1', 'http://idmanagement.gov/ns/assurance/ial/2']));
      expect(doc['scopes_supported']).toEqual(expect.arrayContaining(['openid', 'profile', 'email']));
      // acr and amr are in every ID token (iGov OIDC §3.1).
      expect(doc['claims_supported']).toEqual(expect.arrayContaining(['sub', 'acr', 'amr']));
    }
  });

  it('advertises nothing that the test files do not prove (default issuer)', () => {
    const doc = docs['default']!;
    const known = new Set([...Object.keys(PROVEN_BY), ...Object.keys(SCALARS), ...Object.keys(ENDPOINTS), 'issuer']);
    expect(Object.keys(doc).filter((k) => !known.has(k)), 'metadata without a proof').toEqual([]);
    for (const [key, proofs] of Object.entries(PROVEN_BY)) {
      expect([...(doc[key] as string[])].sort(), key).toEqual(Object.keys(proofs).sort());
    }
    for (const [key, { value }] of Object.entries(SCALARS)) expect(doc[key], key).toBe(value);
    // The proofs exist.
    const files = new Set([...Object.values(PROVEN_BY).flatMap((p) => Object.values(p)), ...Object.values(SCALARS).map((s) => s.proof), ...Object.values(ENDPOINTS)]);
    for (const f of files) expect(existsSync(join(here, `${f}.test.ts`)), `${f}.test.ts`).toBe(true);
  });

  // The ficam issuer runs the same configuration minus what iGov forbids; what it advertises is
  // proven at the ficam issuer itself by client-auth (private_key_jwt, code, query, S256) and
  // tokens (refresh_token, client_credentials), and by the default issuer's files otherwise.
  it('the ficam issuer offers only private_key_jwt and the code flow, and otherwise the same', () => {
    const ficam = docs['ficam']!;
    const std = docs['default']!;
    expect(ficam['token_endpoint_auth_methods_supported']).toEqual(['private_key_jwt']);
    expect(ficam['response_types_supported']).toEqual(['code']);
    // No shared secrets (HS256) and no implicit grant under iGov.
    expect([...(ficam['token_endpoint_auth_signing_alg_values_supported'] as string[])].sort()).toEqual(['ES256', 'Ed25519', 'EdDSA', 'PS256', 'RS256']);
    expect([...(ficam['grant_types_supported'] as string[])].sort()).toEqual(['authorization_code', 'client_credentials', 'refresh_token']);
    const clientAuth = ['token', 'introspection', 'revocation'].flatMap((e) => [`${e}_endpoint_auth_methods_supported`, `${e}_endpoint_auth_signing_alg_values_supported`]);
    for (const key of clientAuth.filter((k) => k.includes('_methods_'))) expect(ficam[key], key).toEqual(['private_key_jwt']);
    const differing = ['issuer', 'response_types_supported', 'grant_types_supported', ...clientAuth];
    for (const key of Object.keys(std)) {
      if (differing.includes(key)) continue;
      if (key.endsWith('_endpoint') || key === 'jwks_uri') expect(ficam[key], key).toBe(String(std[key]).replace(std.issuer, ficam.issuer));
      else expect(ficam[key], key).toEqual(std[key]);
    }
    expect(Object.keys(ficam).sort()).toEqual(Object.keys(std).sort());
  });
});

describe('discovery names the public URL, however the lab is reached', () => {
  let lab: Lab;
  let port: number;
  let publicUrl: string;

  beforeAll(async () => {
    // The public name only resolves in the clients' world (compose, /etc/hosts); the test reaches
    // the same listener through 127.0.0.1, like a container health check would.
    port = await freePort();
    publicUrl = `http://oidc.example.test:${port}`;
    lab = await startOidcLab({ config: { oidc: { port, publicUrl } } });
  });
  afterAll(() => lab.stop());

  it('issuer, endpoints, JWKS and error `iss` all carry the public URL', async () => {
    for (const path of ['', '/ficam']) {
      const issuer = `${publicUrl}${path}`;
      const { status, body } = await getJson(`http://127.0.0.1:${port}${path}/.well-known/openid-configuration`);
      expect(status).toBe(200);
      expect(body.issuer).toBe(issuer);
      const urls = Object.entries(body as Record<string, unknown>).filter(([k]) => k.endsWith('_endpoint') || k === 'jwks_uri');
      expect(urls.length).toBe(Object.keys(ENDPOINTS).length);
      for (const [k, v] of urls) expect(String(v).startsWith(`${issuer}/`), `${k}: ${String(v)}`).toBe(true);
      expect(JSON.stringify(body)).not.toContain('127.0.0.1');

      // The same resources answer through the loopback address.
      const jwks = await getJson(String(body.jwks_uri).replace(publicUrl, `http://127.0.0.1:${port}`));
      expect(jwks.body.keys).toHaveLength(4);
      // RFC 9207: errors name the issuer too.
      const err = await getJson(`http://127.0.0.1:${port}${path}/auth`);
      expect(err.body).toMatchObject({ error: 'invalid_request', iss: issuer });
      const end = await fetch(`http://127.0.0.1:${port}${path}/session/end`);
      expect(await end.text()).toContain(`action="${issuer}/session/end/confirm"`);
    }
  });
});
