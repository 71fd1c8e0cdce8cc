import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import { readForm, UserAgent } from '../../../harness/src/clients/user-agent.js';
import type { Lab } from '../../src/lab.js';
import type { Exchange } from '../../src/shared/exchange-log.js';
import { FinesseSsoClient } from '../../../harness/src/clients/finesse/sso-token-client.js';
import { codeFlow, discover, oidc } from '../helpers/oidc-rp.js';
import { IDS_RP_NAME, IdsFlow } from '../helpers/ids-flow.js';
import { AGENT2_EMAIL, LAB_OIDC_ID, signIn as cxoneOidcSignIn } from '../cxone/oidc-helpers.js';
import { cxoneCodeFlow, discoverCxone, WEB } from '../cxone/op-helpers.js';
import { AGENT1, browser as cxoneBrowser, postToAcs, signInAtAdfs } from '../cxone/saml-flow.js';

/**
 * `GET /api/exchanges` and its event stream, fed by real flows through every service: an
 * SP-initiated SAML sign-in at the sample SP, an OIDC code flow with userinfo, Finesse REST, the
 * IdS half of F1 (accepted, and refused after a fault), CXone's SAML and OIDC authenticators and
 * CXone as an OP. Each exchange must carry what the service knew: the decoded message, the
 * signature outcome, the user, the refusal code. Then the filters and the refusals of bad queries.
 */

let lab: Lab;
beforeAll(async () => {
  lab = await startTestLab({});
});
afterAll(async () => {
  await lab?.stop();
});

const NONSSO1 = `Basic ${Buffer.from('nonsso1:NonSso1Pass!').toString('base64')}`;

