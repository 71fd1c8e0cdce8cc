import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { addClient, clientEncryptionKeyPair, codeFlow, discover, issuerUrl, oidc, startOidcLab, UserAgent } from '../helpers/oidc-rp.js';

/**
 * ID tokens (OIDC Core §2, §3.1.3.7) as openid-client receives them: signed with each advertised
 * algorithm and verified against the JWKS, encrypted to the client's key (§10.2), shaped by the
 * `claims` request parameter (§5.5), with pairwise subjects (§8.1), and carrying the acr/amr of
 * every advertised authentication context class.
 */

const FICAM = 'http://idmanagement.gov/ns/assurance';
/** RFC 8176 amr of each emulated factor. */
const AMR = { pwd: ['pwd'], mfa: ['pwd', 'otp', 'mfa'], phr: ['pwd', 'hwk', 'mfa'], piv: ['sc', 'pin', 'mfa'] };
const USERS = { agent1: 'Agent1Pass!', agent2: 'Agent2Pass!', supervisor1: 'Super1Pass!' } as const;
type Username = keyof typeof USERS;
/**
 * Each advertised acr value, a user of the fixtures who qualifies for it, and the amr that
 * sign-in reports: agent1 has a password only (LOA 2, IAL 1), agent2 has MFA (LOA 3, IAL 2,
 * AAL 2), supervisor1 has a PIV card (LOA 4, HSPD-12, phishing-resistant).
 */
const ACR_CASES: Array<[acr: string, user: Username, amr: string[]]> = [
  [`${FICAM}/aal/2?hspd12=true`, 'supervisor1', AMR.piv],
  [`${FICAM}/aal/2?phishing_resistant=true`, 'supervisor1', AMR.phr],
  [`${FICAM}/aal/2`, 'agent2', AMR.mfa],
  [`${FICAM}/loa/4`, 'supervisor1', AMR.phr],
  [`${FICAM}/loa/3`, 'agent2', AMR.mfa],
  [`${FICAM}/loa/2`, 'agent1', AMR.pwd],
  [`${FICAM}/loa/1`, 'agent1', AMR.pwd],
  [`${FICAM}/ial/2`, 'agent2', AMR.pwd],
  [`${FICAM}/ial/1`, 'agent1', AMR.pwd],
  ['phr', 'supervisor1', AMR.phr],
  ['mfa', 'agent2', AMR.mfa],
  ['pwd', 'agent1', AMR.pwd],
];

