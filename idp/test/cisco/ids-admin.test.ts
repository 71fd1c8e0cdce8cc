import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestLab } from '../../../harness/src/start-lab.js';
import type { Lab } from '../../src/lab.js';
import {
  ADMIN_AUTH,
  api,
  authorizeUrl,
  basic,
  FINESSE_CLIENT_ID,
  finesseUser,
  getCode,
  HEX40,
  IDS_ADMIN,
  idsUrl,
  SAMPLE,
  sampleTokens,
  tokenRequest,
  type JsonAnswer,
} from '../helpers/ids-code.js';

/**
 * IdS administration (reference A.1.6: Identity Service Settings → Tokens with Cisco's defaults and
 * ranges, Identity Service Clients, the IdS Trust tab) through the lab's control API
 * (`/api/ids/...`) and the `/idsadmin` page, and the issued-token list and revocation of the
 * control API (docs/cisco.md "Settings and clients").
 */

const DEFAULTS = { accessTokenMinutes: 60, refreshTokenHours: 10, authorizationCodeMinutes: 1, encrypt: true, rotateRefreshToken: false };

/** A control API refusal: status, code, and the field paths its issues name. */
function expectControlError(r: JsonAnswer, status: number, code: string): string[] {
  expect(r.status, r.text).toBe(status);
  const error = r.json?.['error'] as { code: string; details?: { issues?: Array<{ path: string }> } } | undefined;
  expect(error?.code, r.text).toBe(code);
  return (error?.details?.issues ?? []).map((i) => i.path);
}