async function api(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${lab.urls.console}/api${path}`);
  return { status: res.status, body: await res.json() };
}

/** The instant just before a step: what it records comes strictly after. */
function mark(): string {
  return new Date(Date.now() - 1).toISOString();
}

async function since(t0: string, filter: Record<string, string> = {}): Promise<Exchange[]> {
  const r = await api(`/exchanges?${new URLSearchParams({ since: t0, limit: '500', ...filter })}`);
  expect(r.status).toBe(200);
  return r.body as Exchange[];
}

function jwtClaims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function sampleSpSignIn(ua = new UserAgent()): Promise<void> {
  const start = await ua.get(`${lab.urls.console}/sample-sp/login`);
  const login = await ua.get(start.location!);
  const form = readForm(login.body, login.url);
  const post = await ua.post(form.action, { ...form.fields, UserName: 'agent1', Password: 'Agent1Pass!' });
  const toAcs = readForm(post.body, post.url);
  expect((await ua.post(toAcs.action, toAcs.fields)).status).toBe(200);
}

describe('what each service records after a real flow', () => {
  it('AD FS: the AuthnRequest received (signature verified) before the signed Response sent', async () => {
    const t0 = mark();
    await sampleSpSignIn();
    const [request, response, ...rest] = await since(t0, { service: 'adfs' });
    expect(rest).toEqual([]);
    expect(request).toMatchObject({ service: 'adfs', kind: 'saml', direction: 'in', method: 'GET', path: '/adfs/ls/', summary: 'AuthnRequest from urn:idp-harness:sample-sp (HTTP-Redirect)' });
    expect(request!.payload.signature?.status).toBe('valid');
    expect(request!.payload.samlXml).toMatch(/<samlp:AuthnRequest\b/);
    expect(response).toMatchObject({ direction: 'out', user: 'agent1', path: `${lab.urls.console}/sample-sp/acs` });
    expect(response!.payload.signature?.status).toBe('valid');
    expect(response!.payload.samlXml).toMatch(/^<samlp:Response\b[\s\S]*<Assertion\b[\s\S]*<ds:SignatureValue>/);
    expect(request!.seq).toBeLessThan(response!.seq);
    expect(request!.at <= response!.at).toBe(true);
    expect(Date.parse(response!.labAt)).toBeGreaterThan(0);
  });

  it('AD FS: a response bent by a queued fault says so (unsigned, then altered after signing)', async () => {
    for (const [kind, status] of [
      ['unsigned', 'unsigned'],
      ['tampered', 'invalid'],
    ] as const) {
      expect((await fetch(`${lab.urls.console}/api/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ surface: 'adfs', kind }) })).status).toBe(201);
      const t0 = mark();
      const ua = new UserAgent();
      const start = await ua.get(`${lab.urls.console}/sample-sp/login`);
      const login = await ua.get(start.location!);
      const form = readForm(login.body, login.url);
      await ua.post(form.action, { ...form.fields, UserName: 'agent1', Password: 'Agent1Pass!' });
      const out = (await since(t0, { service: 'adfs' })).filter((e) => e.direction === 'out');
      expect(out).toHaveLength(1);
      expect(out[0]!.summary).toContain(`[fault ${kind}]`);
      expect(out[0]!.payload.signature?.status).toBe(status);
    }
  });

  it('OIDC: the token response with its ID token, then userinfo, for the signed-in account', async () => {
    const cfg = await discover(lab, 'sample-web', oidc.ClientSecretBasic('sample-web-secret-0123456789'));
    const t0 = mark();
    const { tokens } = await codeFlow(cfg, { redirectUri: 'http://localhost:8080/callback' });
    await oidc.fetchUserInfo(cfg, tokens.access_token, tokens.claims()!.sub);
    const [token, userinfo, ...rest] = await since(t0, { service: 'oidc' });
    expect(rest).toEqual([]);
    expect(token).toMatchObject({ kind: 'oidc', direction: 'out', method: 'POST', path: '/token', status: 200, user: 'agent1' });
    expect(token!.summary).toContain('sample-web');
    expect(token!.payload.jwt![0]).toBe(tokens.id_token);
    expect(jwtClaims(token!.payload.jwt![0]!)).toMatchObject({ sub: 'agent1', aud: 'sample-web' });
    expect(userinfo).toMatchObject({ path: '/me', status: 200, user: 'agent1' });
    expect(JSON.parse(userinfo!.payload.http!.responseBody!)).toMatchObject({ sub: 'agent1' });
  });

  it('OIDC: a refused token request is recorded with its OAuth error', async () => {
    const t0 = mark();
    const res = await fetch(`${lab.urls.oidc}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('sample-web:sample-web-secret-0123456789').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: 'http://localhost:8080/callback' }),
    });
    expect(res.status).toBe(400);
    const [refused] = await since(t0, { service: 'oidc' });
    expect(refused).toMatchObject({ status: 400, code: 'invalid_grant' });
    expect(refused!.payload.jwt).toBeUndefined();
  });

  it('Finesse: a REST GET with method, path, status, user and the XML answered', async () => {
    const t0 = mark();
    const res = await fetch(`${lab.urls.finesse}/finesse/api/User/1003`, { headers: { authorization: NONSSO1, requestId: 'req-42' } });
    expect(res.status).toBe(200);
    const [get] = await since(t0, { service: 'finesse' });
    expect(get).toMatchObject({ kind: 'finesse', direction: 'in', method: 'GET', path: '/finesse/api/User/1003', status: 200, user: 'nonsso1' });
    expect(get!.summary).toBe('GET /finesse/api/User/1003 → 200 (requestId req-42)');
    expect(get!.payload.http!.responseBody).toMatch(/^<\?xml[\s\S]*<loginId>1003<\/loginId>/);
    const bad = await fetch(`${lab.urls.finesse}/finesse/api/User/1003`, { headers: { authorization: `Basic ${Buffer.from('nonsso1:wrong').toString('base64')}` } });
    expect(bad.status).toBe(401);
    const [refused] = await since(t0, { service: 'finesse', q: 'ERR_FINESSE_UNAUTHORIZED' });
    expect(refused).toMatchObject({ status: 401, code: 'ERR_FINESSE_UNAUTHORIZED', user: 'nonsso1' });
    expect(refused!.payload.http!.responseBody).toContain('<ApiErrors>');
  });

  it('Finesse SSO (F1): the token fetch sent to IdS, the code redeemed, the refresh; IdS and AD FS in between', async () => {
    const t0 = mark();
    const sso = new FinesseSsoClient({ finesseUrl: lab.urls.finesse!, username: 'agent1', password: 'Agent1Pass!', now: () => lab.state.clock.now() });
    const token = await sso.acquire();
    await sso.refresh();
    const flow = (await since(t0)).map((e) => `${e.service} ${e.direction} ${e.summary.replace(/ for .*| to client .*|: .*/, '')}`);
    expect(flow).toEqual([
      `finesse in SSO token fetch → 302 to ${lab.urls.ids}/ids/v1/oauth/authorize`,
      'adfs in AuthnRequest from localhost (HTTP-POST)',
      'adfs out Response to Cisco Identity Service',
      'ids in SAML response accepted at the IdS ACS',
      // A request is listed where it arrived, before what its handling produced (IdS in-process).
      'finesse in SSO code from IdS redeemed → 200',
      'ids out IdS tokens',
      'finesse in SSO token refresh → 200',
      'ids out IdS tokens',
    ]);
    const [redeemed] = await since(t0, { service: 'finesse', q: 'redeemed' });
    expect(redeemed!.user).toBe('agent1');
    expect(JSON.parse(redeemed!.payload.http!.responseBody!)).toMatchObject({ token: token.token, user_id: 'agent1' });
  });

  it('IdS: the SAML response accepted at its ACS (signature verified), then the tokens issued', async () => {
    const flow = new IdsFlow(lab);
    const captured = await flow.capture();
    const t0 = mark();
    await flow.complete(await flow.post(captured));
    const [acs, tokens, ...rest] = await since(t0, { service: 'ids' });
    expect(rest).toEqual([]);
    expect(acs).toMatchObject({ kind: 'saml', direction: 'in', path: '/ids/saml/response', status: 200, user: 'agent1' });
    expect(acs!.payload.samlXml).toBe(captured.xml);
    expect(acs!.payload.signature?.status).toBe('valid');
    expect(tokens).toMatchObject({ kind: 'ids', direction: 'out', user: 'agent1' });
    expect(tokens!.summary).toContain('code redeemed');
  });

  it('IdS: a response altered after signing is refused, with its code and an invalid signature', async () => {
    await fetch(`${lab.urls.console}/api/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ surface: 'adfs', kind: 'tampered', relyingParty: IDS_RP_NAME }) });
    const flow = new IdsFlow(lab);
    const captured = await flow.capture();
    const t0 = mark();
    const refused = await flow.post(captured);
    expect(refused.status).toBe(403);
    const [acs] = await since(t0, { service: 'ids' });
    expect(acs!.code).toBe(refused.headers['x-idp-harness-error']);
    expect(acs!.code).toMatch(/SIGNATURE/);
    expect(acs!.status).toBe(403);
    expect(acs!.payload.signature?.status).toBe('invalid');
    expect(acs!.user).toBeUndefined();
  });

  it('CXone: the SAML response accepted at an authenticator, an ID token received, tokens issued as an OP', async () => {
    const t0 = mark();
    const ua = cxoneBrowser(lab);
    const post = await signInAtAdfs(ua, lab);
    expect((await postToAcs(ua, post)).status).toBe(303);
    const oidcSignIn = await cxoneOidcSignIn(lab, AGENT2_EMAIL, LAB_OIDC_ID);
    expect(oidcSignIn.response.status).toBe(303);
    const { tokens } = await cxoneCodeFlow(await discoverCxone(lab, WEB.clientId, oidc.ClientSecretBasic(WEB.secret), WEB.secret), WEB.redirectUri);
    const cx = await since(t0, { service: 'cxone' });
    expect(cx.map((e) => [e.kind, e.direction])).toEqual([
      ['saml', 'in'],
      ['jwt', 'in'],
      ['jwt', 'out'],
    ]);
    expect(cx[0]).toMatchObject({ user: AGENT1.username, status: 200 });
    expect(cx[0]!.payload.samlXml).toBe(post.xml);
    expect(cx[0]!.payload.signature?.status).toBe('valid');
    expect(cx[1]!.summary).toBe("ID token accepted at 'Lab OIDC' for agent2");
    expect(cx[1]!.payload.signature?.status).toBe('valid');
    expect(jwtClaims(cx[1]!.payload.jwt![0]!)).toMatchObject({ sub: 'agent2', aud: 'cxone-lab' });
    expect(cx[2]!.payload.jwt).toEqual([tokens.id_token, tokens.access_token, tokens.refresh_token]);
  });

  it('CXone: a refusal at the ACS names the authenticator and the code', async () => {
    const t0 = mark();
    const res = await fetch(`${lab.urls.cxone}/auth/authorize?tenantId=5b2e8c4d-7f1a-4c3b-8e9d-0a1b2c3d4e51`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: Buffer.from('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>').toString('base64') }),
    });
    const [acs] = await since(t0, { service: 'cxone' });
    expect(acs!.code).toBe(res.headers.get('x-idp-harness-error'));
    expect(acs!.summary).toBe(`SAML response refused at 'Lab AD FS': ${acs!.code}`);
    expect(acs!.payload.signature?.status).toBe('not-checked');
  });
});

