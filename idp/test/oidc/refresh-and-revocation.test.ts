import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { addClient, basicAuth, issuerUrl, obtainCode, postForm, startOidcLab, type RawResponse } from '../helpers/oidc-rp.js';

/**
 * Refresh-token rotation and reuse detection (OAuth 2.0 Security BCP §4.14.2, RFC 9700), token
 * revocation (RFC 7009) and introspection (RFC 7662), and who may do what to whose tokens.
 */
describe('refresh tokens, revocation and introspection (negative)', () => {
  let lab: Lab;
  let issuer: string;
  const web = { id: 'sample-web', auth: basicAuth('sample-web', 'sample-web-secret-0123456789'), redirect: 'http://localhost:8080/callback' };
  const other = { id: 'other-web', secret: 'other-web-secret-0123456789', redirect: 'http://localhost:8080/other/callback' };
  const otherAuth = basicAuth(other.id, other.secret);
  const spa = { id: 'sample-spa', redirect: 'http://localhost:8080/spa/callback' };

  interface Tokens {
    access_token: string;
    refresh_token: string;
    id_token: string;
  }

  beforeAll(async () => {
    lab = await startOidcLab();
    issuer = issuerUrl(lab);
    await addClient(lab, {
      client_id: other.id,
      client_secret: other.secret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [other.redirect],
    });
  });
  afterAll(() => lab.stop());

  const token = (form: Record<string, string>, auth?: string) => postForm(`${issuer}/token`, form, auth ? { authorization: auth } : {});
  const introspect = (tok: string, auth?: string, extra: Record<string, string> = {}) =>
    postForm(`${issuer}/token/introspection`, { token: tok, ...extra }, auth ? { authorization: auth } : {});
  const revoke = (tok: string, auth?: string, extra: Record<string, string> = {}) => postForm(`${issuer}/token/revocation`, { token: tok, ...extra }, auth ? { authorization: auth } : {});
  const refresh = (rt: string, auth?: string, extra: Record<string, string> = {}) => token({ grant_type: 'refresh_token', refresh_token: rt, ...extra }, auth);

  /** A code flow for a confidential client (client_secret_basic) or, without `auth`, the public SPA. */
  async function signIn(clientId: string, redirectUri: string, auth?: string): Promise<Tokens> {
    const { code, verifier } = await obtainCode(lab, { clientId, redirectUri });
    const res = await token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirectUri, ...(auth ? {} : { client_id: clientId }) }, auth);
    expect(res.status, res.text).toBe(200);
    expect(typeof res.json.refresh_token).toBe('string');
    return res.json as Tokens;
  }

  function expectInvalidGrant(res: RawResponse): void {
    expect(res.status, res.text).toBe(400);
    expect(res.json.error).toBe('invalid_grant');
  }

  it('detects refresh-token reuse: the old token is invalid_grant and the rotated successor dies with the grant', async () => {
    const t0 = await signIn(web.id, web.redirect, web.auth);
    const r1 = await refresh(t0.refresh_token, web.auth);
    expect(r1.status, r1.text).toBe(200);
    const t1 = r1.json as Tokens;
    expect(t1.refresh_token).not.toBe(t0.refresh_token);
    expect((await introspect(t1.access_token, web.auth)).json.active).toBe(true);

    // The rotated-out token comes back (stolen copy or a replaying client): oidc-provider
    // refuses it and revokes the whole grant (actions/grants/refresh_token.js, "refresh token
    // already used"), as Security BCP §4.14.2 asks of an AS that rotates refresh tokens.
    const reuse = await refresh(t0.refresh_token, web.auth);
    expectInvalidGrant(reuse);
    expectInvalidGrant(await refresh(t1.refresh_token, web.auth));
    expect((await introspect(t1.access_token, web.auth)).json).toEqual({ active: false });
    expect((await introspect(t1.refresh_token, web.auth)).json).toEqual({ active: false });
  });

  it('answers {active:false} for a revoked access token', async () => {
    const t = await signIn(web.id, web.redirect, web.auth);
    const before = await introspect(t.access_token, web.auth);
    expect(before.json).toMatchObject({ active: true, client_id: web.id, sub: 'agent1', token_type: 'Bearer' });
    const rev = await revoke(t.access_token, web.auth, { token_type_hint: 'access_token' });
    expect(rev.status, rev.text).toBe(200);
    expect((await introspect(t.access_token, web.auth)).json).toEqual({ active: false });
  });

  it('refuses a revoked refresh token with invalid_grant', async () => {
    const t = await signIn(web.id, web.redirect, web.auth);
    const rev = await revoke(t.refresh_token, web.auth, { token_type_hint: 'refresh_token' });
    expect(rev.status, rev.text).toBe(200);
    expectInvalidGrant(await refresh(t.refresh_token, web.auth));
  });

  it('answers 200 to the revocation of an unknown token (RFC 7009 §2.2: invalid tokens are not an error)', async () => {
    for (const [bogus, hint] of [['not-a-token', 'access_token'], ['x'.repeat(43), 'refresh_token'], ['y'.repeat(43), undefined]] as const) {
      const res = await revoke(bogus, web.auth, hint ? { token_type_hint: hint } : {});
      expect(res.status, `${bogus}: ${res.text}`).toBe(200);
      expect(res.text).toBe('');
    }
    // A JWT-shaped token is different: oidc-provider cannot revoke structured (RFC 9068) access
    // tokens and says so with unsupported_token_type (RFC 7009 §2.2.1) rather than a fake 200.
    const jwtShaped = await revoke('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', web.auth);
    expect(jwtShaped.status).toBe(400);
    expect(jwtShaped.json.error).toBe('unsupported_token_type');
    // Client authentication is still required (RFC 7009 §2.1).
    const unauthenticated = await revoke('not-a-token', basicAuth(web.id, 'wrong-secret'));
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.json.error).toBe('invalid_client');
  });

  it("does not let another client revoke a token: a confidential one is told invalid_request, a public one gets a silent 200; the token stays active", async () => {
    const t = await signIn(web.id, web.redirect, web.auth);
    // RFC 7009 §2.1: the server checks "whether the token was issued to the client making the
    // revocation request". The lab's revocation policy (provider-config.ts, as oidc-provider's
    // default): a confidential client presenting someone else's token gets 400 invalid_request
    // ("client is not authorized to revoke the presented token")…
    const byOther = await revoke(t.access_token, otherAuth);
    expect(byOther.status, byOther.text).toBe(400);
    expect(byOther.json.error).toBe('invalid_request');
    expect(byOther.json.error_description).toMatch(/not authorized/);
    // …a public client is answered 200 without effect, so it cannot probe which tokens exist.
    const bySpa = await revoke(t.refresh_token, undefined, { client_id: spa.id });
    expect(bySpa.status, bySpa.text).toBe(200);

    expect((await introspect(t.access_token, web.auth)).json.active).toBe(true);
    expect((await introspect(t.refresh_token, web.auth)).json.active).toBe(true);
    const stillWorks = await refresh(t.refresh_token, web.auth);
    expect(stillWorks.status, stillWorks.text).toBe(200);
  });

  it("answers a public client's introspection of another client's token with active:false (its own: active:true)", async () => {
    const webTokens = await signIn(web.id, web.redirect, web.auth);
    const spaTokens = await signIn(spa.id, spa.redirect);
    // The lab's introspection policy (provider-config.ts): a public client only sees its own tokens.
    expect((await introspect(webTokens.access_token, undefined, { client_id: spa.id })).json).toEqual({ active: false });
    expect((await introspect(webTokens.refresh_token, undefined, { client_id: spa.id })).json).toEqual({ active: false });
    const own = await introspect(spaTokens.access_token, undefined, { client_id: spa.id });
    expect(own.json).toMatchObject({ active: true, client_id: spa.id });
    // The token really is live: its owner sees it.
    expect((await introspect(webTokens.access_token, web.auth)).json.active).toBe(true);
  });

  it("refuses client A's refresh token presented by client B with invalid_grant", async () => {
    const t = await signIn(web.id, web.redirect, web.auth);
    expectInvalidGrant(await refresh(t.refresh_token, otherAuth));
    expectInvalidGrant(await refresh(t.refresh_token, undefined, { client_id: spa.id }));
    // oidc-provider only refuses ("client mismatch"); the token stays its owner's to use.
    const owner = await refresh(t.refresh_token, web.auth);
    expect(owner.status, owner.text).toBe(200);
  });
});
