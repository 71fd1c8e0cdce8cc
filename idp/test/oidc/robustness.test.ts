import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { basicAuth, clientKeyPair, control, issuerUrl, oidc, rawFetch, startOidcLab, type RawResponse } from '../helpers/oidc-rp.js';
import { prng } from '../helpers/prng.js';

/**
 * Garbage in, clean errors out (DESIGN §5: "Bad input gets a clear error in the surface's own
 * format and never a crash or a 500"). A bounded, seeded stream of malformed requests against every
 * endpoint of both issuers: no answer is ever 5xx, every non-HTML error is OAuth JSON with a
 * string `error` (RFC 6749 §5.2), and the service still serves afterwards.
 */
// Other seeds explore other streams (1–16 × 1500 requests were run clean when this was written).
const SEED = 0x1d9_0001;
const REQUESTS = 400;


interface Req {
  method: string;
  path: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  /** A live interaction of this issuer: `{uid}` in the path and its cookies come from a real authorization request. */
  live?: 'default' | 'ficam';
}

class Garbage {
  constructor(private readonly r: () => number) {}

  int(max: number): number {
    return Math.floor(this.r() * max);
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  b64url(n: number): string {
    const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let s = '';
    for (let i = 0; i < n; i++) s += abc[this.int(abc.length)];
    return s;
  }
  ascii(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(0x20 + this.int(95));
    return s;
  }
  /** A string value meant to break a parser: odd characters, encodings, shapes, sizes. */
  value(maxLen = 4096): string {
    switch (this.int(14)) {
      case 0:
        return '';
      case 1:
        return this.ascii(1 + this.int(40));
      case 2:
        return this.pick(['\u0000', '\ud800', '\u202e', '😀', 'ä', '\uffff', '\r\n', '\t']).repeat(1 + this.int(20));
      case 3:
        return this.pick(['%', '%zz', '%00', '%ff%fe', '%%%', '%E0%A4%A', '+', '&', '=', ';']);
      case 4:
        return this.pick(['{', '[]', '{}', 'null', 'true', '{"a":', '{"__proto__":{"x":1}}', '{"id_token":{"acr":{"essential":true,"values":7}}}', '{"userinfo":null}']);
      case 5:
        return `eyJ${this.b64url(10 + this.int(60))}.${this.b64url(this.int(80))}.${this.b64url(this.int(60))}`;
      case 6:
        return `${b64urlJson({ alg: this.pick(['none', 'RS256', 'HS256', 7, null]), kid: this.pick(['x', 1, null]) })}.${b64urlJson(this.jwtPayload())}.${this.b64url(this.int(40))}`;
      case 7:
        return this.pick(['A', 'x', '%41', '\u00e9']).repeat(this.int(maxLen));
      case 8:
        return String(this.pick([-1, 0, 1e309, 2 ** 53 + 1, -0.5, 1e-7, Number.NaN]));
      case 9:
        return this.pick(['http://localhost:8080/callback', 'javascript:alert(1)', 'http://evil.example/', '//evil', 'https://localhost:8443/ficam/callback', 'data:,x', 'urn:x', 'http://127.0.0.1:1/']);
      case 10:
        return this.pick(['sample-web', 'sample-spa', 'sample-jwt', 'sample-service', 'ficam-rp', 'SAMPLE-WEB', 'sample-web ', 'no-such']);
      case 11:
        return this.pick(['openid', 'openid offline_access', 'openid profile email groups api:read', 'offline_access', '', ' ', 'openid openid']);
      case 12:
        return this.pick(['code', 'id_token', 'code id_token', 'token', 'none', 'code token', 'id_token code', 'CODE']);
      default:
        return this.b64url(this.int(200));
    }
  }
  jwtPayload(): Record<string, unknown> {
    return {
      iss: this.pick(['sample-web', 'x', 1, null, ['a']]),
      sub: this.pick(['agent1', 2, null, {}]),
      aud: this.pick(['sample-web', 'sample-jwt', ['sample-web', 3], 4, { a: 1 }, null, []]),
      exp: this.pick([1, 9e15, 'x', null, -1]),
      sid: this.pick(['x', 5, undefined]),
    };
  }
  /**
   * Query-string / form parameters: known names for the endpoint, random ones, duplicates. The
   * default size keeps a GET under Node's 16 KB header limit (beyond it Node itself answers 431
   * without a body, before the lab sees the request).
   */
  params(names: readonly string[], maxLen = 1024): string {
    const out = new URLSearchParams();
    const n = this.int(names.length + 3);
    for (let i = 0; i < n; i++) {
      const name = this.chance(0.85) ? this.pick(names) : this.pick([this.ascii(1 + this.int(10)), '', '__proto__', 'constructor', 'a[b]', 'a[]']);
      out.append(name, this.value(maxLen));
      if (this.chance(0.08)) out.append(name, this.value(64));
    }
    return out.toString();
  }
  /** An Authorization header that is broken in some way (or, sometimes, valid). */
  authorization(): string | undefined {
    switch (this.int(10)) {
      case 0:
        return undefined;
      case 1:
        return 'Basic';
      case 2:
        return `Basic ${this.ascii(this.int(30))}`;
      case 3:
        return `Basic ${Buffer.from(this.ascii(this.int(30)).replace(/:/g, '')).toString('base64')}`;
      case 4:
        return `Basic ${Buffer.from(`%zz:%${this.ascii(3)}`).toString('base64')}`;
      case 5:
        return `Basic ${Buffer.from(`sample-web:`).toString('base64')}`;
      case 6:
        return basicAuth('sample-web', 'sample-web-secret-0123456789');
      case 7:
        return `Bearer ${this.b64url(this.int(60))}`;
      case 8:
        return `Basic ${'QUFB'.repeat(this.int(2000))}`;
      default:
        return `${this.pick(['DPoP', 'basic', 'BASIC', 'Digest', ''])} ${this.ascii(this.int(40))}`.trim();
    }
  }
  contentType(): string | undefined {
    return this.pick([
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=utf-16',
      'application/x-www-form-urlencoded; charset=no-such-charset',
      'application/json',
      'application/json; charset=latin1',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/jwt',
      'application/xml',
      undefined,
      this.ascii(10),
    ]);
  }
  body(names: readonly string[]): string {
    switch (this.int(6)) {
      case 0:
        return JSON.stringify(Object.fromEntries(names.map((n) => [n, this.pick([this.value(256), 1, null, [], {}, true])])));
      case 1:
        return this.ascii(this.int(500));
      case 2:
        return `--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\n${this.value(64)}\r\n--x--`;
      case 3:
        return this.params(names, 64 * 1024);
      default:
        return this.params(names, 2048);
    }
  }
}

/** encodeURIComponent that cannot throw: lone surrogates become U+FFFD first (as URLSearchParams does). */
function enc(s: string): string {
  return encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

function b64urlJson(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

/** Header values fetch can send: printable ASCII only (undici refuses CR, LF, NUL, non-latin1). */
function headerSafe(h: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = v.replace(/[^\x20-\x7e]/g, '?');
  return out;
}

const AUTH_PARAMS = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age', 'claims', 'acr_values', 'response_mode', 'resource', 'login_hint', 'id_token_hint', 'request', 'request_uri', 'ui_locales', 'display', 'registration', 'claims_locales'] as const;
const TOKEN_PARAMS = ['grant_type', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope', 'resource', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type'] as const;
const TOKEN_MGMT_PARAMS = ['token', 'token_type_hint', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type'] as const;
const LOGOUT_PARAMS = ['id_token_hint', 'post_logout_redirect_uri', 'client_id', 'state', 'logout_hint', 'ui_locales', 'xsrf', 'logout'] as const;
const INTERACTION_PARAMS = ['username', 'password', 'decision', 'xsrf'] as const;
const CLIENT_METADATA = ['redirect_uris', 'grant_types', 'response_types', 'token_endpoint_auth_method', 'jwks', 'jwks_uri', 'claim_mapping', 'first_party', 'require_pkce', 'profile', 'client_name', 'subject_type', 'id_token_signed_response_alg', 'post_logout_redirect_uris', 'sector_identifier_uri', 'scope', 'client_id'] as const;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;

describe('robustness: garbage input never gets a 5xx', () => {
  let lab: Lab;
  /** A public key FICAM registrations can carry. */
  let clientJwk: JsonWebKey;

  beforeAll(async () => {
    // Registration on, so /reg is really exercised (it is off by default).
    lab = await startOidcLab({ config: { oidc: { registration: { enabled: true } } } });
    clientJwk = (await clientKeyPair('ES256')).publicJwk;
  });
  afterAll(() => lab.stop());

  /** One garbage request for an issuer at `prefix` ('' or '/ficam'). */
  function generate(g: Garbage, prefix: string): Req {
    const withQuery = (path: string, names: readonly string[]) => {
      const q = g.params(names);
      return q ? `${path}?${q}` : path;
    };
    const formHeaders = () => ({ 'content-type': g.contentType(), authorization: g.authorization() });
    switch (g.int(11)) {
      case 0:
        // The authorization endpoint, half the time with a real client and redirect URI so that
        // the garbage reaches the checks behind them (errors then go back to the client).
        if (g.chance(0.5)) {
          const real = g.pick([
            { client_id: 'sample-web', redirect_uri: 'http://localhost:8080/callback' },
            { client_id: 'sample-spa', redirect_uri: 'http://localhost:8080/spa/callback' },
            { client_id: 'ficam-rp', redirect_uri: 'https://localhost:8443/ficam/callback' },
          ]);
          const extra = g.params(AUTH_PARAMS.filter((n) => n !== 'client_id' && n !== 'redirect_uri'));
          const base = new URLSearchParams({ ...real, response_type: 'code', scope: 'openid' });
          const q = `${base.toString()}${extra ? `&${extra}` : ''}`;
          return g.chance(0.8)
            ? { method: 'GET', path: `${prefix}/auth?${q}` }
            : { method: 'POST', path: `${prefix}/auth`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: q };
        }
        return g.chance(0.7) ? { method: 'GET', path: withQuery(`${prefix}/auth`, AUTH_PARAMS) } : { method: 'POST', path: `${prefix}/auth`, headers: formHeaders(), body: g.body(AUTH_PARAMS) };
      case 1:
      case 2:
        return { method: g.chance(0.9) ? 'POST' : g.pick(METHODS), path: `${prefix}/token`, headers: formHeaders(), body: g.body(TOKEN_PARAMS) };
      case 3: {
        const auth = g.pick([`Bearer ${g.value(512)}`, 'Bearer', `Bearer ${g.b64url(43)}`, `DPoP ${g.b64url(43)}`, g.authorization() ?? '', `Bearer ${g.b64url(20)} extra`]);
        return g.chance(0.6)
          ? { method: 'GET', path: withQuery(`${prefix}/me`, ['access_token', 'schema']), headers: { authorization: auth } }
          : { method: g.pick(['POST', 'PUT', 'DELETE']), path: `${prefix}/me`, headers: { authorization: auth, 'content-type': g.contentType() }, body: g.body(['access_token']) };
      }
      case 4:
        return { method: g.chance(0.9) ? 'POST' : g.pick(METHODS), path: `${prefix}/token/introspection`, headers: formHeaders(), body: g.body(TOKEN_MGMT_PARAMS) };
      case 5:
        return { method: g.chance(0.9) ? 'POST' : g.pick(METHODS), path: `${prefix}/token/revocation`, headers: formHeaders(), body: g.body(TOKEN_MGMT_PARAMS) };
      case 6: {
        const path = g.pick([`${prefix}/session/end`, `${prefix}/session/end/confirm`, `${prefix}/session/end/success`]);
        return g.chance(0.5)
          ? { method: 'GET', path: withQuery(path, LOGOUT_PARAMS) }
          : { method: 'POST', path, headers: { 'content-type': g.contentType(), cookie: `_session.default=${g.b64url(20)}` }, body: g.body(LOGOUT_PARAMS) };
      }
      case 7: {
        const uid = g.pick([g.b64url(21), g.value(64), '%zz', '..', '%2e%2e', g.b64url(2000)]);
        const tail = g.pick(['', '/login', '/consent', '/abort', '/x', '/login/']);
        const path = `${prefix}/interaction/${enc(uid).replace(/%25zz/, '%zz')}${tail}`;
        const cookie = `_interaction.${g.pick(['default', 'ficam'])}=${g.b64url(21)}; _interaction_resume.default=${g.value(40)}`;
        if (g.chance(0.4)) {
          // A real pending interaction (uid and cookie from an authorization request), garbage posted to it.
          const live = prefix === '' ? 'default' : 'ficam';
          const action = g.pick(['/login', '/login', '/consent', '/abort', '']);
          return g.chance(0.2)
            ? { method: 'GET', path: `${prefix}/interaction/{uid}${action}`, live }
            : { method: 'POST', path: `${prefix}/interaction/{uid}${action}`, headers: { 'content-type': g.contentType() }, body: g.body(INTERACTION_PARAMS), live };
        }
        return g.chance(0.4)
          ? { method: 'GET', path, headers: { cookie } }
          : { method: g.chance(0.8) ? 'POST' : g.pick(METHODS), path, headers: { cookie, 'content-type': g.contentType() }, body: g.body(INTERACTION_PARAMS) };
      }
      case 8: {
        if (g.chance(0.7)) {
          // Half the time a registration that would pass, a few fields then bent: the garbage
          // reaches the checks behind the first ones (the lab's fields, the client store).
          const base: Record<string, unknown> = !g.chance(0.5)
            ? {}
            : prefix === ''
              ? { redirect_uris: ['https://rp.example/cb'] }
              : { redirect_uris: ['https://rp.example/cb'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [clientJwk] } };
          const bent = Object.fromEntries(
            CLIENT_METADATA.filter(() => g.chance(base['redirect_uris'] ? 0.15 : 0.4)).map((k) => [
              k,
              g.pick([
                g.value(128),
                [g.value(64)],
                ['http://localhost:9/cb'],
                { [g.pick(['bad name', 'ok_name', '', '1x', g.ascii(5)])]: g.pick(['{attributes.x}', 1, null, ['a'], '{']) },
                { keys: [{ kty: g.pick(['RSA', 'EC', 'oct', 7]), n: g.b64url(10), e: 'AQAB', crv: 'P-256', x: g.b64url(5) }] },
                g.pick([true, false, 0, null, {}]),
                'https://127.0.0.1:1/sector.json',
              ]),
            ]),
          );
          const metadata = { ...base, ...bent };
          return { method: 'POST', path: `${prefix}/reg`, headers: { 'content-type': g.pick(['application/json', 'application/json', 'text/plain']), authorization: g.chance(0.3) ? `Bearer ${g.b64url(20)}` : '' }, body: g.chance(0.85) ? JSON.stringify(metadata) : g.body(CLIENT_METADATA) };
        }
        return { method: g.pick(METHODS), path: `${prefix}/reg/${enc(g.value(64))}`, headers: { authorization: `Bearer ${g.b64url(30)}`, 'content-type': 'application/json' }, body: JSON.stringify({ client_id: g.value(20) }) };
      }
      case 9: {
        const path = g.pick([
          `${prefix}/${g.b64url(1 + g.int(30))}`,
          `${prefix}/.well-known/${g.b64url(8)}`,
          `${prefix}/jwks/${g.b64url(4)}`,
          `${prefix}/%zz`,
          `${prefix}/%`,
          `${prefix}/a%00b`,
          `${prefix}/..%2f..%2fetc/passwd`,
          `${prefix}/token/${g.b64url(5)}`,
          `${prefix}//auth`,
          `/api/${g.b64url(5)}`,
          '/healthz/x',
        ]);
        return { method: g.pick(METHODS), path, headers: { 'content-type': g.contentType() }, ...(g.chance(0.3) ? { body: g.ascii(100) } : {}) };
      }
      default:
        // Known endpoints with the wrong method or stray query strings.
        return {
          method: g.pick(METHODS),
          path: withQuery(`${prefix}${g.pick(['/.well-known/openid-configuration', '/jwks', '/token', '/me', '/auth', '/session/end', '/reg', '/token/introspection'])}`, ['x', 'client_id', 'schema']),
          headers: { authorization: g.authorization(), 'content-type': g.contentType() },
          ...(g.chance(0.5) ? { body: g.ascii(200) } : {}),
        };
    }
  }

  /** Starts a real authorization request on `issuer` and returns its interaction uid and cookies. */
  async function liveInteraction(issuer: 'default' | 'ficam'): Promise<{ uid: string; cookie: string }> {
    const url = new URL(`${issuerUrl(lab, issuer)}/auth`);
    const params = {
      client_id: issuer === 'ficam' ? 'ficam-rp' : 'sample-web',
      redirect_uri: issuer === 'ficam' ? 'https://localhost:8443/ficam/callback' : 'http://localhost:8080/callback',
      response_type: 'code',
      scope: 'openid',
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await rawFetch(url);
    const uid = /\/interaction\/([^/?]+)/.exec(res.location ?? '')?.[1];
    if (res.status !== 303 || !uid) throw new Error(`no interaction: ${res.status} ${res.text.slice(0, 200)}`);
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    return { uid, cookie };
  }

  async function send(req: Req): Promise<RawResponse> {
    const hasBody = req.body !== undefined && req.method !== 'GET' && req.method !== 'HEAD';
    let path = req.path;
    const headers = { ...req.headers };
    if (req.live) {
      const { uid, cookie } = await liveInteraction(req.live);
      path = path.replace('{uid}', uid);
      headers['cookie'] = cookie;
    }
    return rawFetch(`${lab.urls.oidc}${path}`, {
      method: req.method,
      headers: headerSafe(headers),
      ...(hasBody ? { body: req.body } : {}),
    });
  }

  /**
   * What is wrong with an answer, or undefined. HTML is for the real pages only (sign-in, consent,
   * logout confirmation, signed out), which come with 2xx; an error is never an HTML page, at any
   * status (DESIGN §5; RFC 6749 §5.2 for the token-type endpoints).
   */
  function problem(req: Req, res: RawResponse): string | undefined {
    if (res.status >= 500) return `${res.status}`;
    if (res.status < 400) return undefined;
    const type = res.headers.get('content-type') ?? '';
    if (/text\/html/.test(type)) return `HTML error body (${res.status})`;
    if (req.method === 'HEAD') return undefined; // no body to parse, the content-type was checked
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      return `non-JSON error body (${type || 'no content-type'})`;
    }
    if (typeof (body as { error?: unknown } | null)?.error !== 'string') return 'JSON error without a string `error`';
    return undefined;
  }

  it(`answers ${REQUESTS} seeded garbage requests (seed ${SEED}) without a 5xx, with OAuth JSON errors, and keeps serving`, async () => {
    const g = new Garbage(prng(SEED));
    const byStatus: Record<string, number> = {};
    const bad: string[] = [];
    /** HTML answers: pages (< 400) are expected, errors (≥ 400) must never be HTML. */
    const html = { pages: 0, errors: 0 };
    for (let i = 0; i < REQUESTS; i++) {
      const req = generate(g, g.chance(0.5) ? '' : '/ficam');
      const res = await send(req);
      byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
      if (/text\/html/.test(res.headers.get('content-type') ?? '')) html[res.status >= 400 ? 'errors' : 'pages']++;
      const p = problem(req, res);
      if (p && bad.length < 10) bad.push(`#${i} ${req.method} ${req.path.slice(0, 160)} [${JSON.stringify(req.headers ?? {}).slice(0, 160)}] body=${JSON.stringify((req.body ?? '').slice(0, 120))} → ${p}: ${res.text.slice(0, 200)}`);
    }
    const summary = `statuses ${JSON.stringify(byStatus)}, HTML pages ${html.pages}, HTML errors ${html.errors}`;
    expect(bad, `${summary}\n${bad.join('\n')}`).toEqual([]);
    expect(html.errors, summary).toBe(0);
    // …while the stream did reach real pages, so the check above tells HTML apart at all.
    expect(html.pages, summary).toBeGreaterThan(0);
    // The stream reached more than one outcome: it is not, say, 400 to everything.
    expect(Object.keys(byStatus).length, summary).toBeGreaterThan(3);

    const health = await rawFetch(`${lab.urls.oidc}/healthz`);
    expect(health.status).toBe(200);
    expect(health.json.status).toBe('ok');
    for (const id of ['default', 'ficam']) {
      const meta = await rawFetch(`${issuerUrl(lab, id)}/.well-known/openid-configuration`);
      expect(meta.status).toBe(200);
      expect(meta.json.issuer).toBe(issuerUrl(lab, id));
    }
  });

  it.each([
    ['/token', 'application/x-www-form-urlencoded', `grant_type=client_credentials&scope=${'a'.repeat(200 * 1024)}`],
    ['/token/introspection', 'application/x-www-form-urlencoded', `token=${'t'.repeat(100 * 1024)}`],
    ['/auth', 'application/x-www-form-urlencoded', `client_id=sample-web&state=${'s'.repeat(100 * 1024)}`],
    ['/session/end', 'application/x-www-form-urlencoded', `state=${'s'.repeat(100 * 1024)}`],
    ['/interaction/abc/login', 'application/x-www-form-urlencoded', `username=agent1&password=${'p'.repeat(32 * 1024)}`],
    ['/reg', 'application/json', JSON.stringify({ redirect_uris: ['http://localhost:9/cb'], client_name: 'n'.repeat(200 * 1024) })],
    ['/ficam/token', 'application/x-www-form-urlencoded', `grant_type=authorization_code&code=${'c'.repeat(200 * 1024)}`],
  ])('refuses an oversized body at %s with a 4xx OAuth JSON error', async (path, type, body) => {
    const res = await rawFetch(`${lab.urls.oidc}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    expect(res.status, res.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
    expect(res.status, res.text.slice(0, 200)).toBeLessThan(500);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(typeof res.json?.error, res.text.slice(0, 200)).toBe('string');
  });

  // Regression: with a token-endpoint fault queued, the lab reads the client id out of the Basic
  // header itself (to match the fault's clientId) before oidc-provider sees the request; a
  // malformed %-escape there threw outside the request's error handling and took the process
  // down. Now: an answer (the injected invalid_grant, or the library's own 4xx), never a hang or 5xx.
  describe('malformed Basic credentials while a token fault is queued', () => {
    const b64 = (b: string | Buffer) => Buffer.from(b).toString('base64');
    const headers: Array<[string, string]> = [
      ['a bad %-escape in the client id', `Basic ${b64('%zz:x')}`],
      ['a truncated %-escape', `Basic ${b64('%E0%A4%A:x')}`],
      ['an escaped lone surrogate (%ED%A0%80)', `Basic ${b64('%ED%A0%80:secret')}`],
      ['bytes that are not UTF-8', `Basic ${b64(Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x3a, 0x78]))}`],
      ['not UTF-8, then a bad escape', `Basic ${b64(Buffer.concat([Buffer.from([0xc0, 0xaf]), Buffer.from('%:%zz')]))}`],
      ['no colon at all', `Basic ${b64('%zz')}`],
      ['not base64', 'Basic !!!%zz:x'],
    ];
    const targets: Array<[string, Record<string, unknown>]> = [
      ['any client (the request takes it)', {}],
      ['another client (the request reaches oidc-provider)', { clientId: 'sample-web' }],
    ];

    for (const [which, filter] of targets) {
      for (const prefix of ['', '/ficam']) {
        it.each(headers)(`fault for ${which}, ${prefix}/token: %s → a 4xx OAuth JSON answer`, async (_what, authorization) => {
          expect((await control(lab, 'DELETE', '/faults')).status).toBeLessThan(300);
          const queued = await control(lab, 'POST', '/faults', { surface: 'oidc', kind: 'invalid-grant', ...filter });
          expect(queued.status).toBe(201);
          const res = await rawFetch(`${lab.urls.oidc}${prefix}/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
            body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x'.repeat(43), redirect_uri: 'http://localhost:8080/callback', code_verifier: 'v'.repeat(43) }),
            // A hang (the old crash left the socket open) fails this test, not the suite.
            signal: AbortSignal.timeout(5000),
          });
          expect(res.status, res.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
          expect(res.status, res.text.slice(0, 200)).toBeLessThan(500);
          expect(res.headers.get('content-type')).toMatch(/application\/json/);
          expect(typeof res.json?.error, res.text.slice(0, 200)).toBe('string');
          const left = (await control(lab, 'GET', '/faults')).body as unknown[];
          if (filter['clientId']) {
            // Not the fault's client: oidc-provider refused the header itself, and the fault waits.
            expect(res.json.error).not.toBe('invalid_grant');
            expect(left).toHaveLength(1);
          } else if (left.length === 0) {
            // Taken: the injected answer (RFC 6749 §5.2).
            expect(res.status).toBe(400);
            expect(res.json.error).toBe('invalid_grant');
            expect(res.json.error_description).toMatch(/injected fault/);
          }
          expect((await rawFetch(`${lab.urls.oidc}/healthz`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
          await control(lab, 'DELETE', '/faults');
        });
      }
    }
  });

  // Found by this loop: a registration whose claim_mapping broke the lab's claim-name rule passed
  // oidc-provider and failed in the client store → 500.
  it('answers a registration with a bad claim_mapping key by 400 invalid_client_metadata, not a 500', async () => {
    const res = await rawFetch(`${issuerUrl(lab)}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://rp.example/cb'], claim_mapping: { 'bad name': '{attributes.department}' } }),
    });
    expect(res.status, res.text).toBe(400);
    expect(res.json.error).toBe('invalid_client_metadata');
    expect(res.json.error_description).toMatch(/claim_mapping/);
  });

  // Found by this loop: the FICAM rules ran (as oidc-provider's extraClientMetadata validator)
  // before the library's own type checks and threw a TypeError on non-array metadata → 500.
  it.each([
    ['response_types as an object', { response_types: {}, redirect_uris: ['https://rp.example/cb'] }],
    ['grant_types as a number', { grant_types: 0, redirect_uris: ['https://rp.example/cb'] }],
    ['redirect_uris as an object', { redirect_uris: { a: 1 } }],
    ['redirect_uris with a non-string', { redirect_uris: [7], token_endpoint_auth_method: 'private_key_jwt' }],
  ])('answers /ficam/reg with %s by 400 invalid_client_metadata, not a 500', async (_what, metadata) => {
    const res = await rawFetch(`${issuerUrl(lab, 'ficam')}/reg`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metadata) });
    expect(res.status, res.text).toBe(400);
    expect(res.json.error).toBe('invalid_client_metadata');
  });

  it('still completes a real flow after the garbage (the providers were not wedged)', async () => {
    const url = new URL(`${issuerUrl(lab)}/auth`);
    const params = { client_id: 'sample-web', redirect_uri: 'http://localhost:8080/callback', response_type: 'code', scope: 'openid', state: oidc.randomState(), code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await rawFetch(url);
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/\/interaction\//);
  });
});