describe('Cisco IdS administration', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startTestLab({ services: ['adfs', 'ids', 'finesse', 'console'], tls: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });
  beforeEach(async () => {
    expect((await api(lab, 'POST', '/reset')).status).toBe(200);
  });

  const settings = async () => (await api(lab, 'GET', '/ids/settings')).json;

  describe('token settings through the control API', () => {
    it('starts with Cisco defaults: access 60 min, refresh 10 h, code 1 min, Encrypt Token on', async () => {
      const r = await api(lab, 'GET', '/ids/settings');
      expect(r.status).toBe(200);
      expect(r.json).toEqual(DEFAULTS);
    });

    it('accepts every range boundary and applies it', async () => {
      const low = { accessTokenMinutes: 5, refreshTokenHours: 2, authorizationCodeMinutes: 1, encrypt: false };
      const high = { accessTokenMinutes: 120, refreshTokenHours: 24, authorizationCodeMinutes: 10, encrypt: true };
      for (const change of [low, high]) {
        const r = await api(lab, 'PATCH', '/ids/settings', change);
        expect(r.status, r.text).toBe(200);
        expect(r.json).toEqual({ ...DEFAULTS, ...change });
        expect(await settings()).toEqual({ ...DEFAULTS, ...change });
      }
      // A partial change leaves the rest alone.
      const r = await api(lab, 'PATCH', '/ids/settings', { accessTokenMinutes: 30 });
      expect(r.json).toEqual({ ...DEFAULTS, ...high, accessTokenMinutes: 30 });
    });

    it('refuses out-of-range, unknown and mistyped fields with their path, and changes nothing, not even the valid fields', async () => {
      await api(lab, 'PATCH', '/ids/settings', { accessTokenMinutes: 45 });
      const before = await settings();
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ accessTokenMinutes: 4 }, 'accessTokenMinutes'],
        [{ accessTokenMinutes: 121 }, 'accessTokenMinutes'],
        [{ refreshTokenHours: 1 }, 'refreshTokenHours'],
        [{ refreshTokenHours: 25 }, 'refreshTokenHours'],
        [{ authorizationCodeMinutes: 0 }, 'authorizationCodeMinutes'],
        [{ authorizationCodeMinutes: 11 }, 'authorizationCodeMinutes'],
        [{ accessTokenMinutes: 30.5 }, 'accessTokenMinutes'],
        [{ accessTokenMinutes: '30' }, 'accessTokenMinutes'],
        [{ encrypt: 'false' }, 'encrypt'],
        [{ refreshTokenHours: null }, 'refreshTokenHours'],
        [{ tokenLifetime: 30 }, 'tokenLifetime'],
        // Valid fields beside an invalid one are not applied either.
        [{ accessTokenMinutes: 30, authorizationCodeMinutes: 5, encrypt: false, refreshTokenHours: 25 }, 'refreshTokenHours'],
        [{ accessTokenMinutes: 30, extra: true }, 'extra'],
      ];
      for (const [body, path] of cases) {
        const r = await api(lab, 'PATCH', '/ids/settings', body);
        const paths = expectControlError(r, 400, 'ERR_CONTROL_INVALID');
        expect(paths, JSON.stringify(body)).toContain(path);
        expect(await settings(), JSON.stringify(body)).toEqual(before);
      }
      expectControlError(await api(lab, 'PATCH', '/ids/settings', []), 400, 'ERR_CONTROL_INVALID');
      // express.json (strict) refuses a bare JSON string before the settings see it.
      expectControlError(await api(lab, 'PATCH', '/ids/settings', 'text'), 400, 'ERR_HTTP_BAD_REQUEST');
      expect(await settings()).toEqual(before);
    });

    it('goes back to the defaults on POST /api/reset', async () => {
      await api(lab, 'PATCH', '/ids/settings', { accessTokenMinutes: 5, refreshTokenHours: 24, authorizationCodeMinutes: 10, encrypt: false });
      expect(await settings()).not.toEqual(DEFAULTS);
      expect((await api(lab, 'POST', '/reset')).status).toBe(200);
      expect(await settings()).toEqual(DEFAULTS);
    });
  });

  describe('IdS clients through the control API', () => {
    const client = {
      name: 'Partner desktop',
      clientId: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      redirectUrls: ['http://127.0.0.1:9911/oauth/cb'],
    };

    it('creates a client (201) that then completes the whole code flow, and lists it', async () => {
      const created = await api(lab, 'POST', '/ids/clients', client);
      expect(created.status, created.text).toBe(201);
      expect(created.json).toEqual(client);
      const list = (await api(lab, 'GET', '/ids/clients')).json as unknown as Array<{ clientId: string }>;
      expect(list.map((c) => c.clientId).sort()).toEqual([SAMPLE.clientId, FINESSE_CLIENT_ID, client.clientId].sort());
      expect((await api(lab, 'GET', `/ids/clients/${client.clientId}`)).json).toEqual(client);

      const { code, location } = await getCode(lab, { clientId: client.clientId, redirectUri: client.redirectUrls[0], state: 'p' });
      expect(location.startsWith(`${client.redirectUrls[0]}?`)).toBe(true);
      const r = await tokenRequest(lab, { grant_type: 'authorization_code', code, redirect_uri: client.redirectUrls[0]!, client_id: client.clientId });
      expect(r.status, r.text).toBe(200);
      expect((await finesseUser(lab, r.json!['access_token'] as string)).status).toBe(200);
    });

    it('validates the client ID as 40 lower-case hex digits, with its path', async () => {
      for (const clientId of ['a1b2c3', 'a1b2c3d4e5f60718293a4b5c6d7e8f901234567', 'a1b2c3d4e5f60718293a4b5c6d7e8f90123456789', 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678', 'g1b2c3d4e5f60718293a4b5c6d7e8f9012345678', '']) {
        const paths = expectControlError(await api(lab, 'POST', '/ids/clients', { ...client, clientId }), 400, 'ERR_CONTROL_INVALID');
        expect(paths, clientId).toEqual(['clientId']);
      }
      expect((await api(lab, 'GET', '/ids/clients')).json).toHaveLength(2);
    });

    it('refuses a duplicate client ID or name with 409', async () => {
      expect((await api(lab, 'POST', '/ids/clients', { ...client, clientId: SAMPLE.clientId })).status).toBe(409);
      expectControlError(await api(lab, 'POST', '/ids/clients', { ...client, clientId: SAMPLE.clientId }), 409, 'ERR_CONTROL_CONFLICT');
      expectControlError(await api(lab, 'POST', '/ids/clients', { ...client, name: 'finesse' }), 409, 'ERR_CONTROL_CONFLICT');
      expect((await api(lab, 'GET', '/ids/clients')).json).toHaveLength(2);
    });

    it('refuses a relative, fragment or non-http(s) redirect URL, naming the URL in the path (RFC 6749 §3.1.2)', async () => {
      const bad: Array<[string[], string]> = [
        [['/oauth/cb'], 'redirectUrls.0'],
        [['http://127.0.0.1:9911/oauth/cb#frag'], 'redirectUrls.0'],
        [['ftp://127.0.0.1/cb'], 'redirectUrls.0'],
        [['http://127.0.0.1:9911/ok', 'javascript:alert(1)'], 'redirectUrls.1'],
        [[], 'redirectUrls'],
      ];
      for (const [redirectUrls, path] of bad) {
        const paths = expectControlError(await api(lab, 'POST', '/ids/clients', { ...client, redirectUrls }), 400, 'ERR_CONTROL_INVALID');
        expect(paths, redirectUrls.join(' ')).toContain(path);
      }
      expect(expectControlError(await api(lab, 'POST', '/ids/clients', { ...client, secret: 'x' }), 400, 'ERR_CONTROL_INVALID')).toContain('secret');
      expect((await api(lab, 'GET', '/ids/clients')).json).toHaveLength(2);
    });

    it('deletes a client: its authorize gets ERR_IDS_UNKNOWN_CLIENT and its outstanding code is refused', async () => {
      expect((await api(lab, 'POST', '/ids/clients', client)).status).toBe(201);
      const { code } = await getCode(lab, { clientId: client.clientId, redirectUri: client.redirectUrls[0] });
      const del = await api(lab, 'DELETE', `/ids/clients/${client.clientId}`);
      expect(del.status).toBe(200);
      const res = await fetch(authorizeUrl(lab, { client_id: client.clientId, redirect_uri: client.redirectUrls[0], response_type: 'code' }), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('x-idp-harness-error')).toBe('ERR_IDS_UNKNOWN_CLIENT');
      expect(res.headers.get('location')).toBeNull();
      const r = await tokenRequest(lab, { grant_type: 'authorization_code', code, redirect_uri: client.redirectUrls[0]!, client_id: client.clientId });
      expect(r.status).toBe(401);
      expect(r.json!['error']).toBe('invalid_client');
      expectControlError(await api(lab, 'DELETE', `/ids/clients/${client.clientId}`), 404, 'ERR_CONTROL_NOT_FOUND');
    });
  });

  describe('/idsadmin (HTTP Basic, ids.admin)', () => {
    const admin = (path = '', init: { form?: Record<string, string>; auth?: string | null } = {}) =>
      fetch(`${idsUrl(lab)}/idsadmin${path}`, {
        method: init.form ? 'POST' : 'GET',
        headers: {
          ...(init.auth === null ? {} : { authorization: init.auth ?? ADMIN_AUTH }),
          ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: init.form ? new URLSearchParams(init.form).toString() : undefined,
      });
    /** The value of an `<input id=…>` on the page. */
    const inputValue = (html: string, id: string) => new RegExp(`id="${id}" name="${id}" value="([^"]*)"`).exec(html)?.[1];

    it('answers 401 with a Basic challenge without the administrator credentials, for the page and its forms', async () => {
      for (const auth of [null, basic(IDS_ADMIN.username, 'nope'), basic('Administrator', IDS_ADMIN.password)]) {
        const res = await admin('', { auth });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
        expect(res.headers.get('x-idp-harness-error')).toBe('ERR_IDS_ADMIN_UNAUTHORIZED');
      }
      const post = await admin('/settings', { auth: null, form: { accessTokenMinutes: '5', refreshTokenHours: '2', authorizationCodeMinutes: '1' } });
      expect(post.status).toBe(401);
      expect(await settings()).toEqual(DEFAULTS);
    });

    it('shows the token settings and the clients', async () => {
      const res = await admin();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await res.text();
      expect(inputValue(html, 'accessTokenMinutes')).toBe('60');
      expect(inputValue(html, 'refreshTokenHours')).toBe('10');
      expect(inputValue(html, 'authorizationCodeMinutes')).toBe('1');
      expect(html).toMatch(/name="encrypt" value="true" checked/);
      for (const c of ['Finesse', 'Sample third-party desktop', FINESSE_CLIENT_ID, SAMPLE.clientId, SAMPLE.redirectUri]) expect(html).toContain(c);
      expect(html).toContain('/ids/saml/metadata?download=true');
    });

    it('changes the settings from its form, and shows a refused value with status 400, changing nothing', async () => {
      const ok = await admin('/settings', { form: { accessTokenMinutes: '30', refreshTokenHours: '12', authorizationCodeMinutes: '5' } });
      expect(ok.status).toBe(200);
      const html = await ok.text();
      expect(html).toContain('id="noticeText"');
      expect(inputValue(html, 'accessTokenMinutes')).toBe('30');
      // An unchecked checkbox is absent from the form: Encrypt Token off.
      const changed = { ...DEFAULTS, accessTokenMinutes: 30, refreshTokenHours: 12, authorizationCodeMinutes: 5, encrypt: false };
      expect(await settings()).toEqual(changed);

      for (const form of [
        { accessTokenMinutes: '200', refreshTokenHours: '12', authorizationCodeMinutes: '5', encrypt: 'true' },
        { accessTokenMinutes: '30', refreshTokenHours: 'twelve', authorizationCodeMinutes: '5', encrypt: 'true' },
        { accessTokenMinutes: '30', refreshTokenHours: '12', authorizationCodeMinutes: '0', encrypt: 'true' },
      ]) {
        const bad = await admin('/settings', { form });
        expect(bad.status, JSON.stringify(form)).toBe(400);
        expect(bad.headers.get('x-idp-harness-error')).toBe('ERR_CONTROL_INVALID');
        const page = await bad.text();
        expect(page).toContain('id="errorText"');
        expect(await settings(), JSON.stringify(form)).toEqual(changed);
      }
    });

    it('adds a client with a generated 40-hex client ID, and refuses a bad redirect URL', async () => {
      const res = await admin('/clients', { form: { name: 'Admin-made desktop', redirectUrls: 'http://127.0.0.1:9922/a\r\nhttp://127.0.0.1:9922/b' } });
      expect(res.status).toBe(200);
      const list = (await api(lab, 'GET', '/ids/clients')).json as unknown as Array<{ name: string; clientId: string; redirectUrls: string[] }>;
      const made = list.find((c) => c.name === 'Admin-made desktop');
      expect(made?.clientId).toMatch(HEX40);
      expect([SAMPLE.clientId, FINESSE_CLIENT_ID]).not.toContain(made!.clientId);
      expect(made!.redirectUrls).toEqual(['http://127.0.0.1:9922/a', 'http://127.0.0.1:9922/b']);
      expect(await res.text()).toContain(made!.clientId);

      const bad = await admin('/clients', { form: { name: 'Broken', redirectUrls: 'ftp://127.0.0.1/x' } });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('x-idp-harness-error')).toBe('ERR_CONTROL_INVALID');
      expect(await bad.text()).toContain('id="errorText"');
      expect((await api(lab, 'GET', '/ids/clients')).json).toHaveLength(3);
    });

    it('shows an error for IdP metadata that is not XML, and keeps the trusted IdP', async () => {
      const before = (await api(lab, 'GET', '/ids/idp-metadata')).json;
      expect(before?.['source']).toBe('lab');
      for (const metadata of ['<md:EntityDescriptor', 'not xml at all', '']) {
        const res = await admin('/idp-metadata', { form: { metadata } });
        expect(res.status, metadata).toBe(400);
        expect(res.headers.get('x-idp-harness-error'), metadata).toBe('ERR_IDS_IDP_METADATA_INVALID');
        expect(await res.text()).toContain('id="errorText"');
      }
      expect((await api(lab, 'GET', '/ids/idp-metadata')).json).toEqual(before);
    });
  });

  describe('issued tokens (GET /api/ids/tokens, POST /api/ids/tokens/revoke)', () => {
    type Row = { kind: string; id: string; userId: string; clientId: string; status: string };
    const rows = async () => (await api(lab, 'GET', '/ids/tokens')).json as unknown as Row[];
    const jti = (token: string) => decodeJwt(token).jti!;

    it('lists each token with its status valid, expired or revoked, and revokes all of a user’s', async () => {
      await api(lab, 'PATCH', '/ids/settings', { encrypt: false }); // to read each token's jti
      const c = await sampleTokens(lab, { user: 'agent2' });
      lab.state.clock.advance(61 * 60_000); // c's access token expires; its refresh token lives on
      const a = await sampleTokens(lab);
      const b = await sampleTokens(lab);
      const revoked = await fetch(`${idsUrl(lab)}/ids/v1/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: a.refresh, client_id: SAMPLE.clientId }).toString(),
      });
      expect(revoked.status).toBe(200);

      const expected: Record<string, Omit<Row, 'id'>> = {
        [jti(c.access)]: { kind: 'access', userId: 'agent2', clientId: SAMPLE.clientId, status: 'expired' },
        [jti(c.refresh)]: { kind: 'refresh', userId: 'agent2', clientId: SAMPLE.clientId, status: 'valid' },
        [jti(a.access)]: { kind: 'access', userId: 'agent1', clientId: SAMPLE.clientId, status: 'revoked' },
        [jti(a.refresh)]: { kind: 'refresh', userId: 'agent1', clientId: SAMPLE.clientId, status: 'revoked' },
        [jti(b.access)]: { kind: 'access', userId: 'agent1', clientId: SAMPLE.clientId, status: 'valid' },
        [jti(b.refresh)]: { kind: 'refresh', userId: 'agent1', clientId: SAMPLE.clientId, status: 'valid' },
      };
      const listed = await rows();
      expect(listed).toHaveLength(6);
      for (const r of listed) {
        const { id, ...rest } = r;
        expect(expected[id], id).toBeDefined();
        expect({ kind: rest.kind, userId: rest.userId, clientId: rest.clientId, status: rest.status }).toEqual(expected[id]);
      }

      expect((await finesseUser(lab, b.access)).status).toBe(200);
      const all = await api(lab, 'POST', '/ids/tokens/revoke', { user: 'agent1' });
      expect(all.status).toBe(200);
      expect(all.json).toEqual({ revoked: 2 }); // b's pair; a's were already revoked
      expect((await finesseUser(lab, b.access)).status).toBe(401);
      const after = await rows();
      for (const r of after) expect(r.status, r.id).toBe(r.userId === 'agent1' ? 'revoked' : expected[r.id]!.status);
    });

    it('revokes one token by value, and refuses a malformed command', async () => {
      const t = await sampleTokens(lab);
      const one = await api(lab, 'POST', '/ids/tokens/revoke', { token: t.access });
      expect(one.json).toEqual({ revoked: 1 });
      expect((await finesseUser(lab, t.access)).status).toBe(401);
      expect((await api(lab, 'POST', '/ids/tokens/revoke', { token: 'unknown' })).json).toEqual({ revoked: 0 });
      for (const body of [{}, { user: '' }, { user: 'agent1', token: t.refresh }, { users: ['agent1'] }]) {
        expectControlError(await api(lab, 'POST', '/ids/tokens/revoke', body), 400, 'ERR_CONTROL_INVALID');
      }
      const refresh = (await rows()).find((r) => r.kind === 'refresh');
      expect(refresh?.status).toBe('valid');
    });
  });
});

describe('/idsadmin refuses changes posted from another origin (CSRF)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ services: ['ids', 'console'] });
  });
  afterAll(async () => {
    await lab?.stop();
  });
  const admin = 'Basic ' + Buffer.from('administrator:IdsAdmin1!').toString('base64');
  const post = (headers: Record<string, string>) =>
    fetch(`${lab.urls.ids}/idsadmin/settings`, {
      method: 'POST',
      headers: { authorization: admin, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: 'accessTokenMinutes=30&refreshTokenHours=10&authorizationCodeMinutes=1&encrypt=true',
    });

  it('403 ERR_IDS_ADMIN_UNAUTHORIZED from a foreign Origin or Referer, nothing changed; its own origin (or none, as curl sends) works', async () => {
    for (const h of [{ origin: 'http://evil.example' }, { referer: 'http://evil.example/page' }] as Array<Record<string, string>>) {
      const r = await post(h);
      expect(r.status).toBe(403);
      expect(r.headers.get('x-idp-harness-error')).toBe('ERR_IDS_ADMIN_UNAUTHORIZED');
      expect(lab.state.ids!.settings.accessTokenMinutes).toBe(60);
    }
    expect((await post({ origin: new URL(lab.urls.ids!).origin })).status).toBe(200);
    expect(lab.state.ids!.settings.accessTokenMinutes).toBe(30);
    expect((await post({})).status).toBe(200);
  });
});