describe('filters, limits and refusals', () => {
  it('filters by service, kind, user (agent1 also finds agent1@lab.example) and text', async () => {
    const t0 = mark();
    await sampleSpSignIn();
    const ua = cxoneBrowser(lab);
    await postToAcs(ua, await signInAtAdfs(ua, lab));
    const all = await since(t0);
    expect(all.map((e) => e.service)).toEqual(['adfs', 'adfs', 'adfs', 'adfs', 'cxone']);
    expect((await since(t0, { kind: 'saml', service: 'cxone' })).map((e) => e.user)).toEqual([AGENT1.username]);
    expect((await since(t0, { user: 'AGENT1' })).map((e) => `${e.service} ${e.direction}`)).toEqual(['adfs out', 'adfs out', 'cxone in']);
    expect((await since(t0, { q: 'urn:idp-harness:sample-sp' })).map((e) => e.direction)).toEqual(['in', 'out']);
    expect(await since(t0, { kind: 'finesse' })).toEqual([]);
  });

  it('`since` is strict, `limit` keeps the newest, oldest first', async () => {
    await sampleSpSignIn();
    const everything = (await api('/exchanges?limit=500')).body as Exchange[];
    expect(everything.length).toBeGreaterThan(4);
    const seqs = everything.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect((await api('/exchanges?limit=2')).body).toEqual(everything.slice(-2));
    expect((await api('/exchanges')).body).toEqual(everything.slice(-100));
    const pivot = everything[everything.length - 3]!;
    expect((await since(pivot.at)).map((e) => e.id)).toEqual(everything.filter((e) => e.at > pivot.at).map((e) => e.id));
  });

  it.each([
    ['kind=bogus', 'kind'],
    ['service=nope', 'service'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['since=yesterday', 'since'],
    ['user=a&user=b', 'user'],
    ['q=', 'q'],
    ['foo=1', '(query)'],
  ])('refuses ?%s with 400 ERR_CONTROL_INVALID naming %s', async (q, path) => {
    const r = await api(`/exchanges?${q}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('ERR_CONTROL_INVALID');
    expect(r.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  it('the stream refuses `limit` and `since`', async () => {
    for (const [q, path] of [
      ['limit=5', 'limit'],
      ['since=2030-01-01T00:00:00Z', 'since'],
      ['kind=bogus', 'kind'],
    ]) {
      const r = await api(`/exchanges/stream?${q}`);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('ERR_CONTROL_INVALID');
      expect(r.body.error.details.issues[0].path).toBe(path);
    }
  });
});

describe('the event stream', () => {
  it('sends each new exchange that matches its filters, as recorded', async () => {
    const abort = new AbortController();
    const res = await fetch(`${lab.urls.console}/api/exchanges/stream?service=finesse`, { signal: abort.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (done: () => boolean) => {
      for (let i = 0; i < 100 && !done(); i++) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += decoder.decode(chunk.value, { stream: true });
      }
    };
    try {
      await readUntil(() => text.includes(': connected'));
      await sampleSpSignIn(); // adfs: not for this stream
      expect((await fetch(`${lab.urls.finesse}/finesse/api/User/1003`, { headers: { authorization: NONSSO1 } })).status).toBe(200);
      await readUntil(() => /data: .*\n\n/.test(text));
      const events = [...text.matchAll(/^id: (.+)\ndata: (.+)$/gm)].map((m) => ({ id: m[1], exchange: JSON.parse(m[2]!) as Exchange }));
      expect(events).toHaveLength(1);
      expect(events[0]!.exchange).toMatchObject({ service: 'finesse', path: '/finesse/api/User/1003', status: 200 });
      expect(events[0]!.id).toBe(events[0]!.exchange.id);
      const listed = (await api('/exchanges?service=finesse&limit=1')).body as Exchange[];
      expect(listed).toEqual([events[0]!.exchange]);
    } finally {
      abort.abort();
    }
  });
});