describe('ID tokens (openid-client)', () => {
  let lab: Lab;
  let jwks: JSONWebKeySet;
  /** One browser per user: after the first sign-in the lab's SSO makes the next flows silent. */
  const browsers = new Map<string, UserAgent>();
  const browser = (user: string) => browsers.get(user) ?? browsers.set(user, new UserAgent()).get(user)!;

  /** A public client (PKCE) with extra metadata, registered through the control API. */
  async function publicClient(clientId: string, extra: Record<string, unknown> = {}, redirectUri = `http://localhost:8080/${clientId}/callback`) {
    await addClient(lab, {
      client_id: clientId,
      token_endpoint_auth_method: 'none',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      ...extra,
    });
    return redirectUri;
  }

  beforeAll(async () => {
    lab = await startOidcLab();
    jwks = (await (await fetch(`${issuerUrl(lab)}/jwks`)).json()) as JSONWebKeySet;
  });
  afterAll(() => lab.stop());

  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
    it(`id_token_signed_response_alg ${alg}: signed with the issuer's ${alg} key, verified against the JWKS`, async () => {
      const clientId = `idt-${alg.toLowerCase()}`;
      const redirectUri = await publicClient(clientId, { id_token_signed_response_alg: alg });
      // openid-client holds the token to the registered alg and, with non-repudiation checks,
      // verifies its signature with the key the JWKS publishes under its kid.
      const cfg = await discover(lab, clientId, oidc.None(), { metadata: { id_token_signed_response_alg: alg } });
      oidc.enableNonRepudiationChecks(cfg);
      const { tokens } = await codeFlow(cfg, { redirectUri, scope: 'openid', ua: browser('agent1') });
      const header = decodeProtectedHeader(tokens.id_token!);
      const published = jwks.keys.find((k) => k.kid === header.kid);
      expect(header.alg).toBe(alg);
      expect(published).toMatchObject({ alg, use: 'sig' });
      // And an independent verifier (jose) agrees.
      const { protectedHeader } = await compactVerify(tokens.id_token!, createLocalJWKSet(jwks), { algorithms: [alg] });
      expect(protectedHeader.kid).toBe(published!.kid);
      expect(tokens.claims()).toMatchObject({ sub: 'agent1', aud: clientId, iss: issuerUrl(lab) });
    });
  }

  // Every advertised key-management alg and content encryption enc, at least once.
  const ENCRYPTION_CASES = [
    ['RSA-OAEP-256', 'A256GCM'],
    ['RSA-OAEP', 'A128CBC-HS256'],
    ['ECDH-ES', 'A128GCM'],
    ['ECDH-ES', 'A256CBC-HS512'],
  ] as const;
  for (const [alg, enc] of ENCRYPTION_CASES) {
    it(`ID token encrypted to the client's key: ${alg} with ${enc}, signed inside`, async () => {
      const clientId = `idt-enc-${alg.toLowerCase()}-${enc.toLowerCase()}`;
      const { key, publicJwk } = await clientEncryptionKeyPair(alg, `${clientId}-key`);
      const redirectUri = await publicClient(clientId, {
        jwks: { keys: [publicJwk] },
        id_token_encrypted_response_alg: alg,
        id_token_encrypted_response_enc: enc,
      });
      const cfg = await discover(lab, clientId, oidc.None());
      oidc.enableDecryptingResponses(cfg, [enc], { key, kid: publicJwk.kid });
      oidc.enableNonRepudiationChecks(cfg);
      let raw: string | undefined;
      cfg[oidc.customFetch] = async (url, options) => {
        const res = await fetch(url, options as RequestInit);
        if (url === cfg.serverMetadata().token_endpoint) raw = ((await res.clone().json()) as { id_token?: string }).id_token;
        return res;
      };
      const { tokens } = await codeFlow(cfg, { redirectUri, scope: 'openid email', ua: browser('agent1') });
      // On the wire: a compact JWE (RFC 7516 §7.1) for the registered key, alg and enc.
      expect(raw!.split('.')).toHaveLength(5);
      expect(decodeProtectedHeader(raw!)).toMatchObject({ alg, enc, kid: publicJwk.kid, cty: 'JWT' });
      // Decrypted and verified by openid-client: a nested signed ID token.
      expect(tokens.claims()).toMatchObject({ sub: 'agent1', aud: clientId, email: 'agent1@lab.example' });
    });
  }

  it('the claims parameter adds claims to the ID token and to userinfo only where asked (OIDC Core §5.5)', async () => {
    const redirectUri = await publicClient('idt-claims');
    const cfg = await discover(lab, 'idt-claims', oidc.None());
    const claims = { id_token: { email: null, sid: null, auth_time: { essential: true } }, userinfo: { groups: null } };
    const { tokens } = await codeFlow(cfg, { redirectUri, scope: 'openid', params: { claims: JSON.stringify(claims) }, ua: browser('agent1') });
    const idt = tokens.claims()!;
    // Asked for the ID token with only the openid scope: present.
    expect(idt).toMatchObject({ sub: 'agent1', iss: issuerUrl(lab), email: 'agent1@lab.example' });
    expect(typeof idt['sid']).toBe('string');
    expect(typeof idt.auth_time).toBe('number');
    // Asked for userinfo only, or not at all: absent from the ID token.
    expect(idt).not.toHaveProperty('groups');
    expect(idt).not.toHaveProperty('name');
    const info = await oidc.fetchUserInfo(cfg, tokens.access_token, 'agent1');
    expect(info.groups).toEqual(['Agents', 'Team Sales']);
    expect(info).not.toHaveProperty('email');
    expect(info).not.toHaveProperty('name');
  });

  it('pairwise subjects differ per sector, stay stable per client, and differ from the username (OIDC Core §8.1)', async () => {
    const one = await publicClient('idt-pairwise-one', { subject_type: 'pairwise' }, 'https://app-one.example.test/callback');
    const two = await publicClient('idt-pairwise-two', { subject_type: 'pairwise' }, 'https://app-two.example.test/callback');
    const cfgOne = await discover(lab, 'idt-pairwise-one', oidc.None());
    const cfgTwo = await discover(lab, 'idt-pairwise-two', oidc.None());
    const ua = new UserAgent();
    const a = (await codeFlow(cfgOne, { redirectUri: one, scope: 'openid', ua })).tokens;
    const b = (await codeFlow(cfgTwo, { redirectUri: two, scope: 'openid', ua })).tokens;
    // The same client again, from a fresh sign-in in another browser.
    const again = await codeFlow(cfgOne, { redirectUri: one, scope: 'openid' });
    const [subA, subB, subAgain] = [a.claims()!.sub, b.claims()!.sub, again.tokens.claims()!.sub];
    expect(again.auth.pages).toEqual(['login']);
    expect(subA).not.toBe(subB);
    expect(subAgain).toBe(subA);
    for (const s of [subA, subB]) expect(s).not.toMatch(/agent1/i);
    // Userinfo speaks the same pairwise subject (openid-client checks it against the ID token's).
    expect((await oidc.fetchUserInfo(cfgTwo, b.access_token, subB)).sub).toBe(subB);
  });

  it('a public-subject client gets the username as sub', async () => {
    const cfg = await discover(lab, 'sample-spa', oidc.None());
    const { tokens } = await codeFlow(cfg, { redirectUri: 'http://localhost:8080/spa/callback', scope: 'openid', ua: browser('agent1') });
    expect(tokens.claims()!.sub).toBe('agent1');
  });

  it('every advertised acr value is reached by a user who qualifies, with its acr and amr in the ID token', async () => {
    const cfg = await discover(lab, 'sample-spa', oidc.None());
    // The table covers exactly what discovery promises.
    expect(ACR_CASES.map(([v]) => v).sort()).toEqual([...cfg.serverMetadata().acr_values_supported!].sort());
    for (const [acr, user, amr] of ACR_CASES) {
      const { tokens } = await codeFlow(cfg, {
        redirectUri: 'http://localhost:8080/spa/callback',
        scope: 'openid',
        params: { acr_values: acr },
        username: user,
        password: USERS[user],
        ua: browser(user),
      });
      const c = tokens.claims()!;
      expect({ acr: c.acr, amr: c.amr, sub: c.sub }, acr).toEqual({ acr, amr, sub: user });
      expect(decodeJwt(tokens.id_token!).acr).toBe(acr);
    }
  });
});
