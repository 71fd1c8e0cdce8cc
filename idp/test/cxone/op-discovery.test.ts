import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { discoverCxone, raw, startCxoneLab } from './op-helpers.js';

/** Reference B.3: CXone's discovery document, tenant routing and key set, read by openid-client. */
describe('CXone OP discovery, cxone-configuration and jwks', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startCxoneLab();
  });
  afterAll(() => lab.stop());

  it('publishes exactly the fields and values of the B.3 table, with the lab URL as issuer', async () => {
    const r = await raw(`${lab.urls.cxone}/.well-known/openid-configuration`);
    expect(r.status).toBe(200);
    const base = lab.urls.cxone!;
    expect(r.json).toEqual({
      issuer: base,
      authorization_endpoint: `${base}/auth/authorize`,
      token_endpoint: `${base}/auth/token`,
      userinfo_endpoint: `${base}/auth/userinfo`,
      jwks_uri: `${base}/auth/jwks`,
      end_session_endpoint: `${base}/auth/authorize/logout`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid'],
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      request_object_signing_alg_values_supported: ['none'],
      display_values_supported: ['page', 'popup'],
      claim_types_supported: ['normal'],
      code_challenge_methods_supported: ['S256'],
    });
    // Nothing CXone does not publish is advertised.
    expect(r.json.revocation_endpoint).toBeUndefined();
    expect(r.json.introspection_endpoint).toBeUndefined();
  });

  it('is accepted by openid-client (issuer matches the URL it was fetched from)', async () => {
    const cfg = await discoverCxone(lab, 'cxone-sample-spa');
    const md = cfg.serverMetadata();
    expect(md.issuer).toBe(lab.urls.cxone);
    expect(md.supportsPKCE('S256')).toBe(true);
    expect(md.supportsPKCE('plain')).toBe(false);
  });

  it('routes the tenant with cxone-configuration, and answers another tenant with a JSON 404', async () => {
    const tenant = lab.state.cxone!.tenant;
    const ok = await raw(`${lab.urls.cxone}/.well-known/cxone-configuration?tenantId=${tenant.id}`);
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.json).sort()).toEqual(['acdDomain', 'api_endpoint', 'area', 'auth_endpoint', 'cluster', 'domain', 'private', 'tenantId', 'ui_endpoint', 'uhDomain'].sort());
    expect(ok.json).toMatchObject({ tenantId: tenant.id, area: tenant.area, cluster: tenant.clusterId, auth_endpoint: lab.urls.cxone, private: false, domain: new URL(lab.urls.cxone!).hostname });

    const unknown = await raw(`${lab.urls.cxone}/.well-known/cxone-configuration?tenantId=00000000-0000-4000-8000-000000000000`);
    expect(unknown.status).toBe(404);
    expect(unknown.code).toBe('ERR_CXONE_NOT_FOUND');
    expect(unknown.json.code).toBe('ERR_CXONE_NOT_FOUND');

    const missing = await raw(`${lab.urls.cxone}/.well-known/cxone-configuration`);
    expect(missing.status).toBe(400);
    expect(missing.json.code).toBe('ERR_CXONE_OP_INVALID_REQUEST');
    const twice = await raw(`${lab.urls.cxone}/.well-known/cxone-configuration?tenantId=a&tenantId=b`);
    expect(twice.status).toBe(400);
  });

  it('serves the public signing key only, with kid, use and alg', async () => {
    const r = await raw(`${lab.urls.cxone}/auth/jwks`);
    expect(r.status).toBe(200);
    expect(r.json.keys).toHaveLength(1);
    const k = r.json.keys[0];
    expect(k).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: lab.state.cxone!.op.signing.kid });
    for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k[priv]).toBeUndefined();
  });

  it('lets a browser app read discovery, jwks, token and userinfo cross-origin (CORS, no credentials)', async () => {
    const pre = await raw(`${lab.urls.cxone}/auth/token`, { method: 'OPTIONS', headers: { origin: 'http://localhost:8080', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const d = await raw(`${lab.urls.cxone}/.well-known/openid-configuration`, { headers: { origin: 'http://localhost:8080' } });
    expect(d.headers.get('access-control-allow-origin')).toBe('*');
    // The sign-in pages are not opened to other origins.
    const login = await raw(`${lab.urls.cxone}/login`, { headers: { origin: 'http://localhost:8080' } });
    expect(login.headers.get('access-control-allow-origin')).toBeNull();
  });
});

